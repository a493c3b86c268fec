//! Reading the database back after a scenario: are the exam rows whole and
//! consistent, and is the storage itself sound.

use super::Backend;
use app::quiz::exam::{Selection, percent, score};
use app::quiz::gift::Question;
use std::collections::{HashMap, HashSet};

/// What was found wrong with the exam rows (all zero when sound).
#[derive(Debug, Default)]
pub struct Attempts {
    pub attempts: usize,
    pub closed: usize,
    /// Attempts whose number of questions is not the exam's.
    pub wrong_question_count: usize,
    /// Closed without score or result, or open with one.
    pub half_graded: usize,
    /// Closed with a score other than that of its stored answers.
    pub grade_mismatch: usize,
    /// Passed without exactly one certificate, or failed or open with one.
    pub certificate_mismatch: usize,
}

impl Attempts {
    pub fn is_sound(&self) -> bool {
        self.wrong_question_count
            + self.half_graded
            + self.grade_mismatch
            + self.certificate_mismatch
            == 0
    }
}

impl std::fmt::Display for Attempts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} attempts ({} closed): {} with a wrong number of questions, {} half-graded, \
             {} graded differently from their stored answers, {} with a wrong certificate",
            self.attempts,
            self.closed,
            self.wrong_question_count,
            self.half_graded,
            self.grade_mismatch,
            self.certificate_mismatch
        )
    }
}

type AttemptRow = (i64, Option<i64>, Option<i64>, Option<i64>);

/// Every attempt of `course`: its questions all there, graded all or not at
/// all, the grade that of its stored answers, a certificate iff passed.
pub async fn attempts(
    db: &app::db::Db,
    course: &str,
    questions_per_exam: usize,
) -> anyhow::Result<Attempts> {
    let rows: Vec<AttemptRow> = sqlx::query_as(
        "SELECT id, submitted_at, score_tenths, passed FROM exam_attempts WHERE course_slug = $1",
    )
    .bind(course)
    .fetch_all(db)
    .await?;
    let questions: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT q.attempt_id, q.question_json, q.answer FROM attempt_questions q \
         JOIN exam_attempts a ON a.id = q.attempt_id WHERE a.course_slug = $1",
    )
    .bind(course)
    .fetch_all(db)
    .await?;
    let certificates: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT attempt_id, COUNT(*) FROM certificates WHERE attempt_id IS NOT NULL GROUP BY attempt_id",
    )
    .fetch_all(db)
    .await?;
    let certificates: HashMap<i64, i64> = certificates.into_iter().collect();
    let mut scores: HashMap<i64, Vec<f64>> = HashMap::new();
    for (attempt, question, answer) in questions {
        let question: Question = serde_json::from_str(&question)?;
        let answer: Option<Selection> = answer.map(|a| serde_json::from_str(&a)).transpose()?;
        scores
            .entry(attempt)
            .or_default()
            .push(answer.map_or(0.0, |a| score(&question, &a)));
    }

    let mut found = Attempts {
        attempts: rows.len(),
        ..Attempts::default()
    };
    for (id, submitted_at, score_tenths, passed) in rows {
        let attempt_scores = scores.remove(&id).unwrap_or_default();
        if attempt_scores.len() != questions_per_exam {
            found.wrong_question_count += 1;
        }
        let certificate_count = certificates.get(&id).copied().unwrap_or(0);
        match (submitted_at, score_tenths, passed) {
            (Some(_), Some(tenths), Some(passed)) => {
                found.closed += 1;
                if tenths != (percent(&attempt_scores) * 10.0).round() as i64 {
                    found.grade_mismatch += 1;
                }
                if certificate_count != i64::from(passed != 0) {
                    found.certificate_mismatch += 1;
                }
            }
            (None, None, None) => {
                if certificate_count != 0 {
                    found.certificate_mismatch += 1;
                }
            }
            _ => found.half_graded += 1,
        }
    }
    Ok(found)
}

/// The closed attempts among `ids`, with score and result: how many of
/// `ids` are stored and graded.
pub async fn graded(db: &app::db::Db, ids: &[i64]) -> anyhow::Result<usize> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM exam_attempts WHERE submitted_at IS NOT NULL \
         AND score_tenths IS NOT NULL AND passed IS NOT NULL",
    )
    .fetch_all(db)
    .await?;
    let closed: HashSet<i64> = rows.into_iter().map(|(id,)| id).collect();
    Ok(ids.iter().filter(|id| closed.contains(id)).count())
}

/// How many of these (attempt, position) answers are stored.
pub async fn stored_answers(db: &app::db::Db, saved: &[(i64, i64)]) -> anyhow::Result<usize> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT attempt_id, position FROM attempt_questions WHERE answer IS NOT NULL",
    )
    .fetch_all(db)
    .await?;
    let stored: HashSet<(i64, i64)> = rows.into_iter().collect();
    Ok(saved.iter().filter(|s| stored.contains(s)).count())
}

/// The database's own consistency check: SQLite's `PRAGMA integrity_check`,
/// or PostgreSQL's amcheck over every B-tree index and table of the schema.
/// `Ok((true, what it said))` when sound.
pub async fn storage(db: &app::db::Db, backend: Backend) -> anyhow::Result<(bool, String)> {
    match backend {
        Backend::Sqlite => {
            let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(db)
                .await?;
            let said = lines.join("; ");
            Ok((said == "ok", format!("PRAGMA integrity_check: {said}")))
        }
        Backend::Postgres => {
            sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
                .execute(db)
                .await?;
            let indexes: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE am.amname = 'btree' AND n.nspname = 'public') checked",
            )
            .fetch_one(db)
            .await?;
            let tables: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind = 'r' AND n.nspname = 'public'",
            )
            .fetch_one(db)
            .await?;
            let problems: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, \
                 LATERAL verify_heapam(c.oid) WHERE c.relkind = 'r' AND n.nspname = 'public'",
            )
            .fetch_one(db)
            .await?;
            Ok((
                problems == 0,
                format!(
                    "amcheck: {indexes} B-tree indexes and {tables} tables checked, {problems} problems"
                ),
            ))
        }
    }
}
