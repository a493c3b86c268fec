use crate::helpers::{HOTEL_ADMIN, HOTEL_OPERATOR, PASSWORD, spawn_app};
use std::time::{Duration, Instant};

fn session_cookie(reply_headers: &reqwest::header::HeaderMap) -> Option<String> {
    reply_headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("xt_session="))
}

#[tokio::test]
async fn login_sets_an_http_only_same_site_cookie_and_opens_the_account() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let response = app
        .client
        .post(format!("{}/api/login", app.base))
        .form(&[("phone", "186 5137 7531"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["location"], "/account");
    let cookie = session_cookie(response.headers()).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

    let page = app.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("田航"), "{}", page.body);
    assert!(page.body.contains("嘉峰宾馆"));
    assert!(page.body.contains("186****7531"), "own phone shown masked");
    let stored: i64 = app.count("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn wrong_password_and_unknown_phone_get_the_same_answer() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.session();
    let wrong = s.login(HOTEL_OPERATOR, "not-the-password").await;
    let unknown = s.login("13711112222", "not-the-password").await;
    assert_eq!(wrong.status, 400);
    assert_eq!(unknown.status, 400);
    assert!(wrong.body.contains("手机号或密码不正确"), "{}", wrong.body);
    assert_eq!(wrong.body, unknown.body);
    let bad_phone = s.login("12345", PASSWORD).await;
    assert_eq!(bad_phone.status, 400);
    assert!(
        bad_phone.body.contains("手机号应为 11 位"),
        "{}",
        bad_phone.body
    );
}

#[tokio::test]
async fn a_form_post_without_javascript_comes_back_with_the_error() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.session();
    let reply = s
        .post_form(
            "login",
            &[("phone", HOTEL_OPERATOR), ("password", "wrong-password")],
            "/login",
        )
        .await;
    assert_eq!(reply.status, 302);
    let back = reply.location.unwrap();
    assert!(
        back.contains("/login?") && back.contains("__err="),
        "{back}"
    );
    let page = s.get(back.trim_start_matches(&app.base)).await;
    assert!(page.body.contains("手机号或密码不正确"), "{}", page.body);
}

#[tokio::test]
async fn logging_in_again_replaces_the_session_and_logout_ends_it() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.session();
    s.login(HOTEL_OPERATOR, PASSWORD).await;
    let first: String = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    s.login(HOTEL_OPERATOR, PASSWORD).await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(hashes.len(), 1, "the old session was deleted on login");
    assert_ne!(hashes[0], first, "a new token was issued");

    assert_eq!(s.get("/account").await.status, 200);
    let out = s.call("logout", &[]).await;
    assert_eq!(out.status, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    let after = s.get("/account").await;
    assert_eq!(after.status, 302);
    assert!(after.location.unwrap().starts_with("/login"));
}

#[tokio::test]
async fn a_forged_session_cookie_is_worthless() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let response = app
        .client
        .get(format!("{}/account", app.base))
        .header("cookie", "xt_session=planted-by-an-attacker")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_other_devices() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let phone = app.logged_in(HOTEL_OPERATOR).await;
    let laptop = app.logged_in(HOTEL_OPERATOR).await;

    let wrong = phone
        .call(
            "change_password",
            &[
                ("current", "nope-nope"),
                ("new", "new-pass-2026"),
                ("confirm", "new-pass-2026"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("当前密码不正确"));
    let mismatch = phone
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("new", "new-pass-2026"),
                ("confirm", "other-2026"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("两次输入的新密码不一致"));
    let short = phone
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert!(short.body.contains("密码至少 8 位"));

    let ok = phone
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("new", "new-pass-2026"),
                ("confirm", "new-pass-2026"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(
        phone.get("/account").await.status,
        200,
        "this device stays signed in"
    );
    assert_eq!(
        laptop.get("/account").await.status,
        302,
        "the other device is signed out"
    );
    assert_eq!(
        app.session().login(HOTEL_OPERATOR, PASSWORD).await.status,
        400
    );
    assert_eq!(
        app.session()
            .login(HOTEL_OPERATOR, "new-pass-2026")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_one_time_code_must_be_replaced_at_the_next_login() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    // 赵磊 is on the roster but has no account yet.
    let (membership, person): (i64, i64) = sqlx::query_as(
        "SELECT m.id, p.id FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.phone = '13058128431'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let reply = admin
        .post_form(
            "issue_login_code",
            &[
                ("unit_id", &hotel.to_string()),
                ("membership_id", &membership.to_string()),
                ("person_id", &person.to_string()),
            ],
            &format!("/admin/units/{hotel}/members/{membership}"),
        )
        .await;
    assert_eq!(reply.status, 302, "{reply:?}");
    let page = admin
        .get(&format!("/admin/units/{hotel}/members/{membership}"))
        .await;
    let code: String = page
        .body
        .split("一次性登录码：")
        .nth(1)
        .expect("the code is shown once")
        .chars()
        .take(8)
        .collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
    let again = admin
        .get(&format!("/admin/units/{hotel}/members/{membership}"))
        .await;
    assert!(!again.body.contains(&code), "shown only once");

    let member = app.session();
    let login = member.login("13058128431", &code).await;
    assert_eq!(login.status, 200);
    assert_eq!(login.location.as_deref(), Some("/account/password"));
    let blocked = member.call("my_account", &[]).await;
    assert_eq!(blocked.status, 403);
    assert!(
        blocked.body.contains("MustChangePassword"),
        "{}",
        blocked.body
    );
    let changed = member
        .call(
            "change_password",
            &[
                ("current", &code),
                ("new", "zhao-lei-2026"),
                ("confirm", "zhao-lei-2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(member.call("my_account", &[]).await.status, 200);
    assert_eq!(
        app.session().login("13058128431", &code).await.status,
        400,
        "the code works once"
    );
}

#[tokio::test]
async fn repeated_failures_for_one_phone_are_slowed_then_locked() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.session();
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let reply = s.login(HOTEL_OPERATOR, "guess-guess").await;
        assert_eq!(reply.status, 400);
        times.push(started.elapsed());
    }
    assert!(
        times[2] >= Duration::from_secs(1),
        "third failure slowed: {times:?}"
    );
    assert!(
        times[4] >= Duration::from_secs(3),
        "fifth failure slower: {times:?}"
    );
    let sixth = s.login(HOTEL_OPERATOR, "guess-guess").await;
    assert_eq!(sixth.status, 429);
    assert!(sixth.body.contains("TooManyAttempts"), "{}", sixth.body);
    // Locked even with the right password, and the message says for how long.
    let right = s
        .post_form(
            "login",
            &[("phone", HOTEL_OPERATOR), ("password", PASSWORD)],
            "/login",
        )
        .await;
    let page = s
        .get(right.location.unwrap().trim_start_matches(&app.base))
        .await;
    assert!(
        page.body.contains("尝试次数过多，请 15 分钟后再试"),
        "{}",
        page.body
    );
    // Another person is not affected.
    assert_eq!(app.session().login(HOTEL_ADMIN, PASSWORD).await.status, 200);
}
