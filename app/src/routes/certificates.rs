//! Certificates: `/certificates` (mine), `/certificates/<serial>` (the
//! printable paper, for its holder and the admins over them) and the public
//! `/v/<code>` verify page a certificate's QR code opens.

use crate::certificates::Status;
use crate::components::errors::{ErrorView, FormError, form_error};
use crate::components::flash::Flash;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateLine {
    pub serial: String,
    pub course_title: String,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateData {
    pub serial: String,
    pub holder: String,
    pub course_title: String,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub status: Status,
    pub revoked_reason: Option<String>,
    pub verify_url: String,
    pub can_revoke: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyData {
    pub holder: String,
    pub course_title: String,
    pub serial: String,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub status: Status,
    pub revoked_reason: Option<String>,
    pub assertion_url: String,
}

/// "2026-11-28" → "2026年11月28日".
pub fn chinese_date(date: &str) -> String {
    let mut parts = date.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => date.to_string(),
    }
}

fn until_text(until: &Option<String>) -> String {
    until
        .as_deref()
        .map_or("长期有效".to_string(), chinese_date)
}

/// Signed-in learners, about their own certificates.
#[server(prefix = "/api", endpoint = "my_certificates")]
pub async fn my_certificates() -> Result<Vec<CertificateLine>, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let today = crate::actions::today();
        let certificates = crate::db::certificates::for_person(&state.db, user.person_id).await?;
        Ok(certificates
            .iter()
            .map(|c| CertificateLine {
                serial: c.serial.clone(),
                course_title: c.course_title.clone(),
                issued_on: c.issued_on.clone(),
                valid_until: c.valid_until.clone(),
                status: crate::certificates::status(c, &today),
            })
            .collect())
    }
    .await
    .map_err(AppError::with_status)
}

/// The holder, or an admin of a unit the holder is or was in.
#[server(prefix = "/api", endpoint = "certificate_view")]
pub async fn certificate_view(serial: String) -> Result<CertificateData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        let c = crate::db::certificates::by_serial(&state.db, &serial)
            .await?
            .ok_or(AppError::Forbidden)?;
        let can_revoke = crate::certificates::may_revoke(&state.db, &user, &c).await?;
        if c.person_id != user.person_id && !can_revoke {
            return Err(AppError::Forbidden);
        }
        let today = crate::actions::today();
        Ok(CertificateData {
            serial: c.serial.clone(),
            holder: c.holder.clone(),
            course_title: c.course_title.clone(),
            issued_on: c.issued_on.clone(),
            valid_until: c.valid_until.clone(),
            status: crate::certificates::status(&c, &today),
            revoked_reason: c.revoked_reason.clone(),
            verify_url: format!("{}/v/{}", state.site.base_url, c.verify_code),
            can_revoke: can_revoke && c.revoked_at.is_none(),
        })
    }
    .await
    .map_err(AppError::with_status)
}

/// Admins over the holder; the reason is shown on the verify page.
#[server(prefix = "/api", endpoint = "revoke_certificate")]
pub async fn revoke_certificate(serial: String, reason: String) -> Result<(), AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let user = crate::auth::session::require_user().await?;
        crate::certificates::revoke(&state.db, &user, &serial, &reason, crate::actions::now())
            .await?;
        crate::components::flash::set("证书已撤销，核验页将显示撤销原因");
        leptos_axum::redirect(&format!("/certificates/{serial}"));
        Ok(())
    }
    .await
    .map_err(AppError::with_status)
}

/// Public. Unknown codes count against the caller's address, so the code
/// space cannot be walked.
#[server(prefix = "/api", endpoint = "verify_certificate")]
pub async fn verify_certificate(code: String) -> Result<VerifyData, AppError> {
    async move {
        let state = crate::state::AppState::current()?;
        let address = super::guard::client_address().await;
        let c = crate::certificates::lookup(&state.db, &address, &code).await?;
        let today = crate::actions::today();
        Ok(VerifyData {
            holder: crate::certificates::mask_name(&c.holder),
            course_title: c.course_title.clone(),
            serial: c.serial.clone(),
            issued_on: c.issued_on.clone(),
            valid_until: c.valid_until.clone(),
            status: crate::certificates::status(&c, &today),
            revoked_reason: c.revoked_reason.clone(),
            assertion_url: format!("{}/v/{}/assertion.json", state.site.base_url, c.verify_code),
        })
    }
    .await
    .map_err(AppError::with_status)
}

#[component]
pub fn MyCertificatesPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| my_certificates());
    view! {
        <Title text="我的证书" />
        <h1>"我的证书"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(items) if items.is_empty() => view! {
                        <section class="card empty">
                            <p>"还没有证书。学完课程、参加考试，成绩合格即自动发放《培训合格证明》。"</p>
                            <p><a class="button" href="/courses">"去学习"</a></p>
                        </section>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="cards">
                            {items.into_iter().map(|c| view! {
                                <li class="card">
                                    <h2><a href=format!("/certificates/{}", c.serial)>{c.course_title.clone()}</a></h2>
                                    <p>
                                        <span class=c.status.class()>{c.status.label()}</span>
                                        {format!(" 证书编号 {} · 发证 {} · 有效期至 {}", c.serial, chinese_date(&c.issued_on), until_text(&c.valid_until))}
                                    </p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CertificatePage() -> impl IntoView {
    let serial = use_params_map()
        .with_untracked(|p| p.get("serial"))
        .unwrap_or_default();
    let error = form_error::<RevokeCertificate>();
    let data = Resource::new_blocking(move || serial.clone(), certificate_view);
    view! {
        <Title text="培训合格证明" />
        <Flash />
        <Suspense fallback=|| ()>
            {move || {
                let error = error.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(c) => {
                            let image = format!("/certificates/{}/certificate", c.serial);
                            view! {
                                <div class="no-print">
                                    <h1>{format!("培训合格证明 · {}", c.course_title)}</h1>
                                    <p>
                                        <span class=c.status.class()>{c.status.label()}</span>
                                        {c.revoked_reason.clone().map(|r| format!(" 撤销原因：{r}"))}
                                    </p>
                                    <p class="hint">"打印：用浏览器菜单中的“打印”，纸张选 A4。保存到手机：打开图片后长按保存。"</p>
                                    <p class="actions">
                                        <a class="button" href=format!("{image}.png")>"打开图片（可长按保存）"</a>
                                        <a class="button secondary" href=c.verify_url.clone()>"查看核验页"</a>
                                    </p>
                                    <FormError error />
                                </div>
                                <figure class="certificate-paper">
                                    <img
                                        src=format!("{image}.svg")
                                        width="1080"
                                        height="1527"
                                        alt=format!("培训合格证明：{} 完成「{}」，证书编号 {}，发证日期 {}，有效期至 {}", c.holder, c.course_title, c.serial, chinese_date(&c.issued_on), until_text(&c.valid_until))
                                    />
                                </figure>
                                {c.can_revoke.then(|| view! {
                                    <section class="card danger no-print">
                                        <h2>"撤销证书"</h2>
                                        <p>"撤销后核验页显示“已撤销”和原因，且不能恢复。"</p>
                                        <form method="post" action=RevokeCertificate::url()>
                                            <input type="hidden" name="serial" value=c.serial.clone() />
                                            <label>"撤销原因" <input name="reason" required maxlength="200" /></label>
                                            <label class="check"><input type="checkbox" required />"我确认撤销这份证书"</label>
                                            <button type="submit" class="danger">"撤销"</button>
                                        </form>
                                    </section>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let code = use_params_map()
        .with_untracked(|p| p.get("code"))
        .unwrap_or_default();
    let data = Resource::new_blocking(move || code.clone(), verify_certificate);
    view! {
        <Title text="证书核验" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! {
                        <section class="card verify">
                            <h1>"培训合格证明核验"</h1>
                            <p class="verify-status"><span class=v.status.class()>{v.status.label()}</span></p>
                            {v.revoked_reason.clone().map(|r| view! { <p>{format!("撤销原因：{r}")}</p> })}
                            <dl class="facts">
                                <dt>"持证人"</dt><dd>{v.holder.clone()}</dd>
                                <dt>"课程"</dt><dd>{v.course_title.clone()}</dd>
                                <dt>"证书编号"</dt><dd>{v.serial.clone()}</dd>
                                <dt>"发证日期"</dt><dd>{chinese_date(&v.issued_on)}</dd>
                                <dt>"有效期至"</dt><dd>{until_text(&v.valid_until)}</dd>
                            </dl>
                            <p class="hint">"为保护个人信息，姓名只显示首尾字。请与纸质或图片证书上的姓名、编号核对。"</p>
                            <p class="hint"><a href=v.assertion_url.clone()>"开放徽章（Open Badges 2.0）数据"</a></p>
                        </section>
                    }.into_any(),
                    Err(AppError::NotFound) => {
                        #[cfg(feature = "ssr")]
                        if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
                            r.set_status(http::StatusCode::NOT_FOUND);
                        }
                        view! {
                            <section class="card error" role="alert">
                                <h1>"未找到这份证书"</h1>
                                <p>"核验码不存在。请确认扫描的是证书上的二维码，或核对网址是否完整。"</p>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::chinese_date;

    #[test]
    fn dates_read_the_chinese_way() {
        assert_eq!(chinese_date("2026-01-05"), "2026年1月5日");
        assert_eq!(chinese_date("2026-11-28"), "2026年11月28日");
    }
}
