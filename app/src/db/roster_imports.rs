//! `roster_imports`: an uploaded roster between preview and commit.

use super::Db;
use sqlx::AnyConnection;

pub async fn insert(
    db: &Db,
    unit_id: i64,
    uploaded_by: i64,
    filename: &str,
    parsed_json: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO roster_imports (unit_id, uploaded_by, filename, parsed_json, status, created_at) \
         VALUES ($1, $2, $3, $4, 'preview', $5) RETURNING id",
    )
    .bind(unit_id)
    .bind(uploaded_by)
    .bind(filename)
    .bind(parsed_json)
    .bind(now)
    .fetch_one(db)
    .await
}

/// (filename, parsed JSON, status) of an import that belongs to the unit.
pub async fn get(
    db: &Db,
    id: i64,
    unit_id: i64,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT filename, parsed_json, status FROM roster_imports WHERE id = $1 AND unit_id = $2",
    )
    .bind(id)
    .bind(unit_id)
    .fetch_optional(db)
    .await
}

/// Marks the import committed; false if it was committed already (a second
/// click, a second tab), so the caller can roll back.
pub async fn mark_committed(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE roster_imports SET status = 'committed', committed_at = $2 WHERE id = $1 AND status = 'preview'")
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
