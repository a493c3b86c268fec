//! `sessions`: server-side login sessions, keyed by the token's hash.

use super::Db;
use crate::auth::CurrentUser;

pub async fn insert(
    db: &Db,
    token_hash: &str,
    person_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(person_id)
        .bind(now)
        .bind(expires_at)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await
        .map(|_| ())
}

/// Ends every session of a person but the one given (after a password change).
pub async fn delete_others(db: &Db, person_id: i64, keep_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
        .bind(person_id)
        .bind(keep_hash)
        .execute(db)
        .await
        .map(|_| ())
}

pub async fn delete_all(conn: &mut sqlx::AnyConnection, person_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The person behind an unexpired session of an active account.
pub async fn user_by_token_hash(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT p.id, p.name, a.must_change_password FROM sessions s \
         JOIN people p ON p.id = s.person_id JOIN accounts a ON a.person_id = p.id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.is_active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some((person_id, name, must_change)) = row else {
        return Ok(None);
    };
    let grants = super::grants::for_person(db, person_id).await?;
    Ok(Some(CurrentUser {
        person_id,
        name,
        must_change_password: must_change != 0,
        grants,
    }))
}
