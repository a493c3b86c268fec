//! Serving Leptos pages, server functions and static files.
//!
//! Pages are rendered in order as complete HTML documents, after every
//! resource has resolved: they read fine with JavaScript off. The hydration
//! data that Leptos appends as inline scripts is left out, because islands
//! carry their props in attributes and no page hydrates resources; so a page
//! without an island contains no script at all.

use app::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt, stream};
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use tower::ServiceExt;
use tower_http::services::ServeDir;

type HtmlStream = Pin<Box<dyn Stream<Item = String> + Send>>;

/// Renders the page for this request.
pub async fn page(State(state): State<AppState>, req: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    leptos_axum::handle_response_inner(
        move || provide_context(state.clone()),
        move || app::shell(options),
        req,
        complete_document,
    )
    .await
}

fn complete_document<IV: IntoView + 'static>(
    app: IV,
    hydration_data: Box<dyn FnOnce() -> HtmlStream + Send>,
    _supports_out_of_order: bool,
) -> Pin<Box<dyn Future<Output = HtmlStream> + Send>> {
    Box::pin(async move {
        let html = app.to_html_stream_in_order().collect::<String>().await;
        // Not sent, but drained: left in the request's shared context, the
        // resources' pending data keeps that context (and the page's data)
        // alive after the request through a reference cycle — a leak of
        // about 10 KB per page view.
        hydration_data().for_each(|_| async {}).await;
        Box::pin(stream::once(async move { html })) as HtmlStream
    })
}

/// Server functions that take a file. server_fn panics when one of them
/// gets any other body than a multipart form, so that is refused here.
const MULTIPART_ENDPOINTS: [&str; 2] = ["/api/upload_roster", "/api/register_credential"];

/// Runs the server function the request names, with the app state in context.
pub async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart && MULTIPART_ENDPOINTS.contains(&req.uri().path()) {
        return (StatusCode::BAD_REQUEST, "请通过页面上的表单上传文件").into_response();
    }
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req)
        .await
        .into_response()
}

/// A file from the site root (CSS, WebAssembly, icons) if one matches the
/// path, otherwise the app's 404 page.
pub async fn static_or_not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    let mut file_req = Request::builder().method(req.method()).uri(req.uri());
    for (name, value) in req.headers() {
        file_req = file_req.header(name, value);
    }
    let file_req = file_req
        .body(Body::empty())
        .expect("a copy of a valid request is valid");
    let root = state.leptos_options.site_root.to_string();
    match ServeDir::new(root).oneshot(file_req).await {
        Ok(res) if res.status() == StatusCode::OK || res.status() == StatusCode::NOT_MODIFIED => {
            res.into_response()
        }
        _ => {
            let mut res = page(State(state), req).await;
            *res.status_mut() = StatusCode::NOT_FOUND;
            res
        }
    }
}
