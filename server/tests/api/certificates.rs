//! Certificates: issued on passing, shown as SVG and PNG with a QR that
//! opens the public verify page, superseded by a retake, revoked with a
//! reason, and published as an Open Badges 2.0 assertion.

use crate::helpers::{HOTEL_OPERATOR, TOWN_ADMIN, TestApp, spawn_app};

const COURSE: &str = "control-room-operator";

async fn certificate_of(app: &TestApp, attempt: i64) -> (String, String) {
    sqlx::query_as("SELECT serial, verify_code FROM certificates WHERE attempt_id = $1")
        .bind(attempt)
        .fetch_one(&app.db)
        .await
        .expect("a pass issues a certificate")
}

#[tokio::test]
async fn passing_issues_a_certificate_whose_png_qr_opens_the_verify_page() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let before = app.count("SELECT COUNT(*) FROM certificates").await;
    let learner = app.logged_in(HOTEL_OPERATOR).await;
    let attempt = learner.pass_exam(&app, COURSE).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM certificates").await,
        before + 1
    );
    let (serial, code) = certificate_of(&app, attempt).await;
    let year = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .year();
    let prefix = format!("JF-{year}-");
    assert!(
        serial.starts_with(&prefix) && serial.len() == prefix.len() + 6,
        "{serial}"
    );
    assert_eq!(code.len(), 20, "100 bits in base32");
    let (issued_on, valid_until): (String, Option<String>) =
        sqlx::query_as("SELECT issued_on, valid_until FROM certificates WHERE serial = $1")
            .bind(&serial)
            .fetch_one(&app.db)
            .await
            .unwrap();
    // The operator course is valid 12 months: until the day before the anniversary.
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let issued = time::Date::parse(&issued_on, &format).unwrap();
    let expected = app::domain::date::add_months(issued, 12)
        .previous_day()
        .unwrap();
    assert_eq!(valid_until.as_deref(), Some(expected.to_string().as_str()));

    // The result page links the certificate; the page and images are the holder's.
    let result = learner.get(&format!("/exam/{attempt}/result")).await;
    assert!(
        result.body.contains(&format!("/certificates/{serial}")),
        "{}",
        result.body
    );
    let page = learner.get(&format!("/certificates/{serial}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("培训合格证明"));
    let mine = learner.get("/certificates").await;
    assert!(mine.body.contains(&serial));
    let (status, content_type, svg) = learner
        .bytes(&format!("/certificates/{serial}/certificate.svg"))
        .await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "image/svg+xml; charset=utf-8")
    );
    assert!(String::from_utf8(svg).unwrap().contains(&serial));
    let (status, content_type, png) = learner
        .bytes(&format!("/certificates/{serial}/certificate.png"))
        .await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    let url = crate::helpers::decode_qr(&png);
    assert_eq!(url, format!("{}/v/{code}", app.base));

    // Another learner and a visitor cannot open it.
    let stranger = app.logged_in("19950470114").await;
    assert_eq!(
        stranger
            .get(&format!("/certificates/{serial}"))
            .await
            .status,
        403
    );
    assert_eq!(
        stranger
            .bytes(&format!("/certificates/{serial}/certificate.png"))
            .await
            .0,
        403
    );
    assert_eq!(
        app.session()
            .bytes(&format!("/certificates/{serial}/certificate.png"))
            .await
            .0,
        303
    );

    // The QR's URL, opened by anyone: masked name, course, dates, status.
    let name: String = sqlx::query_scalar("SELECT name FROM people WHERE phone = $1")
        .bind(HOTEL_OPERATOR)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let verify = app.session().get(url.trim_start_matches(&app.base)).await;
    assert_eq!(verify.status, 200);
    assert!(
        verify.body.contains(&app::certificates::mask_name(&name)),
        "{}",
        verify.body
    );
    assert!(!verify.body.contains(&name), "the full name stays private");
    assert!(verify.body.contains("有效"));
    assert!(verify.body.contains(&serial));
    assert!(verify.body.contains("消防控制室值班员"));

    // Open Badges 2.0: assertion, badge class and issuer at stable URLs.
    let assertion = app
        .session()
        .get(&format!("/v/{code}/assertion.json"))
        .await;
    assert_eq!(assertion.status, 200);
    let json: serde_json::Value = serde_json::from_str(&assertion.body).unwrap();
    assert_eq!(json["type"], "Assertion");
    assert_eq!(json["@context"], "https://w3id.org/openbadges/v2");
    assert_eq!(json["id"], format!("{}/v/{code}/assertion.json", app.base));
    assert_eq!(json["verification"]["type"], "hosted");
    assert_eq!(json["recipient"]["hashed"], true);
    assert!(
        json["recipient"]["identity"]
            .as_str()
            .unwrap()
            .starts_with("sha256$")
    );
    assert!(!assertion.body.contains(HOTEL_OPERATOR) && !assertion.body.contains(&name));
    assert!(json.get("revoked").is_none());
    let badge = app.session().get(&format!("/badges/{COURSE}.json")).await;
    let badge: serde_json::Value = serde_json::from_str(&badge.body).unwrap();
    assert_eq!(badge["type"], "BadgeClass");
    assert_eq!(json["badge"], badge["id"]);
    let issuer = app.session().get("/badges/issuer.json").await;
    let issuer: serde_json::Value = serde_json::from_str(&issuer.body).unwrap();
    assert_eq!(issuer["type"], "Issuer");
    assert_eq!(badge["issuer"], issuer["id"]);
}

#[tokio::test]
async fn a_retake_after_expiry_supersedes_and_an_admin_revokes_with_a_reason() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let learner = app.logged_in(HOTEL_OPERATOR).await;
    let first = learner.pass_exam(&app, COURSE).await;
    let (old_serial, old_code) = certificate_of(&app, first).await;
    // A year on: the certificate has run out.
    sqlx::query("UPDATE certificates SET issued_on = '2024-01-10', valid_until = '2025-01-09' WHERE serial = $1")
        .bind(&old_serial)
        .execute(&app.db)
        .await
        .unwrap();
    let expired = app.session().get(&format!("/v/{old_code}")).await;
    assert!(expired.body.contains("已过期"), "{}", expired.body);

    let second = learner.pass_exam(&app, COURSE).await;
    let (new_serial, new_code) = certificate_of(&app, second).await;
    assert_ne!(old_serial, new_serial);
    let old = app.session().get(&format!("/v/{old_code}")).await;
    assert_eq!(old.status, 200, "the old one stays verifiable");
    assert!(old.body.contains("已被新证书替代"), "{}", old.body);
    assert!(
        app.session()
            .get(&format!("/v/{new_code}"))
            .await
            .body
            .contains("有效")
    );

    // The learner cannot revoke their own; the town admin can, with a reason.
    let own = learner
        .call(
            "revoke_certificate",
            &[("serial", &new_serial), ("reason", "想撤销")],
        )
        .await;
    assert_eq!(own.status, 403);
    let town = app.logged_in(TOWN_ADMIN).await;
    let no_reason = town
        .call(
            "revoke_certificate",
            &[("serial", &new_serial), ("reason", "  ")],
        )
        .await;
    assert_eq!(no_reason.status, 400);
    assert!(no_reason.body.contains("撤销原因"));
    let revoked = town
        .call(
            "revoke_certificate",
            &[("serial", &new_serial), ("reason", "考试由他人代考")],
        )
        .await;
    assert_eq!(revoked.status, 200, "{revoked:?}");
    let page = app.session().get(&format!("/v/{new_code}")).await;
    assert!(
        page.body.contains("已撤销") && page.body.contains("考试由他人代考"),
        "{}",
        page.body
    );
    let assertion: serde_json::Value = serde_json::from_str(
        &app.session()
            .get(&format!("/v/{new_code}/assertion.json"))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(assertion["revoked"], true);
    assert_eq!(assertion["revocationReason"], "考试由他人代考");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke'")
            .await,
        1
    );
    let again = town
        .call(
            "revoke_certificate",
            &[("serial", &new_serial), ("reason", "再次")],
        )
        .await;
    assert_eq!(again.status, 400);
}

#[tokio::test]
async fn unknown_codes_get_404_and_a_scan_is_locked_out() {
    let app = spawn_app().await;
    let visitor = app.session();
    let unknown = visitor.get("/v/00000000000000000000").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("未找到这份证书"));
    assert_eq!(visitor.get("/v/not-a-code").await.status, 404);
    assert_eq!(
        visitor
            .get("/v/00000000000000000000/assertion.json")
            .await
            .status,
        404
    );
    // Misses through the page and the JSON count together; the 30th locks
    // the address, so the 31st request is refused even for a real code.
    for miss in 4..=30 {
        let status = visitor.get("/v/00000000000000000001").await.status;
        assert_eq!(status, 404, "miss {miss}");
    }
    assert_eq!(visitor.get("/v/00000000000000000002").await.status, 429);
    assert_eq!(
        visitor
            .get("/v/00000000000000000003/assertion.json")
            .await
            .status,
        429
    );
}
