//! `accounts`: login credentials of people.

use super::Db;
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Account {
    pub person_id: i64,
    pub password_hash: String,
    pub is_active: bool,
    pub must_change_password: bool,
}

pub async fn by_phone(db: &Db, phone: &str) -> Result<Option<Account>, sqlx::Error> {
    let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT a.person_id, a.password_hash, a.is_active, a.must_change_password \
         FROM accounts a JOIN people p ON p.id = a.person_id WHERE p.phone = $1",
    )
    .bind(phone)
    .fetch_optional(db)
    .await?;
    Ok(
        row.map(|(person_id, password_hash, is_active, must)| Account {
            person_id,
            password_hash,
            is_active: is_active != 0,
            must_change_password: must != 0,
        }),
    )
}

pub async fn password_hash(db: &Db, person_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM accounts WHERE person_id = $1")
        .bind(person_id)
        .fetch_optional(db)
        .await
}

pub async fn exists(conn: &mut AnyConnection, person_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT person_id FROM accounts WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn insert(
    conn: &mut AnyConnection,
    person_id: i64,
    password_hash: &str,
    is_active: bool,
    must_change_password: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO accounts (person_id, password_hash, must_change_password, is_active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(person_id)
    .bind(password_hash)
    .bind(i64::from(must_change_password))
    .bind(i64::from(is_active))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Sets a password; `must_change` marks an admin-issued one-time code.
pub async fn set_password(
    conn: &mut AnyConnection,
    person_id: i64,
    password_hash: &str,
    must_change: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET password_hash = $2, must_change_password = $3, updated_at = $4 WHERE person_id = $1")
        .bind(person_id)
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn activate(
    conn: &mut AnyConnection,
    person_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE accounts SET is_active = 1, updated_at = $2 WHERE person_id = $1")
        .bind(person_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn delete_if_inactive(
    conn: &mut AnyConnection,
    person_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM accounts WHERE person_id = $1 AND is_active = 0")
        .bind(person_id)
        .execute(conn)
        .await
        .map(|_| ())
}
