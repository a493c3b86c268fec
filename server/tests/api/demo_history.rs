//! The demo history `xuetang seed` adds: once, every row marked as demo, and
//! a 持证上岗率 that rises from about 40 % to about 90 % on either database.

use crate::helpers::{HOTEL_OPERATOR, TestApp, spawn_app};

/// (qualified, in post): control-room operators on a roster on `day`, and
/// those holding a checked credential valid that day (四级 or above where
/// the control room has linkage).
async fn certified(app: &TestApp, day: &str) -> (i64, i64) {
    let operators = format!(
        "SELECT DISTINCT m.person_id, m.unit_id, u.control_room_linkage AS linkage \
         FROM memberships m JOIN units u ON u.id = m.unit_id WHERE m.post = 'operator' \
         AND m.start_date <= '{day}' AND (m.end_date IS NULL OR m.end_date >= '{day}')"
    );
    let qualified = app
        .count(&format!(
            "SELECT COUNT(*) FROM ({operators}) x WHERE EXISTS (SELECT 1 FROM credentials c \
             WHERE c.person_id = x.person_id AND c.checked_at IS NOT NULL AND c.withdrawn_at IS NULL \
             AND c.issued_on <= '{day}' AND (c.expires_on IS NULL OR c.expires_on >= '{day}') \
             AND (x.linkage = 0 OR c.level <= 4))"
        ))
        .await;
    let all = app
        .count(&format!("SELECT COUNT(*) FROM ({operators}) x"))
        .await;
    (qualified, all)
}

fn percent((num, den): (i64, i64)) -> f64 {
    num as f64 * 100.0 / den as f64
}

#[tokio::test]
async fn the_demo_history_is_added_once_and_tells_the_story() {
    let app = spawn_app().await;
    let first = app.seed_demo().await.history;
    assert!(first.credentials >= 20, "{first}");
    assert!(first.trainings >= 50 && first.drills >= 30, "{first}");
    assert!(first.certificates >= 50, "{first}");
    assert!(first.posts_added >= 4 && first.posts_ended >= 4, "{first}");
    let sessions = app.count("SELECT COUNT(*) FROM training_sessions").await;
    assert_eq!(app.seed_demo().await.history, Default::default());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM training_sessions").await,
        sessions
    );

    for table in ["credentials", "training_sessions", "certificates"] {
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) FROM {table} WHERE is_demo = 0"))
                .await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM certificates WHERE attempt_id IS NOT NULL \
             OR course_title = '' OR issued_on < '2024-01-01'"
        )
        .await,
        0
    );
    // The demo operator is still in post, with the one post the seed gave.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id \
             WHERE p.phone = '{HOTEL_OPERATOR}' AND m.end_date IS NULL"
        ))
        .await,
        1
    );

    let today = app::domain::date::today_in_shanghai().to_string();
    let early = percent(certified(&app, "2024-03-31").await);
    let end = percent(certified(&app, "2024-12-31").await);
    let now = percent(certified(&app, &today).await);
    assert!((35.0..=45.0).contains(&early), "2024-03-31: {early}");
    assert!((85.0..=90.0).contains(&end), "2024-12-31: {end}");
    assert!((90.0..=95.0).contains(&now), "{today}: {now}");
}
