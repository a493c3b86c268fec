//! `training_sessions` and `session_attendees`: offline training and drills
//! a unit logged.

use super::Db;
use sqlx::AnyConnection;

pub use crate::model::SessionLine;

/// The unit's sessions, newest first.
pub async fn for_unit(db: &Db, unit_id: i64, limit: i64) -> Result<Vec<SessionLine>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT s.id, s.kind, s.held_on, s.topic, (SELECT COUNT(*) FROM session_attendees a WHERE a.session_id = s.id) \
         FROM training_sessions s WHERE s.unit_id = $1 ORDER BY s.held_on DESC, s.id DESC LIMIT $2",
    )
    .bind(unit_id)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, held_on, topic, attendees)| SessionLine {
            id,
            kind,
            held_on,
            topic,
            attendees,
        })
        .collect())
}

pub struct NewSession<'a> {
    pub unit_id: i64,
    pub kind: &'a str,
    pub held_on: &'a str,
    pub topic: &'a str,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

pub async fn insert(
    conn: &mut AnyConnection,
    s: &NewSession<'_>,
    attendees: &[i64],
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO training_sessions (unit_id, kind, held_on, topic, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(s.unit_id)
    .bind(s.kind)
    .bind(s.held_on)
    .bind(s.topic)
    .bind(s.created_at)
    .bind(s.created_by)
    .fetch_one(&mut *conn)
    .await?;
    for person in attendees {
        sqlx::query("INSERT INTO session_attendees (session_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(person)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// People with a post in the unit on `day` (the end day counts).
pub async fn in_post_on(
    db: &Db,
    unit_id: i64,
    day: &str,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT p.id, p.name FROM memberships m JOIN people p ON p.id = m.person_id \
         WHERE m.unit_id = $1 AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2) ORDER BY p.name, p.id",
    )
    .bind(unit_id)
    .bind(day)
    .fetch_all(db)
    .await
}
