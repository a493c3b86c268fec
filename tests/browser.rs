//! What a worker sees on a phone.

use browser_tests::{PHONE_WIDTH, Phone, spawn_seeded_app};
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test]
async fn the_home_page_reads_in_chinese_on_a_phone_without_sideways_scrolling() {
    let base = spawn_seeded_app().await;
    let phone = Phone::open().await;
    phone.client.goto(&format!("{base}/")).await.unwrap();

    assert_eq!(phone.eval("return window.innerWidth").await, PHONE_WIDTH);
    let text = phone.visible_text().await;
    for expected in ["消防学堂", "火警电话", "嘉峰镇概况", "示例数据", "窦庄村"]
    {
        assert!(
            text.contains(expected),
            "{expected:?} not visible in:\n{text}"
        );
    }
    let overflow = phone
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, 0, "the page scrolls sideways at {PHONE_WIDTH}px");

    // Navigation is reachable and large enough to tap.
    let about = phone.client.find(Locator::LinkText("关于")).await.unwrap();
    let (_, _, _, height) = about.rectangle().await.unwrap();
    assert!(height >= 44.0, "nav link is {height}px tall");
    about.click().await.unwrap();
    phone
        .client
        .wait()
        .for_element(Locator::Css("#reading h1"))
        .await
        .unwrap();
    assert!(phone.visible_text().await.contains("关于消防学堂"));
    phone.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn the_read_aloud_island_hydrates_on_the_about_page() {
    let base = spawn_seeded_app().await;
    let phone = Phone::open().await;
    phone.client.goto(&format!("{base}/about")).await.unwrap();
    // Server-rendered hidden; only the hydrated island reveals it.
    let button = phone
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("button.read-aloud:not([hidden])"))
        .await
        .expect("the island hydrated and showed its button");
    assert_eq!(button.text().await.unwrap(), "朗读本页");
    phone.client.clone().close().await.unwrap();
}
