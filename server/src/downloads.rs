//! File downloads that are not pages (the roster as Excel), and the
//! sign-in and error handling they share.

use app::auth::scope;
use app::db;
use app::error::AppError;
use app::roster::{ExportRow, write_roster_xlsx};
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `GET /admin/units/{id}/roster.xlsx`, for the unit's admins and the
/// region admins above it.
pub async fn roster_xlsx(
    State(state): State<AppState>,
    Path(unit_id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    match roster_xlsx_bytes(&state, unit_id, &headers).await {
        Ok((name, bytes)) => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "roster.xlsx",
            &format!("{name}名册.xlsx"),
            bytes,
        ),
        Err(err) => error_response(err, &format!("/admin/units/{unit_id}")),
    }
}

/// A download with a Chinese file name (RFC 6266 `filename*`) and an ASCII
/// fallback for old clients.
pub fn attachment(
    content_type: &'static str,
    ascii_name: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let disposition = format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        app::components::errors::encode(name)
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Signed-out callers go to the login page and come back to `back`; other
/// errors answer with their status and the Chinese message.
pub fn error_response(err: AppError, back: &str) -> Response {
    match err {
        AppError::Unauthenticated => (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/login?next={}", app::components::errors::encode(back)),
            )],
        )
            .into_response(),
        err => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.to_string()).into_response()
        }
    }
}

/// The signed-in caller of a plain (non-Leptos) route.
pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<app::auth::CurrentUser, AppError> {
    let token = app::auth::session::token_from_headers(headers).ok_or(AppError::Unauthenticated)?;
    let user = db::sessions::user_by_token_hash(
        &state.db,
        &app::auth::session::token_hash(&token),
        app::auth::session::now(),
    )
    .await?
    .ok_or(AppError::Unauthenticated)?;
    if user.must_change_password {
        return Err(AppError::MustChangePassword);
    }
    Ok(user)
}

async fn roster_xlsx_bytes(
    state: &AppState,
    unit_id: i64,
    headers: &HeaderMap,
) -> Result<(String, Vec<u8>), AppError> {
    let user = signed_in(state, headers).await?;
    let access = scope::authorize_unit(&state.db, &user, unit_id).await?;
    let today = app::actions::today();
    let unit = db::units::get(&state.db, access.unit_id(), &today)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = db::memberships::all_for_unit(&state.db, access.unit_id())
        .await?
        .into_iter()
        .filter_map(|(name, phone, post, start_date, end_date)| {
            let phone = if access.full_phones() {
                phone
            } else {
                app::domain::Phone::parse(&phone)
                    .map(|p| p.masked())
                    .unwrap_or(phone)
            };
            Some(ExportRow {
                name,
                phone,
                post: app::domain::Post::parse(&post).ok()?,
                start_date,
                end_date,
            })
        })
        .collect::<Vec<_>>();
    let bytes = write_roster_xlsx(&unit.name, &rows).map_err(AppError::internal)?;
    Ok((unit.name, bytes))
}

/// `GET /admin/units/{unit}/credentials/{id}/photo.jpg`, for the unit's
/// admins and the region admins above it.
pub async fn credential_photo(
    State(state): State<AppState>,
    Path((unit_id, credential_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Response {
    let photo = async {
        let user = signed_in(&state, &headers).await?;
        let access = scope::authorize_unit(&state.db, &user, unit_id).await?;
        let credential =
            app::actions::credentials::in_unit(&state.db, &access, credential_id).await?;
        db::credentials::photo(&state.db, credential.id)
            .await?
            .ok_or(AppError::NotFound)
    };
    match photo.await {
        Ok((_, bytes)) => {
            let mut response = (StatusCode::OK, bytes).into_response();
            let h = response.headers_mut();
            // Always re-encoded as JPEG on upload, whatever was declared.
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(err) => error_response(err, &format!("/admin/units/{unit_id}/credentials")),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct Period {
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
}

/// `GET /admin/regions/{id}/report.{xlsx|csv}?month=2026-10` (or
/// `?year=2026`), for the region's admins and those above.
pub async fn region_report(
    State(state): State<AppState>,
    Path((region_id, file)): Path<(i64, String)>,
    axum::extract::Query(period): axum::extract::Query<Period>,
    headers: HeaderMap,
) -> Response {
    use app::routes::admin::coverage::{report_title, server::report};
    let back = format!("/admin/regions/{region_id}/coverage");
    let built = async {
        let user = signed_in(&state, &headers).await?;
        let access = scope::authorize_region(&state.db, &user, region_id).await?;
        let r = report(&state.db, &access, &period.month, &period.year).await?;
        let title = report_title(&r.scope_name, &period.month, &period.year);
        Ok::<_, AppError>((r, title))
    };
    let (r, title) = match built.await {
        Ok(built) => built,
        Err(err) => return error_response(err, &back),
    };
    match file.as_str() {
        "report.csv" => attachment(
            "text/csv; charset=utf-8",
            "report.csv",
            &format!("{title}.csv"),
            crate::reports::csv(&r, &title),
        ),
        "report.xlsx" => match crate::reports::xlsx(&r, &title) {
            Ok(bytes) => attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "report.xlsx",
                &format!("{title}.xlsx"),
                bytes,
            ),
            Err(err) => error_response(AppError::internal(err), &back),
        },
        _ => error_response(AppError::NotFound, &back),
    }
}
