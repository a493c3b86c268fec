//! `role_grants`: who administers which unit or region.

use super::Db;
use crate::auth::Grant;
use sqlx::AnyConnection;

pub async fn for_person(db: &Db, person_id: i64) -> Result<Vec<Grant>, sqlx::Error> {
    let rows: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT role, unit_id, region_id FROM role_grants WHERE person_id = $1 ORDER BY id",
    )
    .bind(person_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(role, unit_id, region_id)| match (role.as_str(), unit_id, region_id) {
                ("unit_admin", Some(unit_id), _) => Some(Grant::UnitAdmin { unit_id }),
                ("region_admin", _, Some(region_id)) => Some(Grant::RegionAdmin { region_id }),
                _ => None,
            },
        )
        .collect())
}

/// Grants the role unless the person has it already. Returns whether it was new.
pub async fn grant(
    conn: &mut AnyConnection,
    person_id: i64,
    grant: Grant,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let (role, unit_id, region_id) = match grant {
        Grant::UnitAdmin { unit_id } => ("unit_admin", Some(unit_id), None),
        Grant::RegionAdmin { region_id } => ("region_admin", None, Some(region_id)),
    };
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM role_grants WHERE person_id = $1 AND role = $2 \
         AND COALESCE(unit_id, 0) = COALESCE($3, 0) AND COALESCE(region_id, 0) = COALESCE($4, 0)",
    )
    .bind(person_id)
    .bind(role)
    .bind(unit_id)
    .bind(region_id)
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query("INSERT INTO role_grants (person_id, role, unit_id, region_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(person_id)
        .bind(role)
        .bind(unit_id)
        .bind(region_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(true)
}

pub async fn revoke_unit_admin(
    conn: &mut AnyConnection,
    person_id: i64,
    unit_id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM role_grants WHERE person_id = $1 AND role = 'unit_admin' AND unit_id = $2",
    )
    .bind(person_id)
    .bind(unit_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Names and ids of a unit's admins.
pub async fn unit_admins(db: &Db, unit_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.name FROM role_grants g JOIN people p ON p.id = g.person_id \
         WHERE g.role = 'unit_admin' AND g.unit_id = $1 ORDER BY p.name",
    )
    .bind(unit_id)
    .fetch_all(db)
    .await
}
