//! `audit_log`: what admins did, to what, when.

use super::Db;
pub use crate::model::AuditLine;
use sqlx::AnyConnection;

pub struct Entry<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub unit_id: Option<i64>,
    pub region_id: i64,
    /// The record acted on, e.g. "person:12".
    pub target: &'a str,
    /// Human-readable detail, in Chinese; never passwords or codes.
    pub detail: &'a str,
    pub at: i64,
}

impl<'a> Entry<'a> {
    /// An admin's action on a unit's data, attributed to the admin in `access`.
    pub fn in_unit(
        access: &crate::auth::scope::UnitAccess,
        action: &'a str,
        target: &'a str,
        detail: &'a str,
        at: i64,
    ) -> Entry<'a> {
        Entry {
            actor_id: access.actor(),
            action,
            unit_id: Some(access.unit_id()),
            region_id: access.region_id(),
            target,
            detail,
            at,
        }
    }
}

pub async fn record(conn: &mut AnyConnection, e: &Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, unit_id, region_id, target, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.unit_id)
    .bind(e.region_id)
    .bind(e.target)
    .bind(e.detail)
    .bind(e.at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Newest first, for a region and everything under it.
pub async fn for_region(
    db: &Db,
    region_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditLine>, i64), sqlx::Error> {
    let filter = format!("a.region_id IN ({})", super::regions::SUBTREE);
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_log a WHERE {filter}"
    )))
    .bind(region_id)
    .fetch_one(db)
    .await?;
    type Row = (i64, Option<String>, String, Option<String>, String, String);
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.created_at, p.name, a.action, u.name, a.target, a.detail FROM audit_log a \
         LEFT JOIN people p ON p.id = a.actor_id LEFT JOIN units u ON u.id = a.unit_id \
         WHERE {filter} ORDER BY a.id DESC LIMIT $2 OFFSET $3"
    )))
    .bind(region_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let lines = rows
        .into_iter()
        .map(|(at, actor, action, unit, target, detail)| AuditLine {
            at,
            actor: actor.unwrap_or_else(|| "命令行".to_string()),
            action,
            unit,
            target,
            detail,
        })
        .collect();
    Ok((lines, total))
}
