//! Elder-friendly reading (适老化): the large-text switch, a link that sets
//! a cookie and comes back, so it works with JavaScript off.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

pub const TEXT_COOKIE: &str = "xt_text";

/// Whether the reader chose large text (read from the request's cookie).
pub fn large_text() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| {
            crate::auth::session::cookie(&parts.headers, TEXT_COOKIE).as_deref() == Some("large")
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

#[component]
pub fn TextSizeToggle() -> impl IntoView {
    let location = use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    let back = super::errors::encode(&here);
    let (size, label) = if large_text() {
        ("normal", "标准字号")
    } else {
        ("large", "大字")
    };
    view! {
        <a class="button secondary text-size" href=format!("/text-size?size={size}&back={back}") rel="nofollow">{label}</a>
    }
}
