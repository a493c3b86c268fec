//! `/admin/units/<id>`: a unit's details, roster, join requests, join QR,
//! roster import and export.

use super::region::UnitFields;
use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::components::pager::{Pager, page_number};
use crate::error::AppError;
use crate::model::Unit;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterLine {
    pub membership_id: i64,
    pub person_id: i64,
    pub name: String,
    /// Full only for the unit's own admins, otherwise 138****1234.
    pub phone: String,
    pub post: String,
    pub since: String,
    pub has_account: bool,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingLine {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub post: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitData {
    pub unit: Unit,
    pub roster: Vec<RosterLine>,
    pub total: i64,
    pub pending: Vec<PendingLine>,
    pub join_url: Option<String>,
    pub join_qr_svg: Option<String>,
    pub admins: Vec<String>,
}

#[cfg(feature = "ssr")]
fn shown_phone(phone: &str, full: bool) -> String {
    match crate::domain::Phone::parse(phone) {
        Ok(p) if !full => p.masked(),
        _ => phone.to_string(),
    }
}

#[cfg(feature = "ssr")]
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(std::io::Error::other(format!("{e:?}"))))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

#[server(prefix = "/api", endpoint = "unit_view")]
pub async fn unit_view(unit_id: i64, search: String, page: i64) -> Result<UnitData, AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let db = &state.db;
        let today = crate::actions::today();
        let unit = crate::db::units::get(db, access.unit_id(), &today)
            .await?
            .ok_or(AppError::NotFound)?;
        let admins = crate::db::grants::unit_admins(db, access.unit_id()).await?;
        let admin_ids: Vec<i64> = admins.iter().map(|(id, _)| *id).collect();
        let offset = (page.max(1) - 1) * crate::components::pager::PER_PAGE;
        let (entries, total) = crate::db::memberships::roster(
            db,
            access.unit_id(),
            &search,
            &today,
            crate::components::pager::PER_PAGE,
            offset,
        )
        .await?;
        let label = |code: &str| {
            crate::domain::Post::parse(code)
                .map(|p| p.label().to_string())
                .unwrap_or_default()
        };
        let roster = entries
            .into_iter()
            .map(|e| RosterLine {
                membership_id: e.membership_id,
                person_id: e.person_id,
                phone: shown_phone(&e.phone, access.full_phones()),
                post: label(&e.post),
                since: e.start_date,
                has_account: e.has_account,
                is_admin: admin_ids.contains(&e.person_id),
                name: e.name,
            })
            .collect();
        let pending = crate::db::join::pending(db, access.unit_id())
            .await?
            .into_iter()
            .map(|r| PendingLine {
                id: r.id,
                phone: shown_phone(&r.phone, access.full_phones()),
                post: label(&r.post),
                name: r.name,
            })
            .collect();
        let join_url = crate::db::join::link_token(db, access.unit_id())
            .await?
            .map(|token| format!("{}/join/{token}", state.site.base_url));
        let join_qr_svg = join_url.as_deref().map(qr_svg).transpose()?;
        Ok(UnitData {
            unit,
            roster,
            total,
            pending,
            join_url,
            join_qr_svg,
            admins: admins.into_iter().map(|(_, name)| name).collect(),
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "update_unit")]
#[allow(clippy::too_many_arguments)]
pub async fn update_unit(
    unit_id: i64,
    name: String,
    credit_code: String,
    industry: String,
    key_unit: Option<String>,
    public_gathering: Option<String>,
    control_room: Option<String>,
    linkage: Option<String>,
) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let form = crate::actions::units::UnitForm::parse(
            &name,
            &credit_code,
            &industry,
            [key_unit, public_gathering, control_room, linkage],
        )?;
        crate::actions::units::update(&state.db, &access, &form).await?;
        crate::components::flash::set("单位信息已保存");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "renew_join_link")]
pub async fn renew_join_link(unit_id: i64) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        crate::actions::members::renew_join_link(&state.db, &access).await?;
        crate::components::flash::set("已生成新的加入二维码，旧二维码已失效");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}#join"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// `decision` is "approve" or "reject".
#[server(prefix = "/api", endpoint = "decide_join")]
pub async fn decide_join(unit_id: i64, request_id: i64, decision: String) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let approve = match decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(AppError::bad_request("无效的操作")),
        };
        crate::actions::members::decide_join(&state.db, &access, request_id, approve).await?;
        crate::components::flash::set(if approve {
            "已批准加入"
        } else {
            "已拒绝申请"
        });
        leptos_axum::redirect(&format!("/admin/units/{unit_id}#pending"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn UnitPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let (search, page) = use_query_map()
        .with_untracked(|q| (q.get("q").unwrap_or_default(), page_number(q.get("page"))));
    let update_error = form_error::<UpdateUnit>();
    let decide_error = form_error::<DecideJoin>();
    let upload_error = form_error::<super::import::UploadRoster>();
    let data = Resource::new_blocking(
        {
            let search = search.clone();
            move || (id, search.clone(), page)
        },
        |(id, search, page)| unit_view(id, search, page),
    );
    view! {
        <Title text="单位管理" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let search = search.clone();
                let (update_error, decide_error, upload_error) = (update_error.clone(), decide_error.clone(), upload_error.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! {
                            <nav class="crumbs">
                                <a href="/admin">"管理"</a> " › " <a href=format!("/admin/regions/{}", v.unit.region_id)>{v.unit.region_name.clone()}</a>
                            </nav>
                            <h1>{v.unit.name.clone()} {v.unit.is_demo.then(|| view! { <span class="badge demo">"示例数据"</span> })}</h1>
                            <p class="muted">
                                {format!("{} · 在岗 {} 人 · 重点单位：{} · 人员密集场所：{} · 消防控制室：{}",
                                    v.unit.industry, v.unit.people, super::yes_no(v.unit.is_key_unit), super::yes_no(v.unit.is_public_gathering),
                                    if v.unit.control_room_linkage { "有（联动控制）" } else if v.unit.has_control_room { "有" } else { "无" })}
                            </p>
                            <p class="muted">"单位管理员：" {if v.admins.is_empty() { "暂无".to_string() } else { v.admins.join("、") }}</p>
                            <p class="actions">
                                <a class="button" href=format!("/admin/units/{id}/coverage")>"覆盖情况"</a>
                                <a class="button secondary" href=format!("/admin/units/{id}/credentials")>"操作员证书"</a>
                                <a class="button secondary" href=format!("/admin/units/{id}/sessions")>"培训与演练"</a>
                            </p>

                            <section class="card" id="pending">
                                <h2>{format!("待审核的加入申请（{}）", v.pending.len())}</h2>
                                <FormError error=decide_error />
                                {if v.pending.is_empty() {
                                    view! { <p class="empty">"暂无待审核的申请。员工扫描下方的加入二维码即可提交申请。"</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="plain requests">
                                            {v.pending.into_iter().map(|r| view! {
                                                <li>
                                                    <span>{format!("{} · {} · {}", r.name, r.phone, r.post)}</span>
                                                    <form method="post" action=DecideJoin::url() class="inline">
                                                        <input type="hidden" name="unit_id" value=id />
                                                        <input type="hidden" name="request_id" value=r.id />
                                                        <button type="submit" name="decision" value="approve">"批准"</button>
                                                        <button type="submit" name="decision" value="reject" class="secondary">"拒绝"</button>
                                                    </form>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>

                            <section class="card" id="roster">
                                <h2>"名册"</h2>
                                <form method="get" class="search">
                                    <input type="search" name="q" value=search.clone() placeholder="按姓名或手机号搜索" aria-label="按姓名或手机号搜索" />
                                    <button type="submit">"搜索"</button>
                                </form>
                                {if v.roster.is_empty() {
                                    view! { <p class="empty">{if search.is_empty() { "名册是空的。可以在下方导入 Excel 名册，或让员工扫码申请加入。" } else { "没有找到符合条件的人员。" }}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table class="roster">
                                                <thead><tr><th scope="col">"姓名"</th><th scope="col">"手机号"</th><th scope="col">"岗位"</th><th scope="col">"入职"</th><th scope="col">"账号"</th></tr></thead>
                                                <tbody>
                                                    {v.roster.into_iter().map(|r| view! {
                                                        <tr>
                                                            <td><a href=format!("/admin/units/{id}/members/{}", r.membership_id)>{r.name}</a>{r.is_admin.then(|| view! { <span class="badge">"管理员"</span> })}</td>
                                                            <td>{r.phone}</td>
                                                            <td>{r.post}</td>
                                                            <td data-label="入职">{r.since}</td>
                                                            <td data-label="账号">{if r.has_account { "已开通" } else { "未开通" }}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <Pager base=format!("/admin/units/{id}") search=search.clone() page total=v.total />
                                <p><a class="button secondary" href=format!("/admin/units/{id}/roster.xlsx") download="">"导出名册（Excel）"</a></p>
                            </section>

                            <section class="card" id="import">
                                <h2>"导入名册"</h2>
                                <p class="hint">"支持 Excel（.xlsx）和 CSV。表格需有“姓名”“手机号”两列，可选“岗位”“入职日期”；列的顺序不限。导入前会先逐行检查，全部无误才能确认导入。"</p>
                                <FormError error=upload_error />
                                <form method="post" action=super::import::UploadRoster::url() enctype="multipart/form-data" class="stack">
                                    <input type="hidden" name="unit_id" value=id />
                                    <label>"名册文件" <input type="file" name="file" accept=".xlsx,.csv,text/csv" required /></label>
                                    <button type="submit">"上传并检查"</button>
                                </form>
                            </section>

                            <section class="card" id="join">
                                <h2>"加入二维码"</h2>
                                {match (v.join_url, v.join_qr_svg) {
                                    (Some(url), Some(svg)) => view! {
                                        <div class="qr">
                                            <div class="qr-code" role="img" aria-label="加入单位二维码" inner_html=svg></div>
                                            <p>"员工用微信扫码，填写姓名、手机号和岗位后提交申请。" <br /> <span class="url">{url}</span></p>
                                        </div>
                                    }.into_any(),
                                    _ => view! { <p class="empty">"还没有加入二维码。点击下方按钮生成。"</p> }.into_any(),
                                }}
                                <form method="post" action=RenewJoinLink::url()>
                                    <input type="hidden" name="unit_id" value=id />
                                    <button type="submit" class="secondary">"生成新的二维码（旧的将失效）"</button>
                                </form>
                            </section>

                            <section class="card">
                                <h2>"单位信息"</h2>
                                <FormError error=update_error />
                                <form method="post" action=UpdateUnit::url() class="stack">
                                    <input type="hidden" name="unit_id" value=id />
                                    <UnitFields unit=Some(v.unit) />
                                    <button type="submit">"保存"</button>
                                </form>
                            </section>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
