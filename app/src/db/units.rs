//! `units`: the workplaces and places whose people are trained.

pub use crate::model::Unit;
use sqlx::AnyConnection;

pub struct NewUnit<'a> {
    pub region_id: i64,
    pub name: &'a str,
    pub credit_code: Option<&'a str>,
    pub industry: &'a str,
    pub is_key_unit: bool,
    pub is_public_gathering: bool,
    pub has_control_room: bool,
    pub control_room_linkage: bool,
    pub is_demo: bool,
    pub created_at: i64,
}

/// Inserts the unit unless one with that name exists in the region; returns
/// its id either way.
pub async fn upsert_by_region_and_name(
    conn: &mut AnyConnection,
    u: &NewUnit<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO units (region_id, name, credit_code, industry, is_key_unit, is_public_gathering, \
         has_control_room, control_room_linkage, is_demo, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (region_id, name) DO NOTHING",
    )
    .bind(u.region_id)
    .bind(u.name)
    .bind(u.credit_code)
    .bind(u.industry)
    .bind(i64::from(u.is_key_unit))
    .bind(i64::from(u.is_public_gathering))
    .bind(i64::from(u.has_control_room))
    .bind(i64::from(u.control_room_linkage))
    .bind(i64::from(u.is_demo))
    .bind(u.created_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM units WHERE region_id = $1 AND name = $2")
        .bind(u.region_id)
        .bind(u.name)
        .fetch_one(conn)
        .await
}

pub async fn region_of(db: &super::Db, unit_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT region_id FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(db)
        .await
}

type UnitRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

const SELECT_UNIT: &str = "SELECT u.id, u.region_id, r.name, u.name, u.credit_code, u.industry, \
    u.is_key_unit, u.is_public_gathering, u.has_control_room, u.control_room_linkage, u.is_demo, \
    (SELECT COUNT(DISTINCT m.person_id) FROM memberships m WHERE m.unit_id = u.id \
       AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2)) \
    FROM units u JOIN regions r ON r.id = u.region_id";

fn unit_from(r: UnitRow) -> Unit {
    Unit {
        id: r.0,
        region_id: r.1,
        region_name: r.2,
        name: r.3,
        credit_code: r.4,
        industry: r.5,
        is_key_unit: r.6 != 0,
        is_public_gathering: r.7 != 0,
        has_control_room: r.8 != 0,
        control_room_linkage: r.9 != 0,
        is_demo: r.10 != 0,
        people: r.11,
    }
}

pub async fn get(db: &super::Db, unit_id: i64, today: &str) -> Result<Option<Unit>, sqlx::Error> {
    let sql = format!("{SELECT_UNIT} WHERE u.id = $1");
    let row: Option<UnitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(unit_id)
        .bind(today)
        .fetch_optional(db)
        .await?;
    Ok(row.map(unit_from))
}

/// Units in a region's subtree whose name contains `search`, one page.
pub async fn search_in_region(
    db: &super::Db,
    region_id: i64,
    search: &str,
    today: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Unit>, i64), sqlx::Error> {
    let pattern = super::like_pattern(search);
    let filter = format!(
        "u.region_id IN ({}) AND u.name LIKE $3 ESCAPE '\\'",
        super::regions::SUBTREE
    );
    // $2 is unused by the count but keeps the numbering of the shared filter.
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM units u WHERE {filter} AND $2 = $2"
    )))
    .bind(region_id)
    .bind(today)
    .bind(&pattern)
    .fetch_one(db)
    .await?;
    let sql = format!("{SELECT_UNIT} WHERE {filter} ORDER BY r.code, u.name LIMIT $4 OFFSET $5");
    let rows: Vec<UnitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(region_id)
        .bind(today)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    Ok((rows.into_iter().map(unit_from).collect(), total))
}

/// Units someone administers directly.
pub async fn administered_by(
    db: &super::Db,
    person_id: i64,
    today: &str,
) -> Result<Vec<Unit>, sqlx::Error> {
    let sql = format!(
        "{SELECT_UNIT} WHERE u.id IN (SELECT unit_id FROM role_grants WHERE person_id = $1 AND role = 'unit_admin') \
         ORDER BY u.name"
    );
    let rows: Vec<UnitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .bind(today)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(unit_from).collect())
}

pub struct UnitChanges<'a> {
    pub name: &'a str,
    pub credit_code: Option<&'a str>,
    pub industry: &'a str,
    pub is_key_unit: bool,
    pub is_public_gathering: bool,
    pub has_control_room: bool,
    pub control_room_linkage: bool,
}

pub async fn update(
    conn: &mut AnyConnection,
    unit_id: i64,
    c: &UnitChanges<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE units SET name = $2, credit_code = $3, industry = $4, is_key_unit = $5, is_public_gathering = $6, \
         has_control_room = $7, control_room_linkage = $8 WHERE id = $1",
    )
    .bind(unit_id)
    .bind(c.name)
    .bind(c.credit_code)
    .bind(c.industry)
    .bind(i64::from(c.is_key_unit))
    .bind(i64::from(c.is_public_gathering))
    .bind(i64::from(c.has_control_room))
    .bind(i64::from(c.control_room_linkage))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn insert(
    conn: &mut AnyConnection,
    region_id: i64,
    c: &UnitChanges<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO units (region_id, name, credit_code, industry, is_key_unit, is_public_gathering, \
         has_control_room, control_room_linkage, is_demo, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) RETURNING id",
    )
    .bind(region_id)
    .bind(c.name)
    .bind(c.credit_code)
    .bind(c.industry)
    .bind(i64::from(c.is_key_unit))
    .bind(i64::from(c.is_public_gathering))
    .bind(i64::from(c.has_control_room))
    .bind(i64::from(c.control_room_linkage))
    .bind(now)
    .fetch_one(conn)
    .await
}
