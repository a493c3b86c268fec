//! `login_failures`: counters behind login throttling.

use super::Db;
use crate::auth::throttle::Failures;

pub async fn get(db: &Db, key_hash: &str) -> Result<Option<Failures>, sqlx::Error> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT failures, window_start, locked_until FROM login_failures WHERE key_hash = $1",
    )
    .bind(key_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(count, window_start, locked_until)| Failures {
        count,
        window_start,
        locked_until,
    }))
}

pub async fn put(db: &Db, key_hash: &str, f: &Failures) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_failures (key_hash, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key_hash) DO UPDATE SET failures = $2, window_start = $3, locked_until = $4",
    )
    .bind(key_hash)
    .bind(f.count)
    .bind(f.window_start)
    .bind(f.locked_until)
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn clear(db: &Db, key_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE key_hash = $1")
        .bind(key_hash)
        .execute(db)
        .await
        .map(|_| ())
}
