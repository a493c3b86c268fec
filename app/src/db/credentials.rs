//! `credentials` and `credential_photos`: operator certificates a unit
//! registered.

use super::Db;
use sqlx::AnyConnection;

pub use crate::model::CredentialRow;

type Row = (
    i64,
    i64,
    String,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
);

fn credential(r: Row) -> CredentialRow {
    CredentialRow {
        id: r.0,
        person_id: r.1,
        person_name: r.2,
        unit_id: r.3,
        level: r.4,
        number: r.5,
        issuer: r.6,
        issued_on: r.7,
        expires_on: r.8,
        checked: r.9.is_some(),
        has_photo: r.10 > 0,
    }
}

const SELECT: &str = "SELECT c.id, c.person_id, p.name, c.unit_id, c.level, c.number, c.issuer, c.issued_on, \
    c.expires_on, c.checked_at, (SELECT COUNT(*) FROM credential_photos f WHERE f.credential_id = c.id) \
    FROM credentials c JOIN people p ON p.id = c.person_id";

/// Credentials held by anyone who is or was a member of the unit (a
/// credential is the person's, whichever unit registered it).
pub async fn for_unit(db: &Db, unit_id: i64) -> Result<Vec<CredentialRow>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.withdrawn_at IS NULL AND c.person_id IN \
         (SELECT person_id FROM memberships WHERE unit_id = $1) ORDER BY p.name, c.issued_on DESC, c.id"
    )))
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(credential).collect())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<CredentialRow>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.id = $1 AND c.withdrawn_at IS NULL"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(credential))
}

pub struct NewCredential<'a> {
    pub person_id: i64,
    pub unit_id: i64,
    pub level: i64,
    pub number: &'a str,
    pub issuer: &'a str,
    pub issued_on: &'a str,
    pub expires_on: Option<&'a str>,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, c: &NewCredential<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO credentials (person_id, unit_id, level, number, issuer, issued_on, expires_on, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(c.person_id)
    .bind(c.unit_id)
    .bind(c.level)
    .bind(c.number)
    .bind(c.issuer)
    .bind(c.issued_on)
    .bind(c.expires_on)
    .bind(c.created_at)
    .bind(c.created_by)
    .fetch_one(&mut *conn)
    .await
}

pub async fn number_taken(
    conn: &mut AnyConnection,
    person_id: i64,
    number: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM credentials WHERE person_id = $1 AND number = $2")
            .bind(person_id)
            .bind(number)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

pub async fn put_photo(
    conn: &mut AnyConnection,
    credential_id: i64,
    content_type: &str,
    bytes: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO credential_photos (credential_id, content_type, bytes) VALUES ($1, $2, $3)",
    )
    .bind(credential_id)
    .bind(content_type)
    .bind(bytes)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

pub async fn photo(db: &Db, credential_id: i64) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
    sqlx::query_as("SELECT content_type, bytes FROM credential_photos WHERE credential_id = $1")
        .bind(credential_id)
        .fetch_optional(db)
        .await
}

/// `false` when it was checked already.
pub async fn mark_checked(
    conn: &mut AnyConnection,
    id: i64,
    by: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE credentials SET checked_at = $2, checked_by = $3 WHERE id = $1 AND checked_at IS NULL AND withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn withdraw(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE credentials SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
