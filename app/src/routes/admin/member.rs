//! `/admin/units/<id>/members/<membership id>`: one member, with the
//! actions that need a confirmation (end the post, issue a login code,
//! admin rights).

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberData {
    pub unit_name: String,
    pub person_id: i64,
    pub name: String,
    pub phone: String,
    pub post: String,
    pub since: String,
    pub ended: Option<String>,
    pub has_account: bool,
    pub is_admin: bool,
}

#[server(prefix = "/api", endpoint = "member_view")]
pub async fn member_view(unit_id: i64, membership_id: i64) -> Result<MemberData, AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let db = &state.db;
        type MemberRow = (i64, String, String, String, String, Option<String>, i64, String);
        let row: Option<MemberRow> = sqlx::query_as(
            "SELECT p.id, p.name, p.phone, m.post, m.start_date, m.end_date, \
             (SELECT COUNT(*) FROM accounts a WHERE a.person_id = p.id), u.name \
             FROM memberships m JOIN people p ON p.id = m.person_id JOIN units u ON u.id = m.unit_id \
             WHERE m.id = $1 AND m.unit_id = $2",
        )
        .bind(membership_id)
        .bind(access.unit_id())
        .fetch_optional(db)
        .await?;
        let (person_id, name, phone, post, since, ended, accounts, unit_name) = row.ok_or(AppError::NotFound)?;
        let phone = match crate::domain::Phone::parse(&phone) {
            Ok(p) if !access.full_phones() => p.masked(),
            _ => phone,
        };
        let is_admin = crate::db::grants::unit_admins(db, access.unit_id()).await?.iter().any(|(id, _)| *id == person_id);
        Ok(MemberData {
            unit_name,
            person_id,
            name,
            phone,
            post: crate::domain::Post::parse(&post).map(|p| p.label().to_string()).unwrap_or(post),
            since,
            ended,
            has_account: accounts > 0,
            is_admin,
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "end_membership")]
pub async fn end_membership(unit_id: i64, membership_id: i64) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        crate::actions::members::end_membership(&state.db, &access, membership_id).await?;
        crate::components::flash::set("已办理离岗");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// The code comes back to the admin once, through the flash cookie.
#[server(prefix = "/api", endpoint = "issue_login_code")]
pub async fn issue_login_code(
    unit_id: i64,
    membership_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let code = crate::actions::members::issue_one_time_code(&state.db, &access, person_id).await?;
        crate::components::flash::set(&format!(
            "一次性登录码：{code}。请当面告知本人，用手机号和此码登录后须立即设置新密码。此码只显示这一次。"
        ));
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/members/{membership_id}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// `admin` is "1" to grant unit-admin rights, "0" to take them away.
#[server(prefix = "/api", endpoint = "set_unit_admin")]
pub async fn set_unit_admin(
    unit_id: i64,
    membership_id: i64,
    person_id: i64,
    admin: String,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        crate::actions::members::set_unit_admin(&state.db, &access, person_id, admin == "1")
            .await?;
        crate::components::flash::set(if admin == "1" {
            "已设为单位管理员"
        } else {
            "已取消单位管理员"
        });
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/members/{membership_id}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn MemberPage() -> impl IntoView {
    let (unit_id, membership_id) = use_params_map().with_untracked(|p| {
        let num = |k: &str| p.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        (num("id"), num("mid"))
    });
    let errors: Vec<Option<AppError>> = vec![
        form_error::<EndMembership>(),
        form_error::<IssueLoginCode>(),
        form_error::<SetUnitAdmin>(),
    ];
    let error = errors.into_iter().flatten().next();
    let data = Resource::new_blocking(move || (unit_id, membership_id), |(u, m)| member_view(u, m));
    view! {
        <Title text="人员" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(m) => view! {
                            <nav class="crumbs"><a href=format!("/admin/units/{unit_id}")>{m.unit_name.clone()}</a></nav>
                            <h1>{m.name.clone()}</h1>
                            <FormError error />
                            <section class="card">
                                <p>{format!("手机号：{} · 岗位：{} · 入职：{}", m.phone, m.post, m.since)}</p>
                                {m.ended.clone().map(|d| view! { <p class="notice">{format!("已于 {d} 离岗")}</p> })}
                                <p>{if m.has_account { "已开通账号" } else { "尚未开通账号" }}</p>
                            </section>
                            <section class="card">
                                <h2>"登录码"</h2>
                                <p class="hint">"员工忘记密码或还没有账号时，生成一次性登录码当面告知本人；生成后原密码立即失效。"</p>
                                <form method="post" action=IssueLoginCode::url()>
                                    <input type="hidden" name="unit_id" value=unit_id />
                                    <input type="hidden" name="membership_id" value=membership_id />
                                    <input type="hidden" name="person_id" value=m.person_id />
                                    <button type="submit">{if m.has_account { "重置密码，生成一次性登录码" } else { "开通账号，生成一次性登录码" }}</button>
                                </form>
                            </section>
                            <section class="card">
                                <h2>"管理员权限"</h2>
                                <form method="post" action=SetUnitAdmin::url()>
                                    <input type="hidden" name="unit_id" value=unit_id />
                                    <input type="hidden" name="membership_id" value=membership_id />
                                    <input type="hidden" name="person_id" value=m.person_id />
                                    <input type="hidden" name="admin" value=if m.is_admin { "0" } else { "1" } />
                                    <button type="submit" class="secondary">{if m.is_admin { "取消单位管理员" } else { "设为单位管理员" }}</button>
                                </form>
                            </section>
                            {m.ended.is_none().then(|| view! {
                                <section class="card danger">
                                    <h2>"办理离岗"</h2>
                                    <p>{format!("确认 {} 自今天起不再担任“{}”？离岗后不再计入本单位在岗人数，历史培训记录保留。", m.name, m.post)}</p>
                                    <form method="post" action=EndMembership::url()>
                                        <input type="hidden" name="unit_id" value=unit_id />
                                        <input type="hidden" name="membership_id" value=membership_id />
                                        <button type="submit" class="danger">"确认离岗"</button>
                                    </form>
                                </section>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
