//! How a page shows a failed load: sign-in redirects, 403, 404, or the
//! error's message; with the matching HTTP status.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    // Pages answer 302 for the sign-in redirects (Leptos itself only does
    // so for requests that accept HTML) and the error's own status otherwise.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let status = match error {
            AppError::Unauthenticated | AppError::MustChangePassword => http::StatusCode::FOUND,
            ref other => http::StatusCode::from_u16(other.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        };
        response.set_status(status);
    }
    match error {
        AppError::Unauthenticated => {
            let location = use_location();
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let next = if here.is_empty() || here == "/" {
                String::new()
            } else {
                format!("?next={}", encode(&here))
            };
            view! { <Redirect path=format!("/login{next}") /> }.into_any()
        }
        AppError::MustChangePassword => view! { <Redirect path="/account/password" /> }.into_any(),
        AppError::Forbidden => view! {
            <section class="card error" role="alert">
                <h1>"无权访问"</h1>
                <p>"您没有查看此页面的权限。如需访问，请联系上级管理员。"</p>
                <p><a class="button" href="/admin">"返回管理首页"</a></p>
            </section>
        }
        .into_any(),
        AppError::NotFound => view! {
            <section class="card" role="alert">
                <h1>"页面不存在"</h1>
                <p>"您要找的内容不存在或已被删除。"</p>
                <p><a class="button" href="/">"返回首页"</a></p>
            </section>
        }
        .into_any(),
        other => view! { <p class="card error" role="alert">{other.to_string()}</p> }.into_any(),
    }
}

/// The message of a failed form submission (Leptos puts it in the URL when
/// the form was posted without JavaScript).
#[component]
pub fn FormError(error: Option<AppError>) -> impl IntoView {
    error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
}

/// Percent-encodes a path and query for use as a query parameter value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The error of the last post of a form to server function `S`, when the
/// form was sent without JavaScript (Leptos redirects back with the error
/// in the URL).
pub fn form_error<S: leptos::server_fn::ServerFn>() -> Option<AppError> {
    let error = use_context::<leptos::server::ServerActionError>()?;
    (error.path() == S::PATH)
        .then(|| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(error.err()))
}
