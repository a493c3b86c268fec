//! `units`: the workplaces and places whose people are trained.

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
