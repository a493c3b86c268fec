//! `/login`, `/account`, `/account/password`: signing in and out, one's own
//! posts, changing the password.

use crate::auth::CurrentUser;
use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(phone: String, password: String, next: Option<String>) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let phone = crate::domain::Phone::parse(&phone).map_err(AppError::bad_request)?;
        let address = super::guard::client_address().await;
        let person_id =
            crate::actions::login::check_credentials(&state.db, &phone, password, &address).await?;
        crate::auth::session::start(person_id).await?;
        let must_change = crate::db::accounts::by_phone(&state.db, phone.as_str())
            .await?
            .is_some_and(|a| a.must_change_password);
        let target = if must_change {
            "/account/password".to_string()
        } else {
            super::guard::local_path(next, "/account")
        };
        leptos_axum::redirect(&target);
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    async move {
        crate::auth::session::end().await?;
        leptos_axum::redirect("/");
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new: String,
    confirm: String,
) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::current_user()
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if new != confirm {
            return Err(AppError::bad_request("两次输入的新密码不一致"));
        }
        let token = crate::auth::session::token_from_request().unwrap_or_default();
        let keep = crate::auth::session::token_hash(&token);
        crate::actions::login::change_password(&state.db, user.person_id, current, new, &keep)
            .await?;
        crate::components::flash::set("密码已修改");
        leptos_axum::redirect("/account");
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The signed-in person, for the header; `None` for visitors.
#[server(prefix = "/api", endpoint = "session_user")]
pub async fn session_user() -> Result<Option<CurrentUser>, AppError> {
    crate::auth::session::current_user()
        .await
        .map_err(AppError::with_status)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountData {
    pub name: String,
    pub phone_masked: String,
    pub posts: Vec<MyPost>,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyPost {
    pub unit: String,
    pub post: String,
    pub since: String,
}

#[server(prefix = "/api", endpoint = "my_account")]
pub async fn my_account() -> Result<AccountData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let phone: String = sqlx::query_scalar("SELECT phone FROM people WHERE id = $1")
            .bind(user.person_id)
            .fetch_one(&state.db)
            .await?;
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT u.name, m.post, m.start_date FROM memberships m JOIN units u ON u.id = m.unit_id \
             WHERE m.person_id = $1 AND (m.end_date IS NULL OR m.end_date >= $2) ORDER BY m.start_date",
        )
        .bind(user.person_id)
        .bind(crate::actions::today())
        .fetch_all(&state.db)
        .await?;
        let posts = rows
            .into_iter()
            .map(|(unit, post, since)| MyPost {
                unit,
                post: crate::domain::Post::parse(&post).map(|p| p.label().to_string()).unwrap_or(post),
                since,
            })
            .collect();
        let phone_masked = crate::domain::Phone::parse(&phone).map(|p| p.masked()).unwrap_or_default();
        Ok(AccountData { name: user.name.clone(), phone_masked, posts, is_admin: user.is_admin() })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let error = form_error::<Login>();
    let next = use_query_map()
        .with_untracked(|q| q.get("next"))
        .unwrap_or_default();
    view! {
        <Title text="登录" />
        <section class="card narrow">
            <h1>"登录"</h1>
            <FormError error />
            <form method="post" action=Login::url() class="stack">
                <input type="hidden" name="next" value=next />
                <label>"手机号"
                    <input type="tel" name="phone" inputmode="numeric" autocomplete="username" required maxlength="20" />
                </label>
                <label>"密码"
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <button type="submit">"登录"</button>
            </form>
            <p class="hint">"忘记密码？请联系本单位管理员生成一次性登录码。"</p>
            <p class="hint">"还没有账号？请扫描单位管理员出示的加入二维码注册。"</p>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new_blocking(|| (), |_| my_account());
    view! {
        <Title text="我的" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(me) => view! {
                        <section class="card">
                            <h1>{me.name}</h1>
                            <p>"手机号：" {me.phone_masked}</p>
                            <h2>"我的岗位"</h2>
                            {if me.posts.is_empty() {
                                view! { <p class="empty">"还没有在岗记录。请扫描单位的加入二维码申请加入。"</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain">
                                        {me.posts.into_iter().map(|p| view! {
                                            <li>{p.unit} " · " {p.post} <span class="muted">{format!(" 自 {} 起", p.since)}</span></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {me.is_admin.then(|| view! { <p><a class="button" href="/admin">"进入管理"</a></p> })}
                        </section>
                        <section class="card">
                            <p><a href="/certificates">"我的证书"</a></p>
                            <p><a href="/account/password">"修改密码"</a></p>
                            <form method="post" action=Logout::url()>
                                <button type="submit" class="secondary">"退出登录"</button>
                            </form>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let error = form_error::<ChangePassword>();
    let user = Resource::new_blocking(|| (), |_| session_user());
    view! {
        <Title text="修改密码" />
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => view! {
                        <section class="card narrow">
                            <h1>"修改密码"</h1>
                            {user.must_change_password.then(|| view! {
                                <p class="notice">"您正在使用管理员提供的一次性登录码，请先设置自己的密码。"</p>
                            })}
                            <FormError error=error.clone() />
                            <form method="post" action=ChangePassword::url() class="stack">
                                <label>{if user.must_change_password { "一次性登录码" } else { "当前密码" }}
                                    <input type="password" name="current" autocomplete="current-password" required />
                                </label>
                                <label>"新密码（至少 8 位）"
                                    <input type="password" name="new" autocomplete="new-password" required minlength="8" />
                                </label>
                                <label>"再次输入新密码"
                                    <input type="password" name="confirm" autocomplete="new-password" required minlength="8" />
                                </label>
                                <button type="submit">"保存新密码"</button>
                            </form>
                        </section>
                    }.into_any(),
                    Ok(None) => view! { <ErrorView error=AppError::Unauthenticated /> }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}}
        </Suspense>
    }
}
