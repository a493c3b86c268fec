//! The QR landing pages are kept compressed in memory for visitors without
//! a session (server/src/landing.rs): what each visitor gets must still be
//! their own page, and the newest courseware.

use crate::helpers::{PASSWORD, TestApp, copy_dir, get_encoded, spawn_app, spawn_app_with};
use std::time::Duration;

const TIP: &str = "/t/escape-and-119";

async fn anonymous(
    app: &TestApp,
    accept: &str,
    headers: &[(&str, &str)],
) -> crate::helpers::Encoded {
    // A fresh client: no cookie jar carried over from another request.
    let client = reqwest::Client::new();
    get_encoded(&client, &format!("{}{TIP}", app.base), accept, headers).await
}

#[tokio::test]
async fn every_encoding_of_a_tip_page_reads_as_the_rendered_page() {
    let app = spawn_app().await;
    let rendered = app.get(TIP).await;
    assert_eq!(rendered.status, 200);
    for (accept, expected) in [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br", "br"),
        ("gzip", "gzip"),
    ] {
        let page = anonymous(&app, accept, &[]).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.encoding, expected, "{accept}");
        assert_eq!(page.body, rendered.body, "{accept}");
    }
}

#[tokio::test]
async fn a_kept_page_carries_the_same_headers_as_a_rendered_one_but_no_request_id() {
    let app = spawn_app().await;
    let rendered = app.get(TIP).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let kept = client
            .get(format!("{}{TIP}", app.base))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(kept.headers()["content-encoding"], "br");
        for name in [
            "content-security-policy",
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
            "content-type",
        ] {
            assert_eq!(
                kept.headers().get(name),
                rendered.headers.get(name),
                "{name}"
            );
            assert!(kept.headers().contains_key(name), "{name}");
        }
        ids.extend(kept.headers().get("x-request-id").cloned());
    }
    // The first visitor's request id is not handed to the next ones.
    assert!(ids.len() <= 1, "{ids:?}");
}

#[tokio::test]
async fn a_signed_in_visitor_gets_their_own_header_after_anonymous_visits() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for _ in 0..2 {
        let page = anonymous(&app, "gzip, br", &[]).await;
        assert!(page.body.contains(r#"href="/login""#), "{}", page.body);
    }
    let admin = app.session();
    assert_eq!(
        admin
            .login(crate::helpers::TOWN_ADMIN, PASSWORD)
            .await
            .status,
        200
    );
    let page = get_encoded(
        &admin.client,
        &format!("{}{TIP}", app.base),
        "gzip, br",
        &[],
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"href="/account""#), "{}", page.body);
    assert!(!page.body.contains(r#"href="/login""#));
}

#[tokio::test]
async fn the_large_text_choice_is_kept_apart_from_normal_text() {
    let app = spawn_app().await;
    for _ in 0..2 {
        let normal = anonymous(&app, "gzip", &[]).await;
        assert!(!normal.body.contains(r#"class="large-text""#));
        let large = anonymous(&app, "gzip", &[("cookie", "xt_text=large")]).await;
        assert!(
            large.body.contains(r#"class="large-text""#),
            "{}",
            large.body
        );
    }
}

#[tokio::test]
async fn an_edited_tip_replaces_the_kept_page() {
    let content = std::env::temp_dir().join(format!("xuetang_landing_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&content);
    copy_dir(&crate::helpers::workspace().join("content"), &content);
    let dir = content.clone();
    let app = spawn_app_with(move |c| {
        c.content_dir = dir;
        c.watch_content = true;
    })
    .await;
    let before = anonymous(&app, "br", &[]).await;
    assert!(before.body.contains("看见着火，先大声喊人"));

    let tip = content.join("escape-and-119/tip.md");
    let text = std::fs::read_to_string(&tip).unwrap();
    std::fs::write(
        &tip,
        text.replace("看见着火，先大声喊人", "看见着火，立刻大声喊人"),
    )
    .unwrap();
    // The content watcher polls every two seconds.
    let mut seen = String::new();
    for _ in 0..50 {
        seen = anonymous(&app, "br", &[]).await.body;
        if seen.contains("立刻大声喊人") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        seen.contains("立刻大声喊人"),
        "the kept page was served after the edit"
    );
    assert!(!seen.contains("先大声喊人"));
    std::fs::remove_dir_all(&content).unwrap();
}
