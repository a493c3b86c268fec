//! `join_links` and `join_requests`: workers asking to join a unit.

use super::Db;
use sqlx::AnyConnection;

pub async fn link_token(db: &Db, unit_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT token FROM join_links WHERE unit_id = $1")
        .bind(unit_id)
        .fetch_optional(db)
        .await
}

/// Sets the unit's join token, replacing (and so invalidating) any old one.
pub async fn set_link(
    conn: &mut AnyConnection,
    unit_id: i64,
    token: &str,
    by: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM join_links WHERE unit_id = $1")
        .bind(unit_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO join_links (unit_id, token, created_by, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(unit_id)
    .bind(token)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// (unit id, unit name) for a join token.
pub async fn unit_by_token(db: &Db, token: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.name FROM join_links j JOIN units u ON u.id = j.unit_id WHERE j.token = $1",
    )
    .bind(token)
    .fetch_optional(db)
    .await
}

pub async fn has_pending(
    conn: &mut AnyConnection,
    unit_id: i64,
    person_id: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM join_requests WHERE unit_id = $1 AND person_id = $2 AND status = 'pending'",
    )
    .bind(unit_id)
    .bind(person_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

pub async fn insert_request(
    conn: &mut AnyConnection,
    unit_id: i64,
    person_id: i64,
    post: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO join_requests (unit_id, person_id, post, status, created_at) VALUES ($1, $2, $3, 'pending', $4)")
        .bind(unit_id)
        .bind(person_id)
        .bind(post)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, PartialEq)]
pub struct PendingRequest {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    pub phone: String,
    pub post: String,
    pub created_at: i64,
}

pub async fn pending(db: &Db, unit_id: i64) -> Result<Vec<PendingRequest>, sqlx::Error> {
    let rows: Vec<(i64, i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT j.id, p.id, p.name, p.phone, j.post, j.created_at FROM join_requests j \
         JOIN people p ON p.id = j.person_id WHERE j.unit_id = $1 AND j.status = 'pending' ORDER BY j.id",
    )
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, person_id, name, phone, post, created_at)| PendingRequest {
                id,
                person_id,
                name,
                phone,
                post,
                created_at,
            },
        )
        .collect())
}

/// A pending request of this unit: (person id, post code).
pub async fn pending_in_unit(
    conn: &mut AnyConnection,
    id: i64,
    unit_id: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT person_id, post FROM join_requests WHERE id = $1 AND unit_id = $2 AND status = 'pending'")
        .bind(id)
        .bind(unit_id)
        .fetch_optional(conn)
        .await
}

pub async fn decide(
    conn: &mut AnyConnection,
    id: i64,
    approved: bool,
    by: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE join_requests SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(if approved { "approved" } else { "rejected" })
    .bind(by)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The unit of a pending request, for authorising a decision.
pub async fn unit_of_request(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT unit_id FROM join_requests WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}
