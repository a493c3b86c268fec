//! `/admin/units/<id>/credentials`: the unit's control-room operators and
//! their state-issued 消防设施操作员 certificates. Unit admins register and
//! withdraw; region admins mark them checked.

use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::domain::credential::Level;
use crate::error::AppError;
use crate::model::CredentialRow;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorLine {
    pub person_id: i64,
    pub name: String,
    /// A checked credential valid today that qualifies for this room.
    pub qualified: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialsData {
    pub unit_name: String,
    pub linkage: bool,
    /// Region admins above the unit may mark credentials checked.
    pub can_check: bool,
    /// Everyone in post today, operators first: who a credential can be for.
    pub members: Vec<(i64, String, bool)>,
    pub operators: Vec<OperatorLine>,
    pub credentials: Vec<CredentialRow>,
    pub today: String,
}

pub fn level_label(level: i64) -> &'static str {
    Level::from_number(level).map_or("未知等级", Level::label)
}

#[server(prefix = "/api", endpoint = "credentials_view")]
pub async fn credentials_view(unit_id: i64) -> Result<CredentialsData, AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let db = &state.db;
        let today = crate::actions::today();
        let unit = crate::db::units::get(db, access.unit_id(), &today)
            .await?
            .ok_or(AppError::NotFound)?;
        let user = crate::auth::session::require_user().await?;
        let can_check = crate::auth::scope::authorize_region(db, &user, access.region_id()).await.is_ok();
        let posts: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT DISTINCT p.id, p.name, m.post FROM memberships m JOIN people p ON p.id = m.person_id \
             WHERE m.unit_id = $1 AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2) ORDER BY p.name, p.id",
        )
        .bind(access.unit_id())
        .bind(&today)
        .fetch_all(db)
        .await?;
        let credentials = crate::db::credentials::for_unit(db, access.unit_id()).await?;
        let mut members: Vec<(i64, String, bool)> = Vec::new();
        for (id, name, post) in &posts {
            let operator = post == "operator";
            match members.iter_mut().find(|m| m.0 == *id) {
                Some(m) => m.2 |= operator,
                None => members.push((*id, name.clone(), operator)),
            }
        }
        members.sort_by_key(|m| !m.2);
        let operators = members
            .iter()
            .filter(|m| m.2)
            .map(|(id, name, _)| {
                let held: Vec<&CredentialRow> = credentials
                    .iter()
                    .filter(|c| c.person_id == *id)
                    .filter(|c| c.issued_on <= today && c.expires_on.as_ref().is_none_or(|e| *e >= today))
                    .collect();
                let qualifying = held.iter().any(|c| {
                    c.checked && Level::from_number(c.level).is_some_and(|l| l.qualifies(unit.control_room_linkage))
                });
                let note = if qualifying {
                    "持证上岗".to_string()
                } else if held.iter().any(|c| !c.checked) {
                    "证书待核验".to_string()
                } else if !held.is_empty() {
                    "证书等级不满足联动控制室要求（须四级及以上）".to_string()
                } else {
                    "无有效证书".to_string()
                };
                OperatorLine {
                    person_id: *id,
                    name: name.clone(),
                    qualified: qualifying,
                    note,
                }
            })
            .collect();
        Ok(CredentialsData {
            unit_name: unit.name,
            linkage: unit.control_room_linkage,
            can_check,
            members,
            operators,
            credentials,
            today,
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// Multipart fields: `unit_id`, `person_id`, `level`, `number`, `issuer`,
/// `issued_on`, `expires_on`, optional `photo`.
#[server(prefix = "/api", endpoint = "register_credential", input = MultipartFormData)]
pub async fn register_credential(data: MultipartData) -> Result<(), AppError> {
    async move {
        use crate::actions::credentials::{CredentialForm, MAX_PHOTO_BYTES};
        let mut multipart = data.into_inner().ok_or(AppError::Internal)?;
        let mut fields = std::collections::HashMap::new();
        let mut photo = None;
        let broken = || AppError::bad_request("上传失败，请重试");
        while let Some(mut field) = multipart.next_field().await.map_err(|_| broken())? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "photo" {
                // Read in chunks so an oversized upload stops at the cap.
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > MAX_PHOTO_BYTES {
                        return Err(AppError::bad_request("照片：照片不能超过 8 MB"));
                    }
                }
                photo = Some(bytes);
            } else {
                fields.insert(name, field.text().await.map_err(|_| broken())?);
            }
        }
        let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let unit_id: i64 = field("unit_id")
            .trim()
            .parse()
            .map_err(|_| AppError::bad_request("缺少单位"))?;
        let (state, access) = super::super::guard::unit(unit_id).await?;
        let person_id: i64 = field("person_id")
            .trim()
            .parse()
            .map_err(|_| AppError::bad_request("持证人：请从本单位名册中选择"))?;
        crate::actions::credentials::register(
            &state.db,
            &access,
            CredentialForm {
                person_id,
                level: field("level"),
                number: field("number"),
                issuer: field("issuer"),
                issued_on: field("issued_on"),
                expires_on: field("expires_on"),
                photo,
            },
        )
        .await?;
        crate::components::flash::set("证书已登记，等待镇（村）管理员核验后计入持证上岗率");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/credentials"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Region admins above the unit.
#[server(prefix = "/api", endpoint = "check_credential")]
pub async fn check_credential(unit_id: i64, credential_id: i64) -> Result<(), AppError> {
    async move {
        let (state, unit) = super::super::guard::unit(unit_id).await?;
        let (_, region) = super::super::guard::region(unit.region_id()).await?;
        crate::actions::credentials::check(&state.db, &region, &unit, credential_id).await?;
        crate::components::flash::set("已核验");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/credentials"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "withdraw_credential")]
pub async fn withdraw_credential(unit_id: i64, credential_id: i64) -> Result<(), AppError> {
    async move {
        let (state, access) = super::super::guard::unit(unit_id).await?;
        crate::actions::credentials::withdraw(&state.db, &access, credential_id).await?;
        crate::components::flash::set("已删除这条登记");
        leptos_axum::redirect(&format!("/admin/units/{unit_id}/credentials"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let id = use_params_map()
        .with_untracked(|p| p.get("id"))
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let error = [
        form_error::<RegisterCredential>(),
        form_error::<CheckCredential>(),
        form_error::<WithdrawCredential>(),
    ]
    .into_iter()
    .flatten()
    .next();
    let data = Resource::new_blocking(move || id, credentials_view);
    view! {
        <Title text="操作员证书" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let qualified = v.operators.iter().filter(|o| o.qualified).count();
                            view! {
                                <nav class="crumbs"><a href=format!("/admin/units/{id}")>{v.unit_name.clone()}</a></nav>
                                <h1>"消防设施操作员证书"</h1>
                                <p class="lead">{format!("消防控制室值班员 {} 人，持证上岗 {} 人。", v.operators.len(), qualified)}
                                    {v.linkage.then_some("本单位控制室有联动控制，值班员须持四级（中级）及以上证书。")}
                                </p>
                                <FormError error />
                                <section class="card">
                                    <h2>"值班员"</h2>
                                    {if v.operators.is_empty() {
                                        view! { <p class="empty">"名册中还没有“消防控制室值班员”。先在名册中为值班人员设置岗位。"</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="plain">
                                                {v.operators.iter().map(|o| view! {
                                                    <li class:ok=o.qualified class:warn=!o.qualified>{format!("{}：{}", o.name, o.note)}</li>
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>
                                <section class="card">
                                    <h2>"已登记的证书"</h2>
                                    {if v.credentials.is_empty() {
                                        view! { <p class="empty">"还没有登记证书。用下面的表格登记第一张。"</p> }.into_any()
                                    } else {
                                        view! {
                                            <div class="table-wrap"><table>
                                                <thead><tr><th>"持证人"</th><th>"等级"</th><th>"编号"</th><th>"发证"</th><th>"有效期至"</th><th>"状态"</th><th></th></tr></thead>
                                                <tbody>
                                                    {v.credentials.iter().map(|c| {
                                                        let expired = c.expires_on.as_ref().is_some_and(|e| *e < v.today);
                                                        view! {
                                                            <tr>
                                                                <td>{c.person_name.clone()}</td>
                                                                <td>{level_label(c.level)}</td>
                                                                <td>{c.number.clone()}</td>
                                                                <td>{format!("{} {}", c.issuer, c.issued_on)}</td>
                                                                <td>{c.expires_on.clone().unwrap_or_else(|| "长期".into())}</td>
                                                                <td>{if expired { "已过期" } else if c.checked { "已核验" } else { "待核验" }}
                                                                    {c.has_photo.then(|| view! { " · " <a href=format!("/admin/units/{id}/credentials/{}/photo.jpg", c.id)>"照片"</a> })}
                                                                </td>
                                                                <td class="actions">
                                                                    {(v.can_check && !c.checked).then(|| view! {
                                                                        <form method="post" action=CheckCredential::url()>
                                                                            <input type="hidden" name="unit_id" value=id />
                                                                            <input type="hidden" name="credential_id" value=c.id />
                                                                            <button type="submit" class="small">"核验通过"</button>
                                                                        </form>
                                                                    })}
                                                                    <details>
                                                                        <summary>"删除"</summary>
                                                                        <form method="post" action=WithdrawCredential::url()>
                                                                            <input type="hidden" name="unit_id" value=id />
                                                                            <input type="hidden" name="credential_id" value=c.id />
                                                                            <p>"仅用于删除登记错误的证书。确认删除？"</p>
                                                                            <button type="submit" class="danger small">"确认删除"</button>
                                                                        </form>
                                                                    </details>
                                                                </td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table></div>
                                        }.into_any()
                                    }}
                                </section>
                                <section class="card" id="register">
                                    <h2>"登记证书"</h2>
                                    <p class="hint">"按证书原件填写。照片可选（JPEG 或 PNG，不超过 8 MB），上传后会重新压缩。登记后由镇（村）管理员核验，核验后计入持证上岗率。"</p>
                                    <form method="post" action=RegisterCredential::url() enctype="multipart/form-data" class="stack">
                                        <input type="hidden" name="unit_id" value=id />
                                        <label>"持证人"
                                            <select name="person_id" required>
                                                {v.members.iter().map(|(pid, name, operator)| view! {
                                                    <option value=*pid>{if *operator { format!("{name}（值班员）") } else { name.clone() }}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <label>"等级"
                                            <select name="level" required>
                                                {Level::ALL.iter().map(|l| view! { <option value=l.number()>{l.label()}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label>"证书编号" <input name="number" required maxlength="40" autocomplete="off" /></label>
                                        <label>"发证机关" <input name="issuer" required maxlength="60" placeholder="如：山西省人力资源和社会保障厅" /></label>
                                        <label>"发证日期" <input type="date" name="issued_on" required max=v.today.clone() /></label>
                                        <label>"有效期至（没有可不填）" <input type="date" name="expires_on" /></label>
                                        <label>"证书照片（可选）" <input type="file" name="photo" accept="image/jpeg,image/png" /></label>
                                        <button type="submit">"登记"</button>
                                    </form>
                                </section>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
