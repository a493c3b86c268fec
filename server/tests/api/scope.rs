//! Every admin server function refuses callers outside its scope, and the
//! table fails when a server function has no case.

use crate::helpers::{
    DOUZHUANG_ADMIN, HOTEL_ADMIN, HOTEL_OPERATOR, Session, TOWN_ADMIN, TestApp, fixture, spawn_app,
};
use std::collections::BTreeSet;

/// Server functions anyone may call (they check what they show).
const PUBLIC: &[&str] = &[
    "town_overview",
    "about",
    "login",
    "logout",
    "session_user",
    "join_info",
    "register_join",
    "catalogue",
    "course_page",
    "lesson_page",
    "tip_page",
    "tip_list",
    "poster_landing",
    "search_lessons",
    "verify_certificate",
];
/// Server functions for any signed-in person, about themselves only.
const OWN: &[&str] = &[
    "change_password",
    "my_account",
    "request_join",
    "mark_read",
    "exam_intro",
    "start_exam",
    "exam_screen",
    "save_answer",
    "submit_exam",
    "exam_result",
    "my_certificates",
];

/// Ids in the demo town: a unit and region the caller must not reach.
struct Foreign {
    unit: String,
    region: String,
    membership: String,
    person: String,
    request: String,
    import: String,
    /// A certificate held by someone only in the mall.
    certificate: String,
    /// A credential of someone in the mall.
    credential: String,
    /// A poster in 嘉峰村.
    poster: String,
}

async fn foreign_to_the_hotel(app: &TestApp) -> Foreign {
    // 嘉峰商贸综合体 is in 嘉峰村 like the hotel, but another unit.
    let mall = app.unit_id("嘉峰商贸综合体").await;
    let (membership, person): (i64, i64) = sqlx::query_as(
        "SELECT id, person_id FROM memberships WHERE unit_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(mall)
    .fetch_one(&app.db)
    .await
    .unwrap();
    // A pending request and an uploaded import in the mall, made by the town admin.
    let town = app.logged_in(TOWN_ADMIN).await;
    let renewed = town
        .call("renew_join_link", &[("unit_id", &mall.to_string())])
        .await;
    assert_eq!(renewed.status, 200);
    let token: String = sqlx::query_scalar("SELECT token FROM join_links WHERE unit_id = $1")
        .bind(mall)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let joined = app
        .session()
        .call(
            "register_join",
            &[
                ("token", &token),
                ("name", "新员工"),
                ("phone", "13711110000"),
                ("password", "new-worker-1"),
                ("post", "员工"),
            ],
        )
        .await;
    assert_eq!(joined.status, 200, "{joined:?}");
    let request: i64 = sqlx::query_scalar("SELECT id FROM join_requests")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        town.upload(mall, "good_utf8.csv", fixture("good_utf8.csv"))
            .await
            .status,
        200
    );
    let import: i64 = sqlx::query_scalar("SELECT id FROM roster_imports")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let certificate: String = sqlx::query_scalar(
        "SELECT c.serial FROM certificates c WHERE c.person_id IN (SELECT person_id FROM memberships WHERE unit_id = $1) \
         AND c.person_id NOT IN (SELECT person_id FROM memberships WHERE unit_id <> $1) ORDER BY c.id LIMIT 1",
    )
    .bind(mall)
    .fetch_one(&app.db)
    .await
    .expect("the demo history has certificates in the mall");
    let credential: i64 = sqlx::query_scalar(
        "SELECT c.id FROM credentials c WHERE c.person_id IN (SELECT person_id FROM memberships WHERE unit_id = $1) \
         ORDER BY c.id LIMIT 1",
    )
    .bind(mall)
    .fetch_one(&app.db)
    .await
    .expect("the demo history has credentials in the mall");
    // A poster in 嘉峰村, made by the town admin.
    let region = app.region_id("JF-JF").await.to_string();
    let made = town
        .call(
            "create_poster",
            &[
                ("region_id", &region),
                ("place_id", &region),
                ("spot", "村口公示栏"),
                ("course", "escape-and-119"),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{made:?}");
    let poster: i64 =
        sqlx::query_scalar("SELECT id FROM posters WHERE region_id = $1 AND spot = '村口公示栏'")
            .bind(region.parse::<i64>().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    Foreign {
        poster: poster.to_string(),
        certificate,
        credential: credential.to_string(),
        unit: mall.to_string(),
        region,
        membership: membership.to_string(),
        person: person.to_string(),
        request: request.to_string(),
        import: import.to_string(),
    }
}

/// Each admin server function with arguments aimed at `f`.
fn admin_calls(f: &Foreign) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let unit = || ("unit_id", f.unit.clone());
    vec![
        ("admin_home", vec![]),
        (
            "region_view",
            vec![
                ("region_id", f.region.clone()),
                ("search", String::new()),
                ("page", "1".into()),
            ],
        ),
        (
            "create_unit",
            vec![
                ("region_id", f.region.clone()),
                ("name", "越权单位".into()),
                ("credit_code", String::new()),
                ("industry", "学校".into()),
            ],
        ),
        (
            "audit_view",
            vec![("region_id", f.region.clone()), ("page", "1".into())],
        ),
        (
            "unit_view",
            vec![unit(), ("search", String::new()), ("page", "1".into())],
        ),
        (
            "update_unit",
            vec![
                unit(),
                ("name", "改名".into()),
                ("credit_code", String::new()),
                ("industry", "学校".into()),
            ],
        ),
        ("renew_join_link", vec![unit()]),
        (
            "decide_join",
            vec![
                unit(),
                ("request_id", f.request.clone()),
                ("decision", "approve".into()),
            ],
        ),
        (
            "member_view",
            vec![unit(), ("membership_id", f.membership.clone())],
        ),
        (
            "end_membership",
            vec![unit(), ("membership_id", f.membership.clone())],
        ),
        (
            "issue_login_code",
            vec![
                unit(),
                ("membership_id", f.membership.clone()),
                ("person_id", f.person.clone()),
            ],
        ),
        (
            "set_unit_admin",
            vec![
                unit(),
                ("membership_id", f.membership.clone()),
                ("person_id", f.person.clone()),
                ("admin", "1".into()),
            ],
        ),
        (
            "import_preview",
            vec![unit(), ("import_id", f.import.clone())],
        ),
        (
            "commit_import",
            vec![unit(), ("import_id", f.import.clone())],
        ),
        // upload_roster and register_credential are multipart; see `call`.
        ("upload_roster", vec![]),
        (
            "register_credential",
            vec![
                unit(),
                ("person_id", f.person.clone()),
                ("level", "四级".into()),
                ("number", "S140599990001".into()),
                ("issuer", "越权".into()),
                ("issued_on", "2024-01-01".into()),
                ("expires_on", String::new()),
            ],
        ),
        ("certificate_view", vec![("serial", f.certificate.clone())]),
        (
            "revoke_certificate",
            vec![
                ("serial", f.certificate.clone()),
                ("reason", "越权撤销".into()),
            ],
        ),
        ("credentials_view", vec![unit()]),
        (
            "check_credential",
            vec![unit(), ("credential_id", f.credential.clone())],
        ),
        (
            "withdraw_credential",
            vec![unit(), ("credential_id", f.credential.clone())],
        ),
        ("sessions_view", vec![unit()]),
        (
            "log_session",
            vec![
                unit(),
                ("kind", "drill".into()),
                ("held_on", "2026-01-05".into()),
                ("topic", "越权演练".into()),
            ],
        ),
        ("unit_coverage", vec![unit(), ("date", String::new())]),
        (
            "region_coverage",
            vec![("region_id", f.region.clone()), ("date", String::new())],
        ),
        (
            "unit_coverage_actions",
            vec![
                unit(),
                ("date", String::new()),
                ("list", "operators-without".into()),
            ],
        ),
        (
            "region_coverage_actions",
            vec![
                ("region_id", f.region.clone()),
                ("date", String::new()),
                ("list", "overdue-drill".into()),
            ],
        ),
        (
            "region_report",
            vec![
                ("region_id", f.region.clone()),
                ("month", "2026-10".into()),
                ("year", String::new()),
            ],
        ),
        ("posters_view", vec![("region_id", f.region.clone())]),
        (
            "create_poster",
            vec![
                ("region_id", f.region.clone()),
                ("place_id", f.region.clone()),
                ("spot", "越权海报".into()),
                ("course", "gas-and-co".into()),
            ],
        ),
        (
            "create_posters",
            vec![
                ("region_id", f.region.clone()),
                ("spot", "越权海报".into()),
                ("size", "a4".into()),
                ("places[]", f.region.clone()),
                ("courses[]", "gas-and-co".into()),
            ],
        ),
        (
            "poster_print",
            vec![("ids", f.poster.clone()), ("size", "a4".into())],
        ),
    ]
}

async fn call(
    s: &Session,
    endpoint: &str,
    args: &[(&'static str, String)],
) -> crate::helpers::Reply {
    if endpoint == "upload_roster" {
        let unit: i64 = args
            .iter()
            .find(|(k, _)| *k == "unit_id")
            .map_or(0, |(_, v)| v.parse().unwrap());
        return s
            .upload(unit, "good_utf8.csv", fixture("good_utf8.csv"))
            .await;
    }
    let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if endpoint == "register_credential" {
        return s.multipart(endpoint, &form, None).await;
    }
    s.call(endpoint, &form).await
}

#[tokio::test]
async fn every_server_function_is_in_the_scope_table() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let foreign = Foreign {
        unit: String::new(),
        region: String::new(),
        membership: String::new(),
        person: String::new(),
        request: String::new(),
        import: String::new(),
        certificate: String::new(),
        credential: String::new(),
        poster: String::new(),
    };
    let covered: BTreeSet<String> = admin_calls(&foreign)
        .into_iter()
        .map(|(e, _)| e.to_string())
        .chain(PUBLIC.iter().chain(OWN).map(|e| e.to_string()))
        .collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without a scope case: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "scope cases for server functions that do not exist: {stale:?}"
    );
}

#[tokio::test]
async fn a_unit_admin_gets_403_on_another_units_data() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let f = foreign_to_the_hotel(&app).await;
    let hotel_admin = app.logged_in(HOTEL_ADMIN).await;
    let before = app.count("SELECT COUNT(*) FROM audit_log").await;
    for (endpoint, args) in admin_calls(&f) {
        if endpoint == "admin_home" {
            continue; // a unit admin has a home of their own
        }
        let reply = call(&hotel_admin, endpoint, &args).await;
        assert_eq!(reply.status, 403, "{endpoint}: {reply:?}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        before,
        "nothing was done"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM units WHERE name = '越权单位'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certificates WHERE revoked_at IS NOT NULL").await
            + app.count("SELECT COUNT(*) FROM credentials WHERE number = 'S140599990001' OR withdrawn_at IS NOT NULL").await
            + app.count("SELECT COUNT(*) FROM training_sessions WHERE topic = '越权演练'").await
            + app.count("SELECT COUNT(*) FROM posters WHERE spot = '越权海报'").await,
        0,
        "no certificate revoked, credential registered or withdrawn, session logged, poster made"
    );
    let page = hotel_admin.get(&format!("/admin/units/{}", f.unit)).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("无权访问"));
    let download = hotel_admin
        .get(&format!("/admin/units/{}/roster.xlsx", f.unit))
        .await;
    assert_eq!(download.status, 403);
}

#[tokio::test]
async fn a_village_admin_gets_403_on_another_village() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let f = foreign_to_the_hotel(&app).await;
    let douzhuang = app.logged_in(DOUZHUANG_ADMIN).await;
    for (endpoint, args) in admin_calls(&f) {
        if endpoint == "admin_home" {
            continue;
        }
        let reply = call(&douzhuang, endpoint, &args).await;
        assert_eq!(reply.status, 403, "{endpoint}: {reply:?}");
    }
    // …while their own village and its units are open to them.
    let own_region = app.region_id("JF-DZ").await.to_string();
    let own = douzhuang
        .call(
            "region_view",
            &[("region_id", &own_region), ("search", ""), ("page", "1")],
        )
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    let scenic = app.unit_id("窦庄古城景区").await.to_string();
    let unit = douzhuang
        .call(
            "unit_view",
            &[("unit_id", &scenic), ("search", ""), ("page", "1")],
        )
        .await;
    assert_eq!(unit.status, 200);
    // The town above is not theirs.
    let town = app.region_id("JF").await.to_string();
    assert_eq!(
        douzhuang
            .call(
                "region_view",
                &[("region_id", &town), ("search", ""), ("page", "1")]
            )
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn learners_and_visitors_reach_no_admin_function() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let f = foreign_to_the_hotel(&app).await;
    let learner = app.logged_in(HOTEL_OPERATOR).await;
    let visitor = app.session();
    for (endpoint, args) in admin_calls(&f) {
        assert_eq!(
            call(&learner, endpoint, &args).await.status,
            403,
            "learner: {endpoint}"
        );
        assert_eq!(
            call(&visitor, endpoint, &args).await.status,
            401,
            "visitor: {endpoint}"
        );
    }
    assert_eq!(visitor.call("my_account", &[]).await.status, 401);
    let page = visitor.get("/admin").await;
    assert_eq!(page.status, 302);
    assert_eq!(page.location.as_deref(), Some("/login?next=/admin"));
}

#[tokio::test]
async fn the_town_admin_reaches_every_unit_in_the_town() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let f = foreign_to_the_hotel(&app).await;
    let town = app.logged_in(TOWN_ADMIN).await;
    let reply = town
        .call(
            "unit_view",
            &[("unit_id", &f.unit), ("search", ""), ("page", "1")],
        )
        .await;
    assert_eq!(reply.status, 200);
    let audit = town
        .call("audit_view", &[("region_id", &f.region), ("page", "1")])
        .await;
    assert_eq!(audit.status, 200);
}
