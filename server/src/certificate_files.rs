//! A certificate as files: the SVG the print page shows, the PNG people save
//! in WeChat, and the Open Badges 2.0 hosted assertion, badge class and
//! issuer profile (JSON at stable URLs, for other systems to verify).

use crate::downloads::{error_response, signed_in};
use crate::graphics::{self, CertificateCard};
use app::certificates::{self as certs, Status};
use app::db::{self, certificates::Certificate};
use app::error::AppError;
use app::routes::certificates::chinese_date;
use app::state::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;

/// The certificate, if the signed-in caller may see it in full.
async fn viewable(
    state: &AppState,
    headers: &HeaderMap,
    serial: &str,
) -> Result<Certificate, AppError> {
    let user = signed_in(state, headers).await?;
    let c = db::certificates::by_serial(&state.db, serial)
        .await?
        .ok_or(AppError::Forbidden)?;
    if certs::may_view(&state.db, &user, &c).await? {
        Ok(c)
    } else {
        Err(AppError::Forbidden)
    }
}

fn card_svg(state: &AppState, c: &Certificate) -> Result<String, graphics::GraphicsError> {
    let status = certs::status(c, &app::actions::today());
    let issued = chinese_date(&c.issued_on);
    let until = c.valid_until.as_deref().map(chinese_date);
    let verify_url = format!("{}/v/{}", state.site.base_url, c.verify_code);
    graphics::certificate_svg(&CertificateCard {
        holder: &c.holder,
        course: &c.course_title,
        serial: &c.serial,
        issued: &issued,
        valid_until: until.as_deref(),
        issuer: &state.site.issuer_name,
        verify_url: &verify_url,
        status: (status != Status::Valid).then(|| status.label()),
    })
}

fn private_file(content_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Holds a full name: never in a shared cache.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `GET /certificates/{serial}/certificate.svg`
pub async fn svg(
    State(state): State<AppState>,
    Path(serial): Path<String>,
    headers: HeaderMap,
) -> Response {
    let svg = viewable(&state, &headers, &serial)
        .await
        .and_then(|c| card_svg(&state, &c).map_err(AppError::internal));
    match svg {
        Ok(svg) => private_file("image/svg+xml; charset=utf-8", svg.into_bytes()),
        Err(err) => error_response(err, &format!("/certificates/{serial}")),
    }
}

/// `GET /certificates/{serial}/certificate.png`: rendered on a blocking
/// thread (≈ 0.1 s of CPU in release) so requests keep flowing.
pub async fn png(
    State(state): State<AppState>,
    Path(serial): Path<String>,
    headers: HeaderMap,
) -> Response {
    let c = match viewable(&state, &headers, &serial).await {
        Ok(c) => c,
        Err(err) => return error_response(err, &format!("/certificates/{serial}")),
    };
    let svg = match card_svg(&state, &c) {
        Ok(svg) => svg,
        Err(err) => return error_response(AppError::internal(err), "/certificates"),
    };
    let rendered = tokio::task::spawn_blocking(move || {
        graphics::Fonts::shared().and_then(|fonts| fonts.svg_to_png(&svg, 1080))
    })
    .await;
    match rendered {
        Ok(Ok(bytes)) => private_file("image/png", bytes),
        Ok(Err(err)) => error_response(AppError::internal(err), "/certificates"),
        Err(err) => error_response(AppError::internal(err), "/certificates"),
    }
}

fn json_response(value: serde_json::Value) -> Response {
    let mut response = (StatusCode::OK, value.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json; charset=utf-8"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "未找到").into_response()
}

/// `GET /v/{code}/assertion.json`: the hosted assertion. The recipient is
/// the holder's phone, salted and hashed, so the JSON names nobody.
pub async fn assertion(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    match assertion_json(&state, &peer.ip().to_string(), &code).await {
        Ok(value) => json_response(value),
        Err(AppError::NotFound) => not_found(),
        Err(err) => error_response(err, "/"),
    }
}

async fn assertion_json(
    state: &AppState,
    address: &str,
    code: &str,
) -> Result<serde_json::Value, AppError> {
    let c = certs::lookup(&state.db, address, code).await?;
    let phone: String = sqlx::query_scalar("SELECT phone FROM people WHERE id = $1")
        .bind(c.person_id)
        .fetch_one(&state.db)
        .await?;
    let base = &state.site.base_url;
    Ok(assertion_value(base, &c, &phone, &app::actions::today()))
}

/// The assertion as Open Badges 2.0 describes it (hosted verification).
pub fn assertion_value(base: &str, c: &Certificate, phone: &str, today: &str) -> serde_json::Value {
    use sha2::{Digest, Sha256};
    let salt = &c.verify_code[..8];
    let identity = format!(
        "sha256${}",
        app::auth::session::hex(&Sha256::digest(format!("tel:+86{phone}{salt}").as_bytes()))
    );
    let mut value = json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": format!("{base}/v/{}/assertion.json", c.verify_code),
        "recipient": { "type": "telephone", "hashed": true, "salt": salt, "identity": identity },
        "badge": format!("{base}/badges/{}.json", c.course_slug),
        "verification": { "type": "hosted" },
        "issuedOn": format!("{}T00:00:00+08:00", c.issued_on),
        "evidence": format!("{base}/v/{}", c.verify_code),
    });
    if let Some(until) = &c.valid_until {
        value["expires"] = json!(format!("{until}T23:59:59+08:00"));
    }
    match certs::status(c, today) {
        Status::Revoked => {
            value["revoked"] = json!(true);
            value["revocationReason"] = json!(c.revoked_reason.clone().unwrap_or_default());
        }
        Status::Superseded => {
            value["revoked"] = json!(true);
            value["revocationReason"] = json!("已被新证书替代");
        }
        Status::Valid | Status::Expired => {}
    }
    value
}

/// `GET /badges/{course}.json`: what passing the course means.
pub async fn badge_class(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".json") else {
        return not_found();
    };
    let library = state.site.library();
    let Some(course) = library.course(slug).filter(|c| c.exam.is_some()) else {
        return not_found();
    };
    let base = &state.site.base_url;
    json_response(json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": format!("{base}/badges/{slug}.json"),
        "name": format!("培训合格证明：{}", course.title),
        "description": course.summary,
        "image": format!("{base}/favicon.svg"),
        "criteria": {
            "id": format!("{base}/courses/{slug}"),
            "narrative": "学完课程并在消防学堂参加考试，成绩达到及格分。",
        },
        "issuer": format!("{base}/badges/issuer.json"),
    }))
}

/// `GET /badges/issuer.json`
pub async fn issuer(State(state): State<AppState>) -> Response {
    let base = &state.site.base_url;
    json_response(json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": format!("{base}/badges/issuer.json"),
        "name": state.site.issuer_name,
        "url": format!("{base}/"),
    }))
}
