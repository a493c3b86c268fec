//! `regions`: the region tree (town → villages; more levels above as needed).

pub use crate::model::Region;
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

/// The region's id and the ids of every region above it, from the region
/// up to the top (at most 32 levels, so a cycle cannot loop).
pub async fn ancestors_and_self(db: &super::Db, region_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE up (id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM regions WHERE id = $1 \
           UNION ALL SELECT r.id, r.parent_id, up.depth + 1 FROM regions r JOIN up ON r.id = up.parent_id \
           WHERE up.depth < 32) \
         SELECT id FROM up ORDER BY depth",
    )
    .bind(region_id)
    .fetch_all(db)
    .await
}

/// SQL for the ids of region `$1` and everything under it, for `IN (…)`.
pub const SUBTREE: &str = "WITH RECURSIVE down (id) AS ( \
    SELECT id FROM regions WHERE id = $1 \
    UNION ALL SELECT r.id FROM regions r JOIN down ON r.parent_id = down.id) \
    SELECT id FROM down";

type RegionRow = (i64, Option<i64>, String, String, String);

fn region((id, parent_id, code, name, level): RegionRow) -> Region {
    Region {
        id,
        parent_id,
        code,
        name,
        level,
    }
}

pub async fn get(db: &super::Db, id: i64) -> Result<Option<Region>, sqlx::Error> {
    let row: Option<RegionRow> =
        sqlx::query_as("SELECT id, parent_id, code, name, level FROM regions WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(region))
}

pub async fn children(db: &super::Db, id: i64) -> Result<Vec<Region>, sqlx::Error> {
    let rows: Vec<RegionRow> = sqlx::query_as(
        "SELECT id, parent_id, code, name, level FROM regions WHERE parent_id = $1 ORDER BY code",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(region).collect())
}

pub async fn by_code(db: &super::Db, code: &str) -> Result<Option<Region>, sqlx::Error> {
    let row: Option<RegionRow> =
        sqlx::query_as("SELECT id, parent_id, code, name, level FROM regions WHERE code = $1")
            .bind(code)
            .fetch_optional(db)
            .await?;
    Ok(row.map(region))
}

/// The first top-level region (the province, or the town of a town-sized
/// deployment); `None` before anything is seeded.
pub async fn top(db: &super::Db) -> Result<Option<Region>, sqlx::Error> {
    let row: Option<RegionRow> = sqlx::query_as(
        "SELECT id, parent_id, code, name, level FROM regions WHERE parent_id IS NULL \
         ORDER BY id LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(region))
}
