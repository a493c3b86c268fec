//! `lesson_progress`: which lessons a person has read.

use super::Db;

pub async fn mark_read(
    db: &Db,
    person_id: i64,
    course: &str,
    lesson: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO lesson_progress (person_id, course_slug, lesson_slug, read_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id, course_slug, lesson_slug) DO NOTHING",
    )
    .bind(person_id)
    .bind(course)
    .bind(lesson)
    .bind(now)
    .execute(db)
    .await
    .map(|_| ())
}

/// (course, lesson, read at) of everything the person has read.
pub async fn for_person(
    db: &Db,
    person_id: i64,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT course_slug, lesson_slug, read_at FROM lesson_progress WHERE person_id = $1",
    )
    .bind(person_id)
    .fetch_all(db)
    .await
}

/// Posts the person holds today, as stored codes.
pub async fn current_posts(
    db: &Db,
    person_id: i64,
    today: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT post FROM memberships WHERE person_id = $1 AND start_date <= $2 \
         AND (end_date IS NULL OR end_date >= $2)",
    )
    .bind(person_id)
    .bind(today)
    .fetch_all(db)
    .await
}
