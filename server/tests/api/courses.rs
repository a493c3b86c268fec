use crate::helpers::{HOTEL_OPERATOR, spawn_app};

const OPERATOR_COURSE: &str = "control-room-operator";

#[tokio::test]
async fn tip_pages_are_small_script_free_and_carry_the_emergency_numbers() {
    let app = spawn_app().await;
    let tips = app.get("/t").await;
    assert_eq!(tips.status, 200);
    let slugs: Vec<String> = tips
        .body
        .split("href=\"/t/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(slugs.len(), 5, "one tip page per public course: {slugs:?}");
    for slug in slugs {
        let page = app.get(&format!("/t/{slug}")).await;
        assert_eq!(page.status, 200, "{slug}");
        assert!(!page.body.contains("<script"), "{slug}: no script");
        assert!(!page.body.contains(".wasm"), "{slug}: no WebAssembly");
        assert!(
            page.body.contains("tel:119") && page.body.contains("tel:96119"),
            "{slug}"
        );
        assert!(
            page.body.contains(&format!("href=\"/courses/{slug}\"")),
            "{slug}: links the full course"
        );
        let tip = page
            .body
            .split("class=\"tip-points\"")
            .nth(1)
            .unwrap()
            .split("</ol>")
            .next()
            .unwrap();
        let points = tip.matches("<li>").count();
        assert!((5..=8).contains(&points), "{slug}: {points} points");
        // The stylesheet is inline (one round trip on a weak signal), so
        // the page alone is everything transferred.
        assert!(page.body.contains("<style>"), "{slug}: inline CSS");
        assert!(
            !page.body.contains("/pkg/xuetang.css"),
            "{slug}: no CSS request"
        );
        let compressed = app.gzipped_len(&format!("/t/{slug}")).await;
        assert!(compressed <= 30 * 1024, "{slug}: {compressed} bytes");
    }
    let missing = app.get("/t/no-such-tip").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("全部安全小贴士"));
}

#[tokio::test]
async fn visitors_see_public_courses_and_learners_the_courses_for_their_posts() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let visitor = app.session().call("catalogue", &[]).await.json();
    let audiences: Vec<&str> = visitor["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["audience"].as_str().unwrap())
        .collect();
    assert!(
        !audiences.is_empty() && audiences.iter().all(|a| *a == "公众"),
        "{audiences:?}"
    );

    let operator = app.logged_in(HOTEL_OPERATOR).await;
    let theirs = operator.call("catalogue", &[]).await.json();
    let slugs: Vec<&str> = theirs["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.contains(&OPERATOR_COURSE) && slugs.contains(&"employee-induction"),
        "{slugs:?}"
    );
    assert!(!slugs.contains(&"safety-manager"), "{slugs:?}");

    let employee = app.logged_in("19950470114").await;
    let theirs = employee.call("catalogue", &[]).await.json();
    let slugs: Vec<&str> = theirs["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.contains(&"employee-induction") && !slugs.contains(&OPERATOR_COURSE),
        "{slugs:?}"
    );

    // Workplace courses need an account; public ones do not.
    assert_eq!(
        app.get(&format!("/courses/{OPERATOR_COURSE}")).await.status,
        302
    );
    assert_eq!(app.get("/courses/sanqing-sanguan").await.status, 200);
    assert_eq!(app.get("/courses/no-such-course").await.status, 404);
}

#[tokio::test]
async fn marking_lessons_read_shows_progress_and_where_to_resume() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let operator = app.logged_in(HOTEL_OPERATOR).await;
    let course = operator
        .call("course_page", &[("course", OPERATOR_COURSE)])
        .await
        .json();
    let lessons: Vec<String> = course["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["slug"].as_str().unwrap().to_string())
        .collect();
    assert!(lessons.len() >= 3);

    let marked = operator
        .call(
            "mark_read",
            &[("course", OPERATOR_COURSE), ("lesson", &lessons[0])],
        )
        .await;
    assert_eq!(marked.status, 200, "{marked:?}");
    assert_eq!(
        marked.location.as_deref(),
        Some(format!("/courses/{OPERATOR_COURSE}/{}", lessons[1]).as_str())
    );
    // Marking twice is harmless.
    operator
        .call(
            "mark_read",
            &[("course", OPERATOR_COURSE), ("lesson", &lessons[0])],
        )
        .await;

    let course = operator
        .call("course_page", &[("course", OPERATOR_COURSE)])
        .await
        .json();
    let read: Vec<bool> = course["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["read"].as_bool().unwrap())
        .collect();
    assert_eq!(read.iter().filter(|r| **r).count(), 1);
    assert!(read[0]);
    let catalogue = operator.call("catalogue", &[]).await.json();
    assert_eq!(catalogue["resume"][0], OPERATOR_COURSE);
    assert_eq!(catalogue["resume"][1], lessons[1].as_str());
    let card = catalogue["courses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == OPERATOR_COURSE)
        .unwrap()
        .clone();
    assert_eq!(card["read"], 1);

    let page = operator.get(&format!("/courses/{OPERATOR_COURSE}")).await;
    assert!(
        page.body
            .contains(&format!("已学 1 / {} 课", lessons.len())),
        "{}",
        page.body
    );
    assert!(page.body.contains("继续学习"));
    let stored = app.count("SELECT COUNT(*) FROM lesson_progress").await;
    assert_eq!(stored, 1);

    let visitor = app
        .session()
        .call(
            "mark_read",
            &[("course", "sanqing-sanguan"), ("lesson", "sanqing")],
        )
        .await;
    assert_eq!(visitor.status, 401);
    let unknown = operator
        .call(
            "mark_read",
            &[("course", OPERATOR_COURSE), ("lesson", "no-such-lesson")],
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn lesson_pages_carry_read_aloud_large_text_and_their_sources() {
    let app = spawn_app().await;
    let page = app.get("/courses/sanqing-sanguan/sanqing").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<leptos-island"), "read-aloud island");
    assert!(
        page.body.contains("/text-size?size=large"),
        "large-text switch"
    );
    assert!(page.body.contains("依据"));
    assert!(!page.body.contains("class=\"large-text\""));

    let switch = app
        .get("/text-size?size=large&back=/courses/sanqing-sanguan/sanqing")
        .await;
    assert_eq!(switch.status, 303);
    assert_eq!(
        switch.headers["location"],
        "/courses/sanqing-sanguan/sanqing"
    );
    let cookie = switch.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("xt_text=large") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );
    let large = app
        .client
        .get(format!("{}/t/sanqing-sanguan", app.base))
        .header("cookie", "xt_text=large")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        large.contains(r#"<html lang="zh-CN" class="large-text""#),
        "{large}"
    );
    assert!(large.contains("标准字号"), "the switch offers the way back");
    let outside = app.get("/text-size?size=large&back=//evil.example").await;
    assert_eq!(outside.headers["location"], "/");
}

#[tokio::test]
async fn search_finds_electric_bicycles_from_ebike() {
    let app = spawn_app().await;
    let hits = app
        .session()
        .call("search_lessons", &[("q", "电动车")])
        .await
        .json();
    let first = &hits.as_array().unwrap()[0];
    assert_eq!(first["course"], "electricity-and-ebikes", "{hits}");
    let page = app.get("/search?q=%E7%94%B5%E5%8A%A8%E8%BD%A6").await;
    assert!(page.body.contains("电动自行车"), "{}", page.body);
    let nothing = app
        .get("/search?q=%E5%AE%87%E5%AE%99%E9%A3%9E%E8%88%B9")
        .await;
    assert!(nothing.body.contains("没有找到"));
    // Visitors do not search workplace courses.
    let hidden = app
        .session()
        .call("search_lessons", &[("q", "值班记录")])
        .await
        .json();
    assert!(
        hidden
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["course"] != "control-room-operator"),
        "{hidden}"
    );
}

#[tokio::test]
async fn course_images_are_served_from_memory_only() {
    let app = spawn_app().await;
    let page = app.get("/courses/sanqing-sanguan/sanguan").await;
    let src = page
        .body
        .split("src=\"/media/")
        .nth(1)
        .expect("the lesson has a picture")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let image = app
        .client
        .get(format!("{}/media/{src}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert!(
        image.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    for path in [
        "/media/sanqing-sanguan/..%2Fcourse.toml",
        "/media/..%2F..%2FCargo.toml/x",
        "/media/sanqing-sanguan/missing.svg",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn edited_content_is_reloaded_when_watching_and_broken_edits_are_ignored() {
    let dir = std::env::temp_dir().join(format!("xuetang_watch_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    crate::helpers::copy_dir(&crate::helpers::workspace().join("content"), &dir);
    let app = crate::helpers::spawn_app_with(|serve| {
        serve.content_dir = dir.clone();
        serve.watch_content = true;
    })
    .await;
    let lesson = dir.join("sanqing-sanguan/01-sanqing.md");
    let text = std::fs::read_to_string(&lesson).unwrap();
    let title = text
        .lines()
        .find(|l| l.starts_with("title"))
        .unwrap()
        .to_string();
    std::fs::write(
        &lesson,
        text.replacen(&title, "title = \"三清：改过的标题\"", 1),
    )
    .unwrap();
    let mut seen = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        if app
            .get("/courses/sanqing-sanguan/sanqing")
            .await
            .body
            .contains("三清：改过的标题")
        {
            seen = true;
            break;
        }
    }
    assert!(seen, "the edited title was served");
    // An invalid edit keeps the last good version.
    std::fs::write(&lesson, "no front matter").unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(
        app.get("/courses/sanqing-sanguan/sanqing")
            .await
            .body
            .contains("三清：改过的标题")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
