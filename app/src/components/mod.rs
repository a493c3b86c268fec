//! Presentational pieces shared by pages; no data access.

pub mod errors;
pub mod flash;
pub mod layout;
pub mod pager;
pub mod reading;

use leptos::prelude::*;

/// Loads the islands' WebAssembly. Only pages that contain an island render
/// this, so every other page is plain HTML and CSS. Its one inline script
/// (Leptos's island loader) is admitted by the Content-Security-Policy
/// through its hash, `island_scripts_csp_sources`.
#[component]
pub fn IslandScripts() -> impl IntoView {
    let options = expect_context::<LeptosOptions>();
    view! { <HydrationScripts options islands=true /> }
}

/// The CSP hash sources (`'sha256-…'`) of the inline scripts `IslandScripts`
/// renders with these options: rendered here exactly as on a page, so the
/// policy follows whatever the Leptos version in use emits.
#[cfg(feature = "ssr")]
pub fn island_scripts_csp_sources(options: &LeptosOptions) -> Vec<String> {
    let html = Owner::new().with(|| {
        provide_context(options.clone());
        view! { <IslandScripts /> }.to_html()
    });
    inline_scripts(&html)
        .into_iter()
        .map(csp_hash_source)
        .collect()
}

/// The text of every `<script>` element without a `src` in `html`.
#[cfg(feature = "ssr")]
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let Some(close) = after.find("</script>") else {
            break;
        };
        if !after[..open_end].contains(" src=") {
            scripts.push(&after[open_end + 1..close]);
        }
        rest = &after[close + "</script>".len()..];
    }
    scripts
}

/// `'sha256-<base64>'`: the CSP source that admits exactly this script text.
#[cfg(feature = "ssr")]
pub fn csp_hash_source(script: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_and_skips_loaded_ones() {
        let html = r#"<p>x</p><script type="module">run(1);</script><script src="/a.js"></script><script>two()</script>"#;
        assert_eq!(inline_scripts(html), ["run(1);", "two()"]);
    }

    #[test]
    fn hashes_as_browsers_do() {
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash_source("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }

    #[test]
    fn the_island_loader_is_one_inline_script() {
        let options = LeptosOptions::builder().output_name("xuetang").build();
        assert_eq!(island_scripts_csp_sources(&options).len(), 1);
    }
}
