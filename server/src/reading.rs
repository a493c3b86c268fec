//! Plain HTTP routes for reading: lesson images served from the loaded
//! content, and the large-text preference.

use app::components::reading::TEXT_COOKIE;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// `GET /media/{course}/{file}`: only files loaded from `content/`, so no
/// path ever reaches the file system.
pub async fn media(
    State(state): State<AppState>,
    Path((course, file)): Path<(String, String)>,
) -> Response {
    let library = state.site.library();
    match library.assets.get(&format!("{course}/{file}")) {
        Some(asset) => {
            let mut response = (StatusCode::OK, asset.bytes.clone()).into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            // An SVG opened on its own must not run script.
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            response
        }
        None => (StatusCode::NOT_FOUND, "未找到").into_response(),
    }
}

#[derive(Deserialize)]
pub struct TextSize {
    size: String,
    back: Option<String>,
}

/// `GET /text-size?size=large|normal&back=/path`: remembers the choice for a
/// year and returns to the page (works without JavaScript).
pub async fn text_size(Query(q): Query<TextSize>) -> Response {
    let cookie = match q.size.as_str() {
        "large" => format!("{TEXT_COOKIE}=large; Path=/; Max-Age=31536000; SameSite=Lax"),
        _ => format!("{TEXT_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
    };
    let back = app::routes::guard::local_path(q.back, "/");
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
