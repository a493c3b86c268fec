//! One-shot messages across a form's redirect ("已批准", a one-time code),
//! in a short-lived HttpOnly cookie rather than the URL, so they stay out
//! of history and logs.

use leptos::prelude::*;

pub const COOKIE_NAME: &str = "xt_flash";

/// Shows and clears the pending message, if any.
#[component]
pub fn Flash() -> impl IntoView {
    let message = take();
    message.map(|m| view! { <p class="flash" role="status">{m}</p> })
}

#[cfg(feature = "ssr")]
pub fn set(message: &str) {
    use base64::Engine;
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(message.as_bytes());
    write_cookie(&format!("{COOKIE_NAME}={value}; Max-Age=120"));
}

#[cfg(feature = "ssr")]
fn take() -> Option<String> {
    use base64::Engine;
    let parts = use_context::<http::request::Parts>()?;
    let raw = crate::auth::session::cookie(&parts.headers, COOKIE_NAME)?;
    write_cookie(&format!("{COOKIE_NAME}=; Max-Age=0"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    String::from_utf8(bytes).ok().filter(|m| !m.is_empty())
}

#[cfg(not(feature = "ssr"))]
fn take() -> Option<String> {
    None
}

#[cfg(feature = "ssr")]
fn write_cookie(name_value_age: &str) {
    let cookie = format!("{name_value_age}; Path=/; HttpOnly; SameSite=Lax");
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
