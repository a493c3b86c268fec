//! Read-only figures for the home page: the top region and its children.

use super::Db;
use crate::routes::home::{RegionSummary, TownOverview};

/// The first top-level region with, for it and each direct child, the number
/// of units and of people in post on `today`. `None` before anything is seeded.
pub async fn town_overview(db: &Db, today: &str) -> Result<Option<TownOverview>, sqlx::Error> {
    let top: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, name, level, is_demo FROM regions WHERE parent_id IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    let Some((top_id, top_name, top_level, is_demo)) = top else {
        return Ok(None);
    };
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT r.id, r.name, \
           (SELECT COUNT(*) FROM units u WHERE u.region_id = r.id), \
           (SELECT COUNT(DISTINCT m.person_id) FROM memberships m JOIN units u ON u.id = m.unit_id \
             WHERE u.region_id = r.id AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2)) \
         FROM regions r WHERE r.id = $1 OR r.parent_id = $1 \
         ORDER BY CASE WHEN r.id = $1 THEN 0 ELSE 1 END, r.code",
    )
    .bind(top_id)
    .bind(today)
    .fetch_all(db)
    .await?;
    let people: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT m.person_id) FROM memberships m JOIN units u ON u.id = m.unit_id \
         JOIN regions r ON r.id = u.region_id \
         WHERE (r.id = $1 OR r.parent_id = $1) AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2)",
    )
    .bind(top_id)
    .bind(today)
    .fetch_one(db)
    .await?;
    let regions = rows
        .into_iter()
        .map(|(id, name, units, people)| RegionSummary {
            name: match (id == top_id, top_level.as_str()) {
                (true, "town") => format!("{name}（镇直单位）"),
                (true, _) => format!("{name}（本级单位）"),
                (false, _) => name,
            },
            units,
            people,
        })
        .collect();
    Ok(Some(TownOverview {
        name: top_name,
        is_demo: is_demo != 0,
        people,
        regions,
    }))
}
