//! Presentational pieces shared by pages; no data access.

pub mod errors;
pub mod flash;
pub mod layout;
pub mod pager;
pub mod reading;

use leptos::prelude::*;

/// Loads the islands' WebAssembly. Only pages that contain an island render
/// this, so every other page is plain HTML and CSS.
#[component]
pub fn IslandScripts() -> impl IntoView {
    let options = expect_context::<LeptosOptions>();
    view! { <HydrationScripts options islands=true /> }
}
