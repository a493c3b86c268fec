//! What a worker sees on a phone.

use browser_tests::{HOTEL_ADMIN, HOTEL_OPERATOR, PASSWORD, PHONE_WIDTH, Phone, spawn_seeded_app};
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test]
async fn the_home_page_reads_in_chinese_on_a_phone_without_sideways_scrolling() {
    let app = spawn_seeded_app().await;
    let base = &app.base;
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
    let tips = phone
        .client
        .find(Locator::LinkText("小贴士"))
        .await
        .unwrap();
    let (_, _, _, height) = tips.rectangle().await.unwrap();
    assert!(height >= 44.0, "nav link is {height}px tall");
    tips.click().await.unwrap();
    phone.wait_for_text("安全小贴士").await;
    phone
        .client
        .find(Locator::LinkText("关于消防学堂"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    phone
        .client
        .wait()
        .for_element(Locator::Css("#reading h1"))
        .await
        .unwrap();
    assert!(phone.visible_text().await.contains("谁在用"));
    phone.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn the_read_aloud_island_hydrates_on_the_about_page() {
    let app = spawn_seeded_app().await;
    let phone = Phone::open().await;
    phone
        .client
        .goto(&format!("{}/about", app.base))
        .await
        .unwrap();
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

#[tokio::test]
async fn a_worker_logs_in_on_a_phone_and_sees_their_posts() {
    let app = spawn_seeded_app().await;
    let phone = Phone::open().await;
    phone
        .log_in(&app.base, HOTEL_OPERATOR, "wrong-password")
        .await;
    phone.wait_for_text("手机号或密码不正确").await;
    phone.log_in(&app.base, HOTEL_OPERATOR, PASSWORD).await;
    let text = phone.wait_for_text("我的岗位").await;
    assert!(text.contains("田航"), "{text}");
    assert!(text.contains("嘉峰宾馆 · 消防控制室值班员"), "{text}");
    let overflow = phone
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, 0);
    phone.click("form[action='/api/logout'] button").await;
    // Logging out lands on the home page ("退出登录" on the page before
    // already says "登录").
    phone.wait_for_path("/").await;
    phone.wait_for_text("登录").await;
    phone
        .client
        .goto(&format!("{}/account", app.base))
        .await
        .unwrap();
    phone.wait_for_text("忘记密码").await;
    phone.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_worker_joins_by_qr_code_and_the_admin_approves() {
    let app = spawn_seeded_app().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = Phone::open().await;
    admin.log_in(&app.base, HOTEL_ADMIN, PASSWORD).await;
    admin.wait_for_text("进入管理").await;
    admin
        .client
        .goto(&format!("{}/admin/units/{hotel}", app.base))
        .await
        .unwrap();
    admin
        .click("form[action='/api/renew_join_link'] button")
        .await;
    admin.wait_for_text("已生成新的加入二维码").await;
    let svg = admin
        .client
        .find(Locator::Css("#join .qr-code svg"))
        .await
        .expect("the QR code is shown");
    let (_, _, width, _) = svg.rectangle().await.unwrap();
    assert!(width >= 120.0, "QR drawn {width}px wide");
    let url = admin
        .client
        .find(Locator::Css("#join .url"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(url.starts_with(&format!("{}/join/", app.base)), "{url}");

    let worker = Phone::open().await;
    worker.client.goto(&url).await.unwrap();
    worker.wait_for_text("加入嘉峰宾馆").await;
    worker.fill("input[name=name]", "孙小梅").await;
    worker.fill("input[name=phone]", "13903561234").await;
    worker.fill("input[name=password]", "xiaomei-2026").await;
    worker
        .client
        .find(Locator::Css("select[name=post] option[value=operator]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    worker.click("form button[type=submit]").await;
    worker.wait_for_text("申请已提交").await;

    admin
        .client
        .goto(&format!("{}/admin/units/{hotel}", app.base))
        .await
        .unwrap();
    let text = admin.wait_for_text("待审核的加入申请（1）").await;
    assert!(
        text.contains("孙小梅 · 13903561234 · 消防控制室值班员"),
        "{text}"
    );
    admin.click("#pending button[value=approve]").await;
    admin.wait_for_text("已批准加入").await;

    worker
        .log_in(&app.base, "13903561234", "xiaomei-2026")
        .await;
    worker.wait_for_text("嘉峰宾馆 · 消防控制室值班员").await;
    admin.client.clone().close().await.unwrap();
    worker.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_roster_with_errors_is_shown_row_by_row_and_not_imported() {
    let app = spawn_seeded_app().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = Phone::open().await;
    admin.log_in(&app.base, HOTEL_ADMIN, PASSWORD).await;
    admin.wait_for_text("进入管理").await;
    admin
        .client
        .goto(&format!("{}/admin/units/{hotel}", app.base))
        .await
        .unwrap();
    let file = browser_tests::workspace().join("server/tests/fixtures/rosters/gbk_with_errors.csv");
    let input = admin
        .client
        .find(Locator::Css("#import input[type=file]"))
        .await
        .unwrap();
    input
        .send_keys(&file.canonicalize().unwrap().display().to_string())
        .await
        .unwrap();
    admin.click("#import button[type=submit]").await;
    let text = admin.wait_for_text("发现 3 处问题").await;
    for expected in [
        "手机号应为 11 位，实际 10 位",
        "未知岗位“保安”",
        "姓名不能为空",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    let bad_rows = admin.client.find_all(Locator::Css("tr.bad")).await.unwrap();
    assert_eq!(bad_rows.len(), 3);
    assert!(
        admin
            .client
            .find(Locator::Css("form[action='/api/commit_import']"))
            .await
            .is_err(),
        "no way to commit"
    );
    admin.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_learner_reads_a_lesson_marks_it_read_and_sees_progress() {
    let app = spawn_seeded_app().await;
    let phone = Phone::open().await;
    phone.sign_in(&app.base, HOTEL_OPERATOR, PASSWORD).await;
    phone
        .client
        .goto(&format!("{}/courses", app.base))
        .await
        .unwrap();
    let text = phone.wait_for_text("消防控制室值班员").await;
    assert!(text.contains("已学 0 /"), "{text}");
    phone
        .client
        .find(Locator::LinkText("消防控制室值班员"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    phone.wait_for_text("开始学习").await;
    phone
        .client
        .find(Locator::LinkText("开始学习"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    phone.wait_for_text("我已学完本课").await;
    let overflow = phone
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, 0, "the lesson fits the phone");
    let line_height = phone
        .eval("const p = document.querySelector('#reading p'); const s = getComputedStyle(p); return parseFloat(s.lineHeight) / parseFloat(s.fontSize)")
        .await;
    assert!(
        line_height.as_f64().unwrap() >= 1.5,
        "line spacing {line_height}"
    );
    phone.click("form.mark-read button").await;
    phone.wait_for_text("已学完上一课").await;
    phone
        .client
        .goto(&format!("{}/courses/control-room-operator", app.base))
        .await
        .unwrap();
    let text = phone.wait_for_text("已学 1 /").await;
    assert!(text.contains("继续学习"), "{text}");

    // Large text persists across pages, without JavaScript being needed.
    phone
        .client
        .goto(&format!("{}/t/sanqing-sanguan", app.base))
        .await
        .unwrap();
    let normal = phone
        .eval("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
        .await;
    phone
        .client
        .find(Locator::LinkText("大字"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    phone.wait_for_text("标准字号").await;
    phone
        .client
        .goto(&format!("{}/courses", app.base))
        .await
        .unwrap();
    let large = phone
        .eval("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
        .await;
    assert!(
        large.as_f64().unwrap() > normal.as_f64().unwrap(),
        "{normal} → {large}"
    );
    phone.client.clone().close().await.unwrap();
}

/// Shown positions (0-based) of the right options of each question of the
/// attempt, read from the database as only the server knows them.
async fn right_choices(app: &browser_tests::SeededApp, attempt: i64) -> Vec<Vec<usize>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT question_json, option_order FROM attempt_questions WHERE attempt_id = $1 ORDER BY position")
            .bind(attempt)
            .fetch_all(&app.db)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(q, order)| {
            let q: app::quiz::gift::Question = serde_json::from_str(&q).unwrap();
            let order: Vec<usize> = serde_json::from_str(&order).unwrap();
            match q.kind {
                app::quiz::gift::Kind::TrueFalse { answer, .. } => vec![if answer { 0 } else { 1 }],
                app::quiz::gift::Kind::Single(c) | app::quiz::gift::Kind::Multiple(c) => order
                    .iter()
                    .enumerate()
                    .filter(|(_, original)| c[**original].is_right())
                    .map(|(shown, _)| shown)
                    .collect(),
            }
        })
        .collect()
}

async fn answer_right(phone: &Phone, right: &[usize]) {
    let options = phone
        .client
        .find_all(Locator::Css("label.option"))
        .await
        .unwrap();
    for &i in right {
        options[i].click().await.unwrap();
    }
}

#[tokio::test]
async fn a_worker_takes_an_exam_drops_the_page_midway_resumes_passes_and_shows_the_certificate() {
    let app = spawn_seeded_app().await;
    let phone = Phone::open().await;
    phone.sign_in(&app.base, HOTEL_OPERATOR, PASSWORD).await;
    phone
        .client
        .goto(&format!("{}/courses/sanqing-sanguan", app.base))
        .await
        .unwrap();
    phone
        .client
        .find(Locator::LinkText("参加考试"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    phone.wait_for_text("共 20 题").await;
    phone.click("form[action='/api/start_exam'] button").await;
    phone.wait_for_text("第 1 / 20 题").await;
    let url = phone.client.current_url().await.unwrap();
    let attempt: i64 = url.path().split('/').nth(2).unwrap().parse().unwrap();
    let right = right_choices(&app, attempt).await;

    // Options are large enough to tap; a tap is saved at once.
    let option = phone
        .client
        .find(Locator::Css("label.option"))
        .await
        .unwrap();
    let (_, _, width, height) = option.rectangle().await.unwrap();
    assert!(height >= 48.0 && width >= 280.0, "option {width}×{height}");
    answer_right(&phone, &right[0]).await;
    phone.wait_for_text("已保存").await;
    let answered: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM attempt_questions WHERE answer IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(answered, 1, "saved before moving on");
    let countdown = phone
        .client
        .find(Locator::Css(".countdown"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        countdown.contains("剩余 29:") || countdown.contains("剩余 30:"),
        "{countdown}"
    );

    // Half the exam, then the phone drops the page.
    for n in 1..=10usize {
        if n > 1 {
            answer_right(&phone, &right[n - 1]).await;
        }
        phone.click("button[value=next]").await;
        phone.wait_for_text(&format!("第 {} / 20 题", n + 1)).await;
    }
    phone.client.clone().close().await.unwrap();

    // Another session: the same attempt, its answers kept.
    let phone = Phone::open().await;
    phone.sign_in(&app.base, HOTEL_OPERATOR, PASSWORD).await;
    phone
        .client
        .goto(&format!("{}/courses/sanqing-sanguan/exam", app.base))
        .await
        .unwrap();
    phone.click("form[action='/api/start_exam'] button").await;
    phone.wait_for_text("第 1 / 20 题").await;
    let done = phone
        .client
        .find_all(Locator::Css(".card-cell.done"))
        .await
        .unwrap();
    assert_eq!(done.len(), 10, "the answer card shows the saved answers");
    phone.click(".answer-card button[value='11']").await;
    for n in 11..=20usize {
        phone.wait_for_text(&format!("第 {n} / 20 题")).await;
        answer_right(&phone, &right[n - 1]).await;
        phone
            .click(if n < 20 {
                "button[value=next]"
            } else {
                "button[value=submit]"
            })
            .await;
    }
    let text = phone.wait_for_text("确认交卷").await;
    assert!(text.contains("全部 20 题都已作答"), "{text}");
    phone.click("form[action='/api/submit_exam'] button").await;
    let text = phone.wait_for_text("100 分").await;
    assert!(text.contains("合格"), "{text}");
    assert!(text.contains("全部答对"), "{text}");

    // The certificate: its page shows the paper, its PNG opens on the phone,
    // and the PNG's QR code leads anyone to the verify page.
    phone.click("a[href^='/certificates/']").await;
    phone.wait_for_text("打开图片").await;
    let loaded = phone
        .eval("const i = document.querySelector('.certificate-paper img'); return i.complete && i.naturalWidth;")
        .await;
    assert!(
        loaded.as_u64().unwrap_or(0) > 0,
        "the certificate image renders: {loaded}"
    );
    let png_url = phone
        .eval("return document.querySelector('a[href$=\\'.png\\']').href;")
        .await
        .as_str()
        .unwrap()
        .to_string();
    phone.client.goto(&png_url).await.unwrap();
    let width = phone
        .eval("const i = document.images[0]; return i ? i.naturalWidth : 0;")
        .await;
    assert_eq!(width.as_u64(), Some(1080), "the PNG opens in the browser");
    let fetched = phone
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => {
               const u = new Uint8Array(b); let s = '';
               for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
               done(btoa(s));
             }).catch(e => done('error: ' + e));",
            vec![serde_json::json!(png_url)],
        )
        .await
        .unwrap();
    let png = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        fetched.as_str().unwrap(),
    )
    .expect("the PNG came back");
    let codes = browser_tests::qr_codes(&image::load_from_memory(&png).unwrap().to_luma8());
    assert_eq!(codes.len(), 1);
    let verify_url = codes[0].clone();
    assert!(
        verify_url.starts_with(&format!("{}/v/", app.base)),
        "{verify_url}"
    );

    // A stranger's phone, not signed in, scans it.
    phone.client.clone().close().await.unwrap();
    let stranger = Phone::open().await;
    stranger.client.goto(&verify_url).await.unwrap();
    let text = stranger.wait_for_text("培训合格证明核验").await;
    assert!(text.contains("有效"), "{text}");
    assert!(text.contains("三清三关与家庭防火"), "{text}");
    let name: String = sqlx::query_scalar("SELECT name FROM people WHERE phone = $1")
        .bind(HOTEL_OPERATOR)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        text.contains(&app::certificates::mask_name(&name)),
        "{text}"
    );
    assert!(!text.contains(&name), "the full name stays private: {text}");
    stranger.client.clone().close().await.unwrap();
}
