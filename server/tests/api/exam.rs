use crate::helpers::{HOTEL_OPERATOR, Session, TestApp, spawn_app};

const COURSE: &str = "sanqing-sanguan";

async fn start(app: &TestApp, s: &Session) -> i64 {
    let started = s.call("start_exam", &[("course", COURSE)]).await;
    assert_eq!(started.status, 200, "{started:?}");
    let location = started.location.unwrap();
    assert!(location.ends_with("/1"), "{location}");
    let _ = app;
    location
        .trim_start_matches("/exam/")
        .trim_end_matches("/1")
        .parse()
        .unwrap()
}

/// The explanations and feedback of the attempt's questions: none of it may
/// reach the browser before the attempt is closed.
async fn secrets(app: &TestApp, attempt: i64) -> Vec<String> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT question_json FROM attempt_questions WHERE attempt_id = $1")
            .bind(attempt)
            .fetch_all(&app.db)
            .await
            .unwrap();
    let mut out = Vec::new();
    for json in rows {
        let q: app::quiz::gift::Question = serde_json::from_str(&json).unwrap();
        out.push(q.explanation.clone());
        if let app::quiz::gift::Kind::Single(c) | app::quiz::gift::Kind::Multiple(c) = &q.kind {
            out.extend(
                c.iter()
                    .map(|c| c.feedback.clone())
                    .filter(|f| f.chars().count() > 4),
            );
        }
    }
    out
}

/// The form field that picks the first option of question `n`.
async fn first_option(s: &Session, attempt: i64, n: usize) -> (&'static str, &'static str) {
    let screen = s
        .call(
            "exam_screen",
            &[
                ("attempt", &attempt.to_string()),
                ("position", &n.to_string()),
            ],
        )
        .await
        .json();
    if screen["multiple"].as_bool().unwrap() {
        ("c0", "1")
    } else {
        ("pick", "0")
    }
}

fn assert_no_key(what: &str, body: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!body.contains(s.as_str()), "{what} leaks {s:?}");
    }
    for marker in [
        "weight",
        "explanation",
        "feedback",
        "is_right",
        "\"order\"",
        "option_order",
        "question_json",
    ] {
        assert!(!body.contains(marker), "{what} contains {marker}");
    }
}

#[tokio::test]
async fn an_exam_is_drawn_on_the_server_answered_resumed_and_graded_without_leaking_the_key() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.logged_in(HOTEL_OPERATOR).await;
    let intro = s.call("exam_intro", &[("course", COURSE)]).await.json();
    assert_eq!(intro["questions"], 20);
    let attempt = start(&app, &s).await;
    let secrets = secrets(&app, attempt).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM attempt_questions WHERE attempt_id = {attempt}"
        ))
        .await,
        20
    );

    // Answer every question with the first option, checking every response.
    for n in 1..=20usize {
        let screen = s
            .call(
                "exam_screen",
                &[
                    ("attempt", &attempt.to_string()),
                    ("position", &n.to_string()),
                ],
            )
            .await;
        assert_eq!(screen.status, 200);
        assert_no_key(&format!("exam_screen {n}"), &screen.body, &secrets);
        let page = s.get(&format!("/exam/{attempt}/{n}")).await;
        assert_eq!(page.status, 200);
        assert_no_key(&format!("page {n}"), &page.body, &secrets);
        let json = screen.json();
        let form: Vec<(&str, String)> = if json["multiple"].as_bool().unwrap() {
            vec![("c0", "1".to_string())]
        } else {
            vec![("pick", "0".to_string())]
        };
        let mut args: Vec<(&str, String)> = vec![
            ("attempt", attempt.to_string()),
            ("position", n.to_string()),
            ("go", "next".into()),
        ];
        args.extend(form);
        let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let saved = s.call("save_answer", &pairs).await;
        assert_eq!(saved.status, 200, "{saved:?}");
        assert_no_key("save_answer", &saved.body, &secrets);
    }

    // Another phone: the same attempt resumes with its answers.
    let other = app.logged_in(HOTEL_OPERATOR).await;
    let again = other.call("start_exam", &[("course", COURSE)]).await;
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/exam/{attempt}/1").as_str())
    );
    let screen = other
        .call(
            "exam_screen",
            &[("attempt", &attempt.to_string()), ("position", "3")],
        )
        .await
        .json();
    assert!(
        screen["answered"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a == true)
    );
    assert_eq!(screen["chosen"][0], 0);

    // Someone else cannot look at it.
    let stranger = app.logged_in("19950470114").await;
    assert_eq!(
        stranger
            .call(
                "exam_screen",
                &[("attempt", &attempt.to_string()), ("position", "1")]
            )
            .await
            .status,
        403
    );

    // Not drawn, out of range: refused.
    let not_drawn = s
        .call(
            "save_answer",
            &[
                ("attempt", &attempt.to_string()),
                ("position", "21"),
                ("pick", "0"),
            ],
        )
        .await;
    assert_eq!(not_drawn.status, 400);
    let bad_option = s
        .call(
            "save_answer",
            &[
                ("attempt", &attempt.to_string()),
                ("position", "1"),
                ("pick", "9"),
                ("c5", "1"),
            ],
        )
        .await;
    assert_eq!(bad_option.status, 400);

    let submitted = s
        .call("submit_exam", &[("attempt", &attempt.to_string())])
        .await;
    assert_eq!(submitted.status, 200, "{submitted:?}");
    let score: i64 = sqlx::query_scalar("SELECT score_tenths FROM exam_attempts WHERE id = $1")
        .bind(attempt)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let twice = s
        .call("submit_exam", &[("attempt", &attempt.to_string())])
        .await;
    assert_eq!(twice.status, 400);
    let after = s
        .call(
            "save_answer",
            &[
                ("attempt", &attempt.to_string()),
                ("position", "1"),
                ("pick", "1"),
            ],
        )
        .await;
    assert_eq!(after.status, 400);
    let score_again: i64 =
        sqlx::query_scalar("SELECT score_tenths FROM exam_attempts WHERE id = $1")
            .bind(attempt)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(score, score_again, "nothing changed after submission");

    // The result: score, pass/fail, each wrong answer with the right one,
    // the explanation and the lesson.
    let result = s
        .call("exam_result", &[("attempt", &attempt.to_string())])
        .await
        .json();
    assert_eq!(result["score"].as_f64().unwrap(), score as f64 / 10.0);
    let wrong: Vec<&serde_json::Value> = result["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["correct"] == false)
        .collect();
    for item in &wrong {
        assert!(!item["right_answer"].as_str().unwrap().is_empty());
        assert!(!item["explanation"].as_str().unwrap().is_empty());
        assert!(
            item["lesson_url"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/courses/{COURSE}/"))
        );
    }
    let page = s.get(&format!("/exam/{attempt}/result")).await;
    assert!(page.body.contains("正确答案") || wrong.is_empty());
    let history = s.call("exam_intro", &[("course", COURSE)]).await.json();
    assert_eq!(history["history"].as_array().unwrap().len(), 1);
    assert_eq!(history["attempts_today"], 1);
}

#[tokio::test]
async fn the_deadline_is_enforced_on_the_server() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.logged_in(HOTEL_OPERATOR).await;
    let attempt = start(&app, &s).await;
    let first = first_option(&s, attempt, 1).await;
    let second = first_option(&s, attempt, 2).await;
    let saved = s
        .call(
            "save_answer",
            &[("attempt", &attempt.to_string()), ("position", "1"), first],
        )
        .await;
    assert_eq!(saved.status, 200);
    // Time runs out.
    sqlx::query("UPDATE exam_attempts SET deadline_at = deadline_at - 100000 WHERE id = $1")
        .bind(attempt)
        .execute(&app.db)
        .await
        .unwrap();
    let late = s
        .call(
            "save_answer",
            &[("attempt", &attempt.to_string()), ("position", "2"), second],
        )
        .await;
    assert_eq!(late.status, 400, "{late:?}");
    let answered = app.count(&format!("SELECT COUNT(*) FROM attempt_questions WHERE attempt_id = {attempt} AND answer IS NOT NULL")).await;
    assert_eq!(answered, 1, "the late answer was not stored");
    // The periodic sweep grades it with the saved answers…
    let library = app::content::load(&crate::helpers::workspace().join("content")).unwrap();
    let closed =
        app::routes::exam::server::close_overdue_attempts(&app.db, &library, app::actions::now())
            .await
            .unwrap();
    assert_eq!(closed, 1);
    assert_eq!(
        app::routes::exam::server::close_overdue_attempts(&app.db, &library, app::actions::now())
            .await
            .unwrap(),
        0
    );
    // …and the learner sees the result.
    let result = s
        .call("exam_result", &[("attempt", &attempt.to_string())])
        .await;
    assert_eq!(result.status, 200, "{result:?}");
    let graded: Option<i64> =
        sqlx::query_scalar("SELECT score_tenths FROM exam_attempts WHERE id = $1")
            .bind(attempt)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(graded.is_some());
}

#[tokio::test]
async fn attempts_per_day_are_limited() {
    let app = spawn_app().await;
    app.seed_demo().await;
    let s = app.logged_in(HOTEL_OPERATOR).await;
    for _ in 0..3 {
        let attempt = start(&app, &s).await;
        assert_eq!(
            s.call("submit_exam", &[("attempt", &attempt.to_string())])
                .await
                .status,
            200
        );
    }
    let fourth = s.call("start_exam", &[("course", COURSE)]).await;
    assert_eq!(fourth.status, 400);
    assert!(fourth.body.contains("次考试机会已用完"), "{}", fourth.body);
    assert_eq!(
        app.session()
            .call("start_exam", &[("course", COURSE)])
            .await
            .status,
        401
    );
}
