//! What a visitor meets when the database is gone, and an open exam
//! carried over to another server process on the same database (a restart,
//! or a second instance behind a load balancer). The long-running versions
//! — kill -9 under load, PostgreSQL stopped for 10 s, two instances behind
//! nginx — are `make reliability` (docs/RELIABILITY.md).

use crate::helpers::{HOTEL_OPERATOR, Server, Session, TestApp, serve_config, spawn_app};
use std::time::{Duration, Instant};
use xuetang::config::DatabaseConfig;

const UNAVAILABLE: &str = "服务暂时不可用，请稍后再试";

#[tokio::test]
async fn without_its_database_the_server_answers_a_friendly_503_at_once() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let code: String = sqlx::query_scalar("SELECT code FROM posters ORDER BY id LIMIT 1")
        .fetch_one(&app.db)
        .await
        .expect("the demo town has posters");
    let learner = app.logged_in(HOTEL_OPERATOR).await;
    // The server's pool closed: every query fails as when the database is
    // unreachable.
    app.server.db.close().await;

    let started = Instant::now();
    let page = app.get(&format!("/p/{code}")).await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("<html"), "a whole page: {}", page.body);
    assert!(page.body.contains(UNAVAILABLE), "{}", page.body);
    for internal in ["sqlx", "pool", "error returned"] {
        assert!(!page.body.contains(internal), "leaks {internal}");
    }

    let page = learner.get("/courses").await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains(UNAVAILABLE), "{}", page.body);

    // The exam page's script gets the error it shows as that message.
    let reply = learner
        .call("start_exam", &[("course", "employee-induction")])
        .await;
    assert_eq!(reply.status, 503, "{reply:?}");
    let error: app::error::AppError = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(error, app::error::AppError::Unavailable);

    assert_eq!(app.get("/healthz").await.status, 503);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "failing took {:?}",
        started.elapsed()
    );

    // Tip pages come from memory and keep working.
    let tip = app.get("/t/sanqing-sanguan").await;
    assert_eq!(tip.status, 200);
}

#[tokio::test]
async fn an_open_exam_resumes_on_another_server_process_with_its_answers() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let learner = app.logged_in(HOTEL_OPERATOR).await;
    let started = learner
        .call("start_exam", &[("course", "employee-induction")])
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let attempt = started.location.clone().unwrap();
    let id = attempt_id(&attempt);
    let saved = learner
        .call(
            "save_answer",
            &[
                ("attempt", id.as_str()),
                ("position", "1"),
                ("go", "stay"),
                first_option(&app, &id).await,
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{saved:?}");

    // A second process on the same database, as after a restart or behind
    // a load balancer; the learner's cookie is all it knows of them.
    let other = second_server(&app).await;
    let there = Session {
        base: other.base.clone(),
        client: learner.client.clone(),
    };
    let again = there
        .call("start_exam", &[("course", "employee-induction")])
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.location, Some(attempt), "the same attempt");
    let question = there.get(&format!("/exam/{id}/1")).await;
    assert_eq!(question.status, 200);
    assert!(
        question.body.contains("checked"),
        "the saved answer is shown as chosen"
    );
    let submitted = there.call("submit_exam", &[("attempt", id.as_str())]).await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    let graded: Option<i64> =
        sqlx::query_scalar("SELECT score_tenths FROM exam_attempts WHERE id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(graded.is_some());
}

fn attempt_id(location: &str) -> String {
    location
        .trim_start_matches("/exam/")
        .trim_end_matches("/1")
        .to_string()
}

/// The form field that picks the first option of the attempt's first
/// question: a box to tick for multiple choice, else a pick.
async fn first_option(app: &TestApp, attempt: &str) -> (&'static str, &'static str) {
    let json: String = sqlx::query_scalar(
        "SELECT question_json FROM attempt_questions WHERE attempt_id = $1 AND position = 1",
    )
    .bind(attempt.parse::<i64>().unwrap())
    .fetch_one(&app.db)
    .await
    .unwrap();
    let q: app::quiz::gift::Question = serde_json::from_str(&json).unwrap();
    if matches!(q.kind, app::quiz::gift::Kind::Multiple(_)) {
        ("c0", "1")
    } else {
        ("pick", "0")
    }
}

/// Another server on `app`'s database.
async fn second_server(app: &TestApp) -> Server {
    Server::start(
        DatabaseConfig {
            database_url: app.database.url.clone(),
            db_max_connections: 5,
        },
        serve_config(),
    )
    .await
}
