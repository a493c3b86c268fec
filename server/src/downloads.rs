//! File downloads that are not pages: the roster as Excel.

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
        Ok((name, bytes)) => {
            let filename = format!("{name}名册.xlsx");
            let disposition = format!(
                "attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{}",
                app::components::errors::encode(&filename)
            );
            let mut response = (StatusCode::OK, bytes).into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, value);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(AppError::Unauthenticated) => {
            let next = format!("/admin/units/{unit_id}");
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, format!("/login?next={next}"))],
            )
                .into_response()
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.to_string()).into_response()
        }
    }
}

async fn roster_xlsx_bytes(
    state: &AppState,
    unit_id: i64,
    headers: &HeaderMap,
) -> Result<(String, Vec<u8>), AppError> {
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
