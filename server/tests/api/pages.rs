use crate::helpers::spawn_app;

#[tokio::test]
async fn home_page_is_chinese_html_with_no_script_and_no_wasm() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains(r#"<html lang="zh-CN""#), "{}", page.body);
    assert!(page.body.contains("消防学堂"));
    assert!(page.body.contains("119"));
    assert!(
        !page.body.contains(".wasm"),
        "home page references WebAssembly"
    );
    assert!(!page.body.contains("<script"), "home page carries a script");
}

#[tokio::test]
async fn home_page_shows_an_empty_state_before_seeding_and_the_town_after() {
    let app = spawn_app().await;
    let before = app.get("/").await;
    assert!(before.body.contains("还没有辖区数据"), "{}", before.body);

    let added = app.seed_demo().await;
    let after = app.get("/").await;
    assert!(after.body.contains("嘉峰镇概况"), "{}", after.body);
    assert!(after.body.contains("示例数据"));
    assert!(after.body.contains("窦庄村"));
    assert!(
        after
            .body
            .contains(&format!("<strong>{}</strong>", added.units)),
        "unit total shown"
    );
}

#[tokio::test]
async fn unknown_paths_get_a_chinese_404_page() {
    let app = spawn_app().await;
    for path in ["/no-such-page", "/about/extra", "/pkg/missing.js"] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.body.contains("页面不存在"), "{path}: {}", page.body);
        assert!(page.body.contains(r#"href="/""#), "{path}: a way back home");
    }
}

#[tokio::test]
async fn the_about_page_loads_its_island_and_a_qr_code() {
    let app = spawn_app().await;
    let page = app.get("/about").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("关于消防学堂"));
    assert!(
        page.body.contains("<leptos-island"),
        "the read-aloud island is on the page"
    );
    assert!(
        page.body.contains("/pkg/xuetang_bg.wasm"),
        "island pages load the WebAssembly"
    );
    assert!(page.body.contains("<svg"), "QR code rendered on the server");
    assert!(
        page.body.contains(&app.base),
        "QR and text carry the site's address"
    );
}

#[tokio::test]
async fn server_function_errors_reveal_no_internals() {
    let app = spawn_app().await;
    // Closing the pool makes the next query fail inside the server function.
    app.server.db.close().await;
    let response = app
        .client
        .post(format!("{}/api/town_overview", app.base))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_server_error(), "{}", response.status());
    let body = response.text().await.unwrap();
    assert!(
        !body.to_lowercase().contains("sqlx") && !body.contains("pool"),
        "{body}"
    );
    let page = app.get("/").await;
    assert!(page.body.contains("服务暂时不可用"), "{}", page.body);
    assert!(!page.body.to_lowercase().contains("pool"), "{}", page.body);
}

#[tokio::test]
async fn responses_are_compressed_and_carry_basic_security_headers() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers().contains_key("referrer-policy"));
}
