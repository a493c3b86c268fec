//! `regions`: the region tree (town → villages; more levels above as needed).

use sqlx::AnyConnection;

pub struct NewRegion<'a> {
    pub code: &'a str,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub level: &'a str,
    pub is_demo: bool,
}

/// Inserts the region unless its code exists; returns its id either way.
pub async fn upsert_by_code(
    conn: &mut AnyConnection,
    r: &NewRegion<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO regions (code, parent_id, name, level, is_demo) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(r.code)
    .bind(r.parent_id)
    .bind(r.name)
    .bind(r.level)
    .bind(i64::from(r.is_demo))
    .execute(&mut *conn)
    .await?;
    id_by_code(conn, r.code).await
}

pub async fn id_by_code(conn: &mut AnyConnection, code: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM regions WHERE code = $1")
        .bind(code)
        .fetch_one(conn)
        .await
}
