//! `exam_attempts` and `attempt_questions`.

use super::Db;
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: i64,
    pub person_id: i64,
    pub course: String,
    pub started_at: i64,
    pub deadline_at: i64,
    pub submitted_at: Option<i64>,
    pub score_tenths: Option<i64>,
    pub passed: Option<bool>,
    pub pass_mark: i64,
}

type AttemptRow = (
    i64,
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);

fn attempt(r: AttemptRow) -> Attempt {
    Attempt {
        id: r.0,
        person_id: r.1,
        course: r.2,
        started_at: r.3,
        deadline_at: r.4,
        submitted_at: r.5,
        score_tenths: r.6,
        passed: r.7.map(|p| p != 0),
        pass_mark: r.8,
    }
}

const SELECT: &str = "SELECT id, person_id, course_slug, started_at, deadline_at, submitted_at, score_tenths, passed, pass_mark \
    FROM exam_attempts";

pub async fn get(db: &Db, id: i64) -> Result<Option<Attempt>, sqlx::Error> {
    let row: Option<AttemptRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(attempt))
}

/// The person's attempts at a course, newest first.
pub async fn for_person(
    db: &Db,
    person_id: i64,
    course: &str,
) -> Result<Vec<Attempt>, sqlx::Error> {
    let rows: Vec<AttemptRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE person_id = $1 AND course_slug = $2 ORDER BY id DESC"
    )))
    .bind(person_id)
    .bind(course)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(attempt).collect())
}

pub async fn insert(
    conn: &mut AnyConnection,
    person_id: i64,
    course: &str,
    now: i64,
    deadline: i64,
    pass_mark: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO exam_attempts (person_id, course_slug, started_at, deadline_at, pass_mark) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person_id)
    .bind(course)
    .bind(now)
    .bind(deadline)
    .bind(pass_mark)
    .fetch_one(conn)
    .await
}

/// The drawn questions of a new attempt, numbered from 1, in one
/// statement: one round trip while the write turn is held, not twenty.
pub async fn insert_questions(
    conn: &mut AnyConnection,
    attempt_id: i64,
    questions: &[(String, String)],
) -> Result<(), sqlx::Error> {
    if questions.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..questions.len())
        .map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
        .collect();
    let sql = format!(
        "INSERT INTO attempt_questions (attempt_id, position, question_json, option_order) VALUES {}",
        values.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(attempt_id);
    for (i, (question_json, option_order)) in questions.iter().enumerate() {
        query = query
            .bind(i as i64 + 1)
            .bind(question_json.as_str())
            .bind(option_order.as_str());
    }
    query.execute(conn).await.map(|_| ())
}

/// (position, question JSON, option order JSON, answer JSON) in order.
pub async fn questions(
    conn: &mut AnyConnection,
    attempt_id: i64,
) -> Result<Vec<(i64, String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT position, question_json, option_order, answer FROM attempt_questions WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(attempt_id)
    .fetch_all(conn)
    .await
}

/// One drawn question (question JSON, option order JSON) and how many the
/// attempt has, for saving an answer without reading the whole exam.
pub async fn question_at(
    db: &Db,
    attempt_id: i64,
    position: i64,
) -> Result<Option<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT question_json, option_order, \
         (SELECT COUNT(*) FROM attempt_questions c WHERE c.attempt_id = $1) \
         FROM attempt_questions WHERE attempt_id = $1 AND position = $2",
    )
    .bind(attempt_id)
    .bind(position)
    .fetch_optional(db)
    .await
}

/// Saves an answer while the attempt is open and before its deadline;
/// false when that no longer holds (checked in the same statement).
pub async fn save_answer(
    db: &Db,
    attempt_id: i64,
    position: i64,
    answer: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE attempt_questions SET answer = $3, answered_at = $4 WHERE attempt_id = $1 AND position = $2 \
         AND EXISTS (SELECT 1 FROM exam_attempts a WHERE a.id = $1 AND a.submitted_at IS NULL AND a.deadline_at > $4)",
    )
    .bind(attempt_id)
    .bind(position)
    .bind(answer)
    .bind(now)
    .execute(&mut *super::write_conn(db).await?)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes the attempt with its grade; false if it was closed already.
pub async fn close(
    conn: &mut AnyConnection,
    attempt_id: i64,
    now: i64,
    score_tenths: i64,
    passed: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE exam_attempts SET submitted_at = $2, score_tenths = $3, passed = $4 WHERE id = $1 AND submitted_at IS NULL",
    )
    .bind(attempt_id)
    .bind(now)
    .bind(score_tenths)
    .bind(i64::from(passed))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
