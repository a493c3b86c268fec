//! Attacks as tests: cross-site requests, session fixation, password
//! guessing, script in names, hostile uploads, path traversal, and the
//! headers and cookie flags every response must carry. docs/SECURITY.md
//! maps each protection to the test here that proves it.

use crate::helpers::{
    Backend, HOTEL_ADMIN, HOTEL_OPERATOR, PASSWORD, Reply, Session, TOWN_ADMIN, TestApp, backend,
    spawn_app, spawn_app_with,
};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const EVIL: &str = "https://evil.example";
/// The start of the middleware's refusal; a server function's own 403
/// ("无权访问") reads differently.
const CROSS_SITE: &str = "请求来自其他网站";

/// Every registered server function, as `/api/<name>`: a new one is
/// covered without touching this file.
fn server_functions() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    paths.sort();
    paths
}

/// Rows per table: a write of any kind to any table shows up here
/// (updates are audited, so they add an `audit_log` row).
async fn row_counts(app: &TestApp) -> BTreeMap<String, i64> {
    let tables_sql = match backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'"
        }
        Backend::Postgres => {
            "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '_sqlx%'"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(tables_sql)
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(tables.len() > 10, "{tables:?}");
    let mut counts = BTreeMap::new();
    for table in tables {
        let n = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        counts.insert(table, n);
    }
    counts
}

/// A POST as a browser on another site would send it (with the victim's
/// cookies, which `session` holds).
async fn post_from(
    session: &Session,
    path: &str,
    header: &str,
    value: &str,
    form: &[(&str, &str)],
) -> Reply {
    let response = session
        .client
        .post(format!("{}{path}", session.base))
        .header(header, value)
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    Reply {
        status,
        location,
        body: response.text().await.unwrap(),
    }
}

#[tokio::test]
async fn cross_site_posts_to_every_server_function_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let region = app.region_id("JF-JF").await.to_string();
    let functions = server_functions();
    assert!(functions.len() > 40, "{functions:?}");
    let before = row_counts(&app).await;

    // What a page on another site can make the signed-in admin's browser
    // send: Origin (every current browser), or only a Referer, or the
    // opaque "null" origin of a sandboxed frame.
    let senders = [
        ("origin", EVIL.to_string()),
        ("referer", format!("{EVIL}/prize.html")),
        ("origin", "null".to_string()),
        // Same host, another port: another origin.
        ("origin", "http://127.0.0.1:1".to_string()),
    ];
    for path in &functions {
        for (header, value) in &senders {
            let reply = post_from(&town, path, header, value, &[]).await;
            assert_eq!(
                reply.status, 403,
                "{path} with {header}: {value}: {reply:?}"
            );
            assert!(reply.body.contains(CROSS_SITE), "{path}: {}", reply.body);
        }
    }
    // Requests that would succeed from the site itself.
    let create_unit = [
        ("region_id", region.as_str()),
        ("name", "跨站单位"),
        ("credit_code", ""),
        ("industry", "学校"),
    ];
    let forged = post_from(&town, "/api/create_unit", "origin", EVIL, &create_unit).await;
    assert_eq!(forged.status, 403);
    let login = post_from(
        &app.session(),
        "/api/login",
        "origin",
        EVIL,
        &[("phone", HOTEL_ADMIN), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(login.status, 403, "login CSRF");
    let upload = town
        .client
        .post(format!("{}/api/upload_roster", app.base))
        .header("origin", EVIL)
        .multipart(
            reqwest::multipart::Form::new()
                .text("unit_id", app.unit_id("嘉峰宾馆").await.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(crate::helpers::fixture("good_utf8.csv"))
                        .file_name("good_utf8.csv"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 403);
    assert_eq!(row_counts(&app).await, before, "nothing was written");

    // The logout above was refused too: the admin is still signed in.
    assert_eq!(town.get("/admin").await.status, 200);
    // From the site itself the same requests go through: the check refuses
    // the origin, not the request.
    let made = post_from(&town, "/api/create_unit", "origin", &app.base, &create_unit).await;
    assert_eq!(made.status, 302, "{made:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM units WHERE name = '跨站单位'")
            .await,
        1
    );
    for path in &functions {
        let reply = post_from(&town, path, "origin", &app.base, &[]).await;
        assert!(!reply.body.contains(CROSS_SITE), "{path}: {reply:?}");
        // An empty form is bad input: a clear refusal, never a crash.
        assert_ne!(reply.status, 500, "{path}: {reply:?}");
    }
}

#[tokio::test]
async fn same_site_form_posts_and_header_less_clients_are_let_through() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // A browser without JavaScript: Referer of the login page.
    let browser = app.session();
    let reply = browser
        .post_form(
            "login",
            &[("phone", HOTEL_OPERATOR), ("password", PASSWORD)],
            "/login",
        )
        .await;
    assert_eq!(reply.status, 302, "{reply:?}");
    assert_eq!(browser.get("/account").await.status, 200);
    // The island's fetch: Origin of this site.
    let island = browser
        .client
        .post(format!("{}/api/session_user", app.base))
        .header("origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(island.status(), 200);
    assert!(island.text().await.unwrap().contains("田航"));
    // A client that names no origin at all (curl, scripts) is not a
    // browser tricked by another site: decided in docs/SECURITY.md.
    let curl = app.session().login(HOTEL_ADMIN, PASSWORD).await;
    assert_eq!(curl.status, 200, "{curl:?}");
}

/// Logs in with `planted` as the session cookie the browser already
/// holds; returns the status and the session token set in the answer.
async fn login_with_cookie(app: &TestApp, planted: &str, phone: &str) -> (u16, Option<String>) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/api/login", app.base))
        .header("cookie", format!("xt_session={planted}"))
        .form(&[("phone", phone), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let token = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("xt_session="))
        .map(|c| c.split(';').next().unwrap().to_string());
    (response.status().as_u16(), token)
}

/// The status of /account for a browser holding `token`.
async fn account_with(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/account", app.base))
        .header("cookie", format!("xt_session={token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_session_cookie_planted_before_login_is_worthless_after_it() {
    let app = spawn_app().await;
    app.seed_demo().await;
    // The attacker's own valid session, planted in the victim's browser.
    let (status, attacker) = login_with_cookie(&app, "", HOTEL_OPERATOR).await;
    assert_eq!(status, 200);
    let attacker = attacker.expect("a session for the attacker");
    assert_eq!(account_with(&app, &attacker).await, 200);

    let (status, victim) = login_with_cookie(&app, &attacker, HOTEL_ADMIN).await;
    assert_eq!(status, 200);
    let victim = victim.expect("login sets a fresh session cookie");
    assert_ne!(victim, attacker, "the session rotates at login");
    assert_eq!(
        account_with(&app, &attacker).await,
        302,
        "the planted token no longer opens anything"
    );
    assert_eq!(account_with(&app, &victim).await, 200);

    // A token the attacker made up is never adopted either.
    let made_up = "fixated-by-the-attacker-0123456789abcdefghij";
    let (status, fresh) = login_with_cookie(&app, made_up, HOTEL_OPERATOR).await;
    assert_eq!(status, 200);
    assert_ne!(fresh.as_deref(), Some(made_up));
    assert_eq!(account_with(&app, made_up).await, 302);
}

/// Per-phone slowing and locking is proved by
/// `accounts::repeated_failures_for_one_phone_are_slowed_then_locked`; this
/// is the other half: guessing across many phones from one address.
#[tokio::test]
async fn guessing_across_many_phones_from_one_address_is_slowed_then_locked() {
    use app::auth::throttle::{Failures, key};
    let app = spawn_app().await;
    app.seed_demo().await;
    let address = key("ip", "127.0.0.1");
    let earlier = |count| Failures {
        count,
        window_start: app::actions::now(),
        locked_until: 0,
    };
    // Nine failures from this address already, each for another phone.
    app::db::login_failures::put(&app.db, &address, &earlier(9))
        .await
        .unwrap();
    let s = app.session();
    let started = Instant::now();
    assert_eq!(s.login("13700000010", "guess-guess").await.status, 400);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the tenth failure from one address is slowed: {:?}",
        started.elapsed()
    );
    app::db::login_failures::put(&app.db, &address, &earlier(29))
        .await
        .unwrap();
    let thirtieth = s.login("13700000030", "guess-guess").await;
    assert_eq!(thirtieth.status, 429, "{thirtieth:?}");
    // Locked for everyone at this address, even with a right password.
    let right = s.login(HOTEL_ADMIN, PASSWORD).await;
    assert_eq!(right.status, 429, "{right:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

/// The headers every answer must carry.
fn assert_security_headers(what: &str, headers: &reqwest::header::HeaderMap) {
    let get = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name} in {headers:?}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let csp = get("content-security-policy");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_else(|| panic!("{what}: no script-src in {csp}"));
    assert!(!script_src.contains("'unsafe-inline'"), "{what}: {csp}");
    assert!(!script_src.contains("'unsafe-eval'"), "{what}: {csp}");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{what}: {directive} not in {csp}");
    }
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(
        get("referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    app.seed_demo().await;
    for path in [
        "/",
        "/t",
        "/pkg/xuetang.css",
        "/favicon.svg",
        "/no-such-page",
        "/healthz",
    ] {
        let page = app.get(path).await;
        assert!(
            page.status == 200 || path == "/no-such-page",
            "{path}: {}",
            page.status
        );
        assert_security_headers(path, &page.headers);
    }
    assert_eq!(app.get("/no-such-page").await.status, 404);
    let s = app.session();
    for (what, response) in [
        (
            "a server function",
            s.client
                .post(format!("{}/api/session_user", app.base))
                .send()
                .await
                .unwrap(),
        ),
        (
            "a server function's error",
            s.client
                .post(format!("{}/api/my_account", app.base))
                .send()
                .await
                .unwrap(),
        ),
        (
            "a refused cross-site post",
            s.client
                .post(format!("{}/api/login", app.base))
                .header("origin", EVIL)
                .send()
                .await
                .unwrap(),
        ),
    ] {
        assert_security_headers(what, response.headers());
    }
}

#[tokio::test]
async fn island_pages_run_only_scripts_the_policy_names() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let page = app.get("/about").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<leptos-island"), "an island page");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    let inline = app::components::inline_scripts(&page.body);
    assert!(!inline.is_empty(), "the island loader is inline");
    for script in inline {
        let source = app::components::csp_hash_source(script);
        assert!(
            csp.contains(&source),
            "{source} for {script:?} not in {csp}"
        );
    }
    // Pages without an island carry no script at all.
    let tips = app.get("/t").await;
    assert!(!tips.body.contains("<script"), "{}", tips.body);
}

/// A request sent byte for byte, so the path reaches the server exactly as
/// written (HTTP clients normalise `..` and `%2e%2e` away).
async fn raw_get(app: &TestApp, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let host = app.base.trim_start_matches("http://").to_string();
    let path = path.to_string();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).to_string();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {answer:?}"));
        (status, answer)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn paths_that_climb_out_of_a_root_find_nothing() {
    let app = spawn_app().await;
    // Real files just outside the roots: the workspace manifest above the
    // site root and the content folder, and a course's own manifest.
    let lesson_image = "/media/escape-and-119/..%2fcourse.toml";
    for path in [
        "/media/escape-and-119/../../Cargo.toml",
        "/media/escape-and-119/..%2f..%2fCargo.toml",
        "/media/escape-and-119/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/media/escape-and-119/..%5c..%5cCargo.toml",
        "/media/escape-and-119/%2e%2e/course.toml",
        lesson_image,
        "/media/../Cargo.toml",
        "/pkg/../Cargo.toml",
        "/pkg/../../Cargo.toml",
        "/pkg/%2e%2e/%2e%2e/Cargo.toml",
        "/pkg/..%2f..%2fCargo.toml",
        "/pkg/..%5c..%5cCargo.toml",
        "/pkg/%252e%252e/%252e%252e/Cargo.toml",
        "/..%2f..%2fCargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/pkg/../../../../../../etc/passwd",
        "/pkg/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/badges/..%2f..%2fCargo.toml",
    ] {
        let (status, answer) = raw_get(&app, path).await;
        assert_eq!(status, 404, "{path}: {answer}");
        for secret in ["[workspace]", "[package]", "root:x:0", "[exam]"] {
            assert!(!answer.contains(secret), "{path} served a file: {answer}");
        }
    }
    // The roots themselves still serve.
    assert_eq!(raw_get(&app, "/pkg/xuetang.css").await.0, 200);
}

fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn cookies_are_secure_behind_https_and_posts_from_the_public_origin_pass() {
    let public = "https://xuetang.example.cn";
    let app = spawn_app_with(|c| c.base_url = Some(format!("{public}/"))).await;
    app.seed_demo().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Behind a TLS proxy the browser's Origin is the public URL, while the
    // Host header may name the upstream.
    let login = client
        .post(format!("{}/api/login", app.base))
        .header("origin", public)
        .form(&[("phone", HOTEL_OPERATOR), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token = set_cookies(login.headers())
        .into_iter()
        .find(|c| c.starts_with("xt_session="))
        .expect("a session cookie");
    assert!(token.contains("; Secure"), "{token}");
    assert!(login.headers().contains_key("strict-transport-security"));
    // Every other cookie too, such as the large-text preference.
    let text_size = client
        .get(format!("{}/text-size?size=large&back=/", app.base))
        .send()
        .await
        .unwrap();
    let cookies = set_cookies(text_size.headers());
    assert!(!cookies.is_empty());
    assert!(
        cookies.iter().all(|c| c.contains("; Secure")),
        "{cookies:?}"
    );
    let evil = client
        .post(format!("{}/api/login", app.base))
        .header("origin", EVIL)
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);

    // On plain http nothing claims Secure.
    let plain = spawn_app().await;
    plain.seed_demo().await;
    let login = client
        .post(format!("{}/api/login", plain.base))
        .form(&[("phone", HOTEL_OPERATOR), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookies = set_cookies(login.headers());
    assert!(!cookies.is_empty());
    assert!(cookies.iter().all(|c| !c.contains("Secure")), "{cookies:?}");
    assert!(!login.headers().contains_key("strict-transport-security"));
}

const SCRIPT_NAME: &str = "<script>alert(1)</script>";
const IMG_NAME: &str = "\"><img src=x onerror=alert(1)>";
const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.example\",\"点我\")";
/// How the two names read once escaped for HTML or SVG.
const SCRIPT_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
const IMG_ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;";

/// No markup from a name survives into `body` as markup, and the names in
/// `shown` are there, escaped (so the check is not vacuous).
fn assert_inert(what: &str, body: &str, shown: &[&str]) {
    for raw in ["<script>alert", "<img src=x", "onerror=alert(1)>"] {
        if let Some(at) = body.find(raw) {
            panic!("{what}: raw {raw:?} in …{}…", excerpt(body, at));
        }
    }
    for escaped in shown {
        let main = body.find("<main").unwrap_or(0);
        assert!(
            body.contains(escaped),
            "{what}: {escaped:?} not in …{}…",
            excerpt(body, main)
        );
    }
}

/// A few hundred characters of `body` around byte `at`.
fn excerpt(body: &str, at: usize) -> String {
    body.chars()
        .skip(body[..at].chars().count().saturating_sub(200))
        .take(1500)
        .collect()
}

fn quoted(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

/// The `(membership, person)` ids of the person named `name`.
async fn member(app: &TestApp, name: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT m.id, p.id FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.name = $1",
    )
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn script_in_names_is_shown_as_text_everywhere() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let roster = format!(
        "姓名,手机号,岗位,入职日期\n{},13700001111,消防控制室值班员,2024-03-01\n{},13700002222,员工,2024-03-01\n{},13700003333,员工,2024-03-01\n",
        quoted(SCRIPT_NAME),
        quoted(IMG_NAME),
        quoted(FORMULA_NAME)
    );
    let uploaded = admin.upload(hotel, "名册.csv", roster.into_bytes()).await;
    assert_eq!(uploaded.status, 200, "{uploaded:?}");
    let preview = uploaded.location.unwrap();
    let import = preview.rsplit('/').next().unwrap().to_string();
    let page = admin.get(&preview).await;
    assert_inert("import preview", &page.body, &[SCRIPT_ESCAPED, IMG_ESCAPED]);
    let committed = admin
        .call(
            "commit_import",
            &[("unit_id", &hotel.to_string()), ("import_id", &import)],
        )
        .await;
    assert_eq!(committed.status, 200, "{committed:?}");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM people WHERE phone LIKE '137000%' ORDER BY phone")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        names,
        [SCRIPT_NAME, IMG_NAME, FORMULA_NAME],
        "stored as given"
    );

    let (script_membership, script_person) = member(&app, SCRIPT_NAME).await;
    let (img_membership, _) = member(&app, IMG_NAME).await;
    let both = [SCRIPT_ESCAPED, IMG_ESCAPED];
    for (what, path, shown) in [
        ("roster", format!("/admin/units/{hotel}?q=alert"), &both[..]),
        (
            "member",
            format!("/admin/units/{hotel}/members/{script_membership}"),
            &both[..1],
        ),
        (
            "member",
            format!("/admin/units/{hotel}/members/{img_membership}"),
            &both[1..],
        ),
        (
            "credentials",
            format!("/admin/units/{hotel}/credentials"),
            &both[..1],
        ),
        (
            "coverage action lists",
            format!("/admin/units/{hotel}/coverage"),
            &both[..1],
        ),
        (
            "training",
            format!("/admin/units/{hotel}/sessions"),
            &both[..],
        ),
    ] {
        let page = admin.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_inert(what, &page.body, shown);
    }

    // The audit log names the person a login code was made for.
    let issued = admin
        .post_form(
            "issue_login_code",
            &[
                ("unit_id", &hotel.to_string()),
                ("membership_id", &script_membership.to_string()),
                ("person_id", &script_person.to_string()),
            ],
            &format!("/admin/units/{hotel}/members/{script_membership}"),
        )
        .await;
    assert_eq!(issued.status, 302, "{issued:?}");
    let shown_once = admin
        .get(&format!("/admin/units/{hotel}/members/{script_membership}"))
        .await;
    let code: String = shown_once
        .body
        .split("一次性登录码：")
        .nth(1)
        .expect("the code is shown")
        .chars()
        .take(8)
        .collect();
    let town = app.logged_in(TOWN_ADMIN).await;
    let village = app.region_id("JF-JF").await;
    let audit = town.get(&format!("/admin/regions/{village}/audit")).await;
    assert_inert("audit log", &audit.body, &both[..1]);

    // The person earns a certificate: its page, the public verify page
    // (masked name), SVG and PNG.
    let holder = app.session();
    assert_eq!(holder.login("13700001111", &code).await.status, 200);
    let changed = holder
        .call(
            "change_password",
            &[
                ("current", &code),
                ("new", "script-kiddie-2026"),
                ("confirm", "script-kiddie-2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    let attempt = holder.pass_exam(&app, "control-room-operator").await;
    let (serial, verify_code): (String, String) =
        sqlx::query_as("SELECT serial, verify_code FROM certificates WHERE attempt_id = $1")
            .bind(attempt)
            .fetch_one(&app.db)
            .await
            .unwrap();
    for (what, path) in [
        ("certificate page", format!("/certificates/{serial}")),
        ("account", "/account".to_string()),
    ] {
        let page = holder.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_inert(what, &page.body, &both[..1]);
    }
    let masked = app::certificates::mask_name(SCRIPT_NAME);
    let verify = app.session().get(&format!("/v/{verify_code}")).await;
    assert_eq!(verify.status, 200);
    assert_inert(
        "verify page",
        &verify.body,
        &[&masked.replace('<', "&lt;").replace('>', "&gt;")],
    );
    let (status, _, svg) = holder
        .bytes(&format!("/certificates/{serial}/certificate.svg"))
        .await;
    assert_eq!(status, 200);
    let svg = String::from_utf8(svg).unwrap();
    // Long names are shortened with "…" on the certificate.
    assert_inert("certificate SVG", &svg, &["&lt;script&gt;alert(1)"]);
    assert!(!svg.contains("<script"), "{svg}");
    let (status, content_type, png) = holder
        .bytes(&format!("/certificates/{serial}/certificate.png"))
        .await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    assert_eq!(
        crate::helpers::decode_qr(&png),
        format!("{}/v/{verify_code}", app.base),
        "the PNG renders whole"
    );

    // The roster export holds the names as text cells: read back, each is
    // the literal name (a formula cell would read back as its result).
    let (status, _, xlsx) = admin
        .bytes(&format!("/admin/units/{hotel}/roster.xlsx"))
        .await;
    assert_eq!(status, 200);
    let sheet = app::roster::read_sheet("roster.xlsx", &xlsx).unwrap();
    let cells: Vec<&String> = sheet.rows.iter().flatten().collect();
    for name in [SCRIPT_NAME, IMG_NAME, FORMULA_NAME] {
        assert!(cells.iter().any(|c| *c == name), "{name} not in the export");
    }
}

#[tokio::test]
async fn unit_names_and_poster_spots_are_inert_in_pages_reports_and_posters() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let village = app.region_id("JF-JF").await.to_string();
    let top = app.region_id("JF").await;
    for name in [SCRIPT_NAME, FORMULA_NAME, "@SUM(1+1)*cmd|' /C calc'!A0"] {
        let made = town
            .call(
                "create_unit",
                &[
                    ("region_id", &village),
                    ("name", name),
                    ("credit_code", ""),
                    ("industry", "学校"),
                ],
            )
            .await;
        assert_eq!(made.status, 200, "{name}: {made:?}");
    }
    let region = town.get(&format!("/admin/regions/{village}")).await;
    assert_inert("region page", &region.body, &[SCRIPT_ESCAPED]);
    let month = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .format(time::macros::format_description!("[year]-[month]"))
        .unwrap();
    let coverage = town.get(&format!("/admin/regions/{top}/coverage")).await;
    assert_inert("region coverage", &coverage.body, &[SCRIPT_ESCAPED]);
    let report = town
        .get(&format!("/admin/regions/{top}/report?month={month}"))
        .await;
    assert_inert("printed report", &report.body, &[SCRIPT_ESCAPED]);

    // CSV: no cell a spreadsheet would run.
    let (status, _, csv) = town
        .bytes(&format!("/admin/regions/{top}/report.csv?month={month}"))
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(csv).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut cells = Vec::new();
    for record in reader.records() {
        cells.extend(record.unwrap().iter().map(str::to_string));
    }
    assert!(
        cells.iter().any(|c| c == &format!("'{FORMULA_NAME}")),
        "{text}"
    );
    for cell in &cells {
        let number = cell
            .strip_prefix('-')
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
        assert!(
            !cell.starts_with(['=', '+', '-', '@']) || number,
            "a formula cell: {cell:?}"
        );
    }

    // A poster for a noticeboard with markup as its spot.
    let made = town
        .call(
            "create_poster",
            &[
                ("region_id", &village),
                ("place_id", &village),
                ("spot", IMG_NAME),
                ("course", "escape-and-119"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{made:?}");
    let (poster, code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM posters WHERE spot = $1")
            .bind(IMG_NAME)
            .fetch_one(&app.db)
            .await
            .unwrap();
    for (what, path, shown) in [
        (
            "posters",
            format!("/admin/regions/{village}/posters"),
            &[IMG_ESCAPED][..],
        ),
        (
            "print",
            format!("/admin/posters/print?ids={poster}&size=a4"),
            &[IMG_ESCAPED],
        ),
        // The printed poster shows the topic, not the spot.
        (
            "poster SVG",
            format!("/admin/posters/{poster}/poster.svg"),
            &[],
        ),
    ] {
        let page = town.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_inert(what, &page.body, shown);
    }
    let landing = app.session().get(&format!("/p/{code}")).await;
    assert_inert("poster landing", &landing.body, &[]);
    let (status, content_type, png) = town
        .bytes(&format!("/admin/posters/{poster}/poster.png"))
        .await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    assert!(crate::helpers::decode_qr(&png).ends_with(&format!("/p/{code}")));
}

#[tokio::test]
async fn oversized_and_disguised_uploads_are_refused_with_a_message() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let hotel = app.unit_id("嘉峰宾馆").await;
    let admin = app.logged_in(HOTEL_ADMIN).await;
    let before = row_counts(&app).await;

    // Past the cap on any request body: refused before a handler reads it.
    let huge = vec![b'a'; xuetang::security::MAX_BODY_BYTES + 1];
    let refused = admin.upload(hotel, "名册.csv", huge).await;
    assert_eq!(refused.status, 413, "{refused:?}");
    assert!(refused.body.contains("提交的内容太大"), "{}", refused.body);
    // Under the body cap but over the roster's own limit.
    let mut big = "姓名,手机号\n".as_bytes().to_vec();
    big.resize(app::actions::roster::MAX_BYTES + 1, b'a');
    let refused = admin.upload(hotel, "名册.csv", big).await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(refused.body.contains("文件超过 5 MB"), "{}", refused.body);

    // Not a roster, whatever the name says.
    let mut png = Vec::new();
    image::RgbImage::new(8, 8)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let exe =
        b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0This program cannot be run in DOS mode.".to_vec();
    for (name, bytes) in [("名册.xlsx", png.clone()), ("setup.exe", exe.clone())] {
        let refused = admin.upload(hotel, name, bytes).await;
        assert_eq!(refused.status, 400, "{name}: {refused:?}");
        assert!(
            refused
                .body
                .contains("无法识别文件内容，请上传 .xlsx 或 CSV 格式的名册")
                || refused.body.contains("未找到表头"),
            "{name}: a message that names the problem: {}",
            refused.body
        );
    }

    // A credential photo: only JPEG or PNG, at most 8 MB.
    let (_, operator) = sqlx::query_as::<_, (i64, i64)>(
        "SELECT m.id, p.id FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.phone = $1",
    )
    .bind(HOTEL_OPERATOR)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let fields = |number: &'static str| {
        vec![
            ("unit_id", hotel.to_string()),
            ("person_id", operator.to_string()),
            ("level", "四级".to_string()),
            ("number", number.to_string()),
            ("issuer", "山西省职业技能鉴定中心".to_string()),
            ("issued_on", "2024-01-01".to_string()),
            ("expires_on", String::new()),
        ]
    };
    let mut oversized_photo = b"\xff\xd8\xff\xe0".to_vec();
    oversized_photo.resize(app::actions::credentials::MAX_PHOTO_BYTES + 1, 0);
    for (file, bytes, message) in [
        ("photo.jpg", exe, "照片只能是 JPEG 或 PNG 图片"),
        (
            "photo.jpg",
            b"<svg onload=alert(1)>".to_vec(),
            "照片只能是 JPEG 或 PNG 图片",
        ),
        ("photo.jpg", oversized_photo, "照片不能超过 8 MB"),
    ] {
        let form = fields("S140512345678");
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = admin
            .multipart("register_credential", &form, Some(("photo", file, bytes)))
            .await;
        assert_eq!(refused.status, 400, "{refused:?}");
        assert!(refused.body.contains(message), "{}", refused.body);
    }
    assert_eq!(row_counts(&app).await, before, "nothing was written");
}
