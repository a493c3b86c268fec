//! `/join/<token>`: a worker scans the unit's QR code, registers (or, if
//! signed in, just asks) and waits for the unit admin's approval.

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::domain::Post;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinData {
    pub unit_name: String,
    /// The signed-in person's name, if any.
    pub signed_in_as: Option<String>,
}

/// Public: the unit's name only, for a valid token.
#[server(prefix = "/api", endpoint = "join_info")]
pub async fn join_info(token: String) -> Result<JoinData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let (_, unit_name) = crate::actions::join::unit_for_token(&state.db, &token).await?;
        let user = crate::auth::session::current_user().await?;
        Ok(JoinData {
            unit_name,
            signed_in_as: user.filter(|u| !u.must_change_password).map(|u| u.name),
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// Public: anyone holding the link may ask; nothing happens until the unit
/// admin approves.
#[server(prefix = "/api", endpoint = "register_join")]
pub async fn register_join(
    token: String,
    name: String,
    phone: String,
    password: String,
    post: String,
) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let registration =
            crate::actions::join::Registration::parse(&name, &phone, password, &post)?;
        crate::actions::join::register(&state.db, &token, registration).await?;
        leptos_axum::redirect(&format!("/join/{token}?sent=1"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Signed-in members only.
#[server(prefix = "/api", endpoint = "request_join")]
pub async fn request_join(token: String, post: String) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        crate::actions::join::request(&state.db, &user, &token, &post).await?;
        leptos_axum::redirect(&format!("/join/{token}?sent=1"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
fn PostSelect() -> impl IntoView {
    view! {
        <label>"岗位"
            <select name="post" required>
                {Post::ALL.into_iter().map(|p| view! { <option value=p.code()>{p.label()}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let token = use_params_map()
        .with_untracked(|p| p.get("token"))
        .unwrap_or_default();
    let sent = use_query_map().with_untracked(|q| q.get("sent")).is_some();
    let register_error = form_error::<RegisterJoin>();
    let request_error = form_error::<RequestJoin>();
    let info = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        join_info,
    );
    view! {
        <Title text="加入单位" />
        <Suspense fallback=|| ()>
            {move || {
                let token = token.clone();
                let register_error = register_error.clone();
                let request_error = request_error.clone();
                Suspend::new(async move {
                match info.await {
                    Ok(_) if sent => view! {
                        <section class="card narrow">
                            <h1>"申请已提交"</h1>
                            <p>"请等待单位管理员审核。审核通过后，即可用手机号和密码登录学习。"</p>
                            <p><a class="button" href="/login">"去登录"</a></p>
                        </section>
                    }.into_any(),
                    Ok(JoinData { unit_name, signed_in_as: Some(name) }) => view! {
                        <section class="card narrow">
                            <h1>{format!("申请加入{unit_name}")}</h1>
                            <p>{format!("您已登录为 {name}。选择岗位后提交申请。")}</p>
                            <FormError error=request_error.clone() />
                            <form method="post" action=RequestJoin::url() class="stack">
                                <input type="hidden" name="token" value=token />
                                <PostSelect />
                                <button type="submit">"提交申请"</button>
                            </form>
                        </section>
                    }.into_any(),
                    Ok(JoinData { unit_name, signed_in_as: None }) => view! {
                        <section class="card narrow">
                            <h1>{format!("加入{unit_name}")}</h1>
                            <p>"填写以下信息注册，单位管理员审核通过后即可登录学习。"</p>
                            <FormError error=register_error.clone() />
                            <form method="post" action=RegisterJoin::url() class="stack">
                                <input type="hidden" name="token" value=token.clone() />
                                <label>"姓名" <input type="text" name="name" autocomplete="name" required maxlength="30" /></label>
                                <label>"手机号" <input type="tel" name="phone" inputmode="numeric" autocomplete="tel" required maxlength="20" /></label>
                                <label>"设置密码（至少 8 位）" <input type="password" name="password" autocomplete="new-password" required minlength="8" /></label>
                                <PostSelect />
                                <button type="submit">"注册并申请加入"</button>
                            </form>
                            <p class="hint">
                                "已有账号？" <a href=format!("/login?next=/join/{token}")>"登录后申请"</a>
                            </p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}}
        </Suspense>
    }
}
