//! `certificates` and `serial_counters`.

use super::Db;
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Certificate {
    pub id: i64,
    pub serial: String,
    pub verify_code: String,
    pub person_id: i64,
    pub holder: String,
    pub course_slug: String,
    pub course_title: String,
    pub attempt_id: Option<i64>,
    pub issued_at: i64,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub superseded_by: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

type Row = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<i64>,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

fn certificate(r: Row) -> Certificate {
    Certificate {
        id: r.0,
        serial: r.1,
        verify_code: r.2,
        person_id: r.3,
        holder: r.4,
        course_slug: r.5,
        course_title: r.6,
        attempt_id: r.7,
        issued_at: r.8,
        issued_on: r.9,
        valid_until: r.10,
        superseded_by: r.11,
        revoked_at: r.12,
        revoked_reason: r.13,
    }
}

const SELECT: &str = "SELECT c.id, c.serial, c.verify_code, c.person_id, p.name, c.course_slug, c.course_title, \
    c.attempt_id, c.issued_at, c.issued_on, c.valid_until, c.superseded_by, c.revoked_at, c.revoked_reason \
    FROM certificates c JOIN people p ON p.id = c.person_id";

async fn one(db: &Db, filter: &str, value: &str) -> Result<Option<Certificate>, sqlx::Error> {
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE {filter} = $1")))
            .bind(value)
            .fetch_optional(db)
            .await?;
    Ok(row.map(certificate))
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Certificate>, sqlx::Error> {
    one(db, "c.verify_code", code).await
}

pub async fn by_serial(db: &Db, serial: &str) -> Result<Option<Certificate>, sqlx::Error> {
    one(db, "c.serial", serial).await
}

pub async fn by_attempt(db: &Db, attempt_id: i64) -> Result<Option<Certificate>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.attempt_id = $1"
    )))
    .bind(attempt_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(certificate))
}

/// A person's certificates, newest first.
pub async fn for_person(db: &Db, person_id: i64) -> Result<Vec<Certificate>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.person_id = $1 ORDER BY c.issued_at DESC, c.id DESC"
    )))
    .bind(person_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(certificate).collect())
}

/// The next number for `prefix` (e.g. "JF-2026"), starting at 1. The update
/// takes a row lock on PostgreSQL and the write lock on SQLite, so two
/// issuing transactions never get the same number.
pub async fn next_serial_number(
    conn: &mut AnyConnection,
    prefix: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO serial_counters (prefix, last_value) VALUES ($1, 0) ON CONFLICT (prefix) DO NOTHING",
    )
    .bind(prefix)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar(
        "UPDATE serial_counters SET last_value = last_value + 1 WHERE prefix = $1 RETURNING last_value",
    )
    .bind(prefix)
    .fetch_one(&mut *conn)
    .await
}

/// The code of the tree's root region (the town in the demo), used in serials.
pub async fn root_region_code(conn: &mut AnyConnection) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM regions WHERE parent_id IS NULL ORDER BY id LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
}

pub struct NewCertificate<'a> {
    pub serial: &'a str,
    pub verify_code: &'a str,
    pub person_id: i64,
    pub course_slug: &'a str,
    pub course_title: &'a str,
    pub attempt_id: Option<i64>,
    pub issued_at: i64,
    pub issued_on: &'a str,
    pub valid_until: Option<&'a str>,
    pub is_demo: bool,
}

/// Inserts the certificate and marks the person's earlier, unrevoked
/// certificates of the course as superseded by it.
pub async fn insert(conn: &mut AnyConnection, c: &NewCertificate<'_>) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certificates (serial, verify_code, person_id, course_slug, course_title, attempt_id, \
         issued_at, issued_on, valid_until, is_demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(c.serial)
    .bind(c.verify_code)
    .bind(c.person_id)
    .bind(c.course_slug)
    .bind(c.course_title)
    .bind(c.attempt_id)
    .bind(c.issued_at)
    .bind(c.issued_on)
    .bind(c.valid_until)
    .bind(i64::from(c.is_demo))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE certificates SET superseded_by = $1 WHERE person_id = $2 AND course_slug = $3 \
         AND id <> $1 AND superseded_by IS NULL AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(c.person_id)
    .bind(c.course_slug)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// `false` when it was revoked already.
pub async fn revoke(
    conn: &mut AnyConnection,
    id: i64,
    by: Option<i64>,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE certificates SET revoked_at = $2, revoked_by = $3, revoked_reason = $4 \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(by)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Units the person is or was a member of: who may revoke is decided by them.
pub async fn units_of_person(db: &Db, person_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT unit_id FROM memberships WHERE person_id = $1 ORDER BY unit_id",
    )
    .bind(person_id)
    .fetch_all(db)
    .await
}
