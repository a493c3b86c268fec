//! `posters` and `poster_scans`: QR posters for noticeboards and their
//! anonymous daily scan totals.

use super::Db;
use super::regions::SUBTREE;
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct Poster {
    pub id: i64,
    pub code: String,
    pub region_id: i64,
    pub region_name: String,
    pub spot: String,
    pub course_slug: String,
    pub created_at: i64,
}

/// A poster with its scans: all time, and since a day (the last 30 days).
#[derive(Debug, Clone, PartialEq)]
pub struct PosterLine {
    pub poster: Poster,
    pub total: i64,
    pub recent: i64,
}

type Row = (i64, String, i64, String, String, String, i64);
/// A `Row` followed by scans in all and recently.
type LineRow = (i64, String, i64, String, String, String, i64, i64, i64);

const SELECT: &str = "SELECT p.id, p.code, p.region_id, r.name, p.spot, p.course_slug, p.created_at \
                      FROM posters p JOIN regions r ON r.id = p.region_id";

fn poster((id, code, region_id, region_name, spot, course_slug, created_at): Row) -> Poster {
    Poster {
        id,
        code,
        region_id,
        region_name,
        spot,
        course_slug,
        created_at,
    }
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Poster>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(poster))
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Poster>, sqlx::Error> {
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.code = $1")))
            .bind(code)
            .fetch_optional(db)
            .await?;
    Ok(row.map(poster))
}

/// The poster for this place and topic, if one was made before.
pub async fn find(
    conn: &mut AnyConnection,
    region_id: i64,
    spot: &str,
    course_slug: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM posters WHERE region_id = $1 AND spot = $2 AND course_slug = $3",
    )
    .bind(region_id)
    .bind(spot)
    .bind(course_slug)
    .fetch_optional(conn)
    .await
}

pub async fn code_taken(conn: &mut AnyConnection, code: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posters WHERE code = $1")
        .bind(code)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub struct NewPoster<'a> {
    pub code: &'a str,
    pub region_id: i64,
    pub spot: &'a str,
    pub course_slug: &'a str,
    pub created_at: i64,
    pub created_by: Option<i64>,
    pub is_demo: bool,
}

pub async fn insert(conn: &mut AnyConnection, p: &NewPoster<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO posters (code, region_id, spot, course_slug, created_at, created_by, is_demo) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(p.code)
    .bind(p.region_id)
    .bind(p.spot)
    .bind(p.course_slug)
    .bind(p.created_at)
    .bind(p.created_by)
    .bind(i64::from(p.is_demo))
    .fetch_one(conn)
    .await
}

/// `n` more scans of the poster on `day` (see `scan_tally`); one statement,
/// so writers in several processes never lose a count.
pub async fn add_scans(
    conn: &mut AnyConnection,
    poster_id: i64,
    day: &str,
    n: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO poster_scans (poster_id, day, count) VALUES ($1, $2, $3) \
         ON CONFLICT (poster_id, day) DO UPDATE SET count = poster_scans.count + excluded.count",
    )
    .bind(poster_id)
    .bind(day)
    .bind(n)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Sets a day's total unless one is recorded (demo history).
pub async fn put_scans(
    conn: &mut AnyConnection,
    poster_id: i64,
    day: &str,
    count: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO poster_scans (poster_id, day, count) VALUES ($1, $2, $3) \
         ON CONFLICT (poster_id, day) DO NOTHING",
    )
    .bind(poster_id)
    .bind(day)
    .bind(count)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Posters placed in region `region_id` or below, by place, spot and
/// topic, with scans in all and since `since` (inclusive).
pub async fn in_subtree(
    db: &Db,
    region_id: i64,
    since: &str,
) -> Result<Vec<PosterLine>, sqlx::Error> {
    let rows: Vec<LineRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.id, p.code, p.region_id, r.name, p.spot, p.course_slug, p.created_at, \
           CAST(COALESCE((SELECT SUM(s.count) FROM poster_scans s WHERE s.poster_id = p.id), 0) AS BIGINT), \
           CAST(COALESCE((SELECT SUM(s.count) FROM poster_scans s WHERE s.poster_id = p.id AND s.day >= $2), 0) AS BIGINT) \
         FROM posters p JOIN regions r ON r.id = p.region_id \
         WHERE p.region_id IN ({SUBTREE}) ORDER BY r.code, p.spot, p.course_slug, p.id"
    )))
    .bind(region_id)
    .bind(since)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, code, region_id, region_name, spot, course_slug, created_at, total, recent)| {
                PosterLine {
                    poster: Poster {
                        id,
                        code,
                        region_id,
                        region_name,
                        spot,
                        course_slug,
                        created_at,
                    },
                    total,
                    recent,
                }
            },
        )
        .collect())
}

/// Scans per poster and day since `since` (inclusive), for posters in
/// region `region_id` or below: (poster id, day, count).
pub async fn scans_since(
    db: &Db,
    region_id: i64,
    since: &str,
) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.poster_id, s.day, s.count FROM poster_scans s JOIN posters p ON p.id = s.poster_id \
         WHERE p.region_id IN ({SUBTREE}) AND s.day >= $2 ORDER BY s.day, s.poster_id"
    )))
    .bind(region_id)
    .bind(since)
    .fetch_all(db)
    .await
}

/// Region `region_id` and every region under it, as (id, name), the
/// region first and then by code: where a poster may hang.
pub async fn places(db: &Db, region_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, name FROM regions WHERE id IN ({SUBTREE}) ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, code"
    )))
    .bind(region_id)
    .fetch_all(db)
    .await
}

pub async fn any_demo(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posters WHERE is_demo = 1")
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}
