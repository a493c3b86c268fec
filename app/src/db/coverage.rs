//! Loading the dated facts behind coverage for one region subtree or one
//! unit. The arithmetic itself is `crate::coverage`.

use super::Db;
use crate::coverage::{Credential, Drill, Facts, Membership, Post, Training, UnitFacts};
use time::Date;

/// Units of the scope: every unit in the region and below it, or one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Region(i64),
    Unit(i64),
}

/// The scope's unit ids as a SQL subquery with `$1` as the scope's id.
fn units_sql(scope: Scope) -> String {
    match scope {
        Scope::Region(_) => format!(
            "SELECT u.id FROM units u WHERE u.region_id IN ({})",
            super::regions::SUBTREE
        ),
        Scope::Unit(_) => "SELECT u.id FROM units u WHERE u.id = $1".to_string(),
    }
}

fn id(scope: Scope) -> i64 {
    match scope {
        Scope::Region(id) | Scope::Unit(id) => id,
    }
}

fn date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).ok()
}

/// Names for the tables and action lists.
#[derive(Debug, Default)]
pub struct Names {
    pub units: std::collections::HashMap<i64, String>,
    pub people: std::collections::HashMap<i64, String>,
}

/// The rows of `SELECT {columns} FROM {from}`. On SQLite they come a
/// thousand or so at a time (grouped by `chunk`), each group as one JSON
/// array: sqlx's SQLite driver hands each row from its worker thread to the
/// calling task, a thread wake-up per row, and at a province's millions of
/// rows those hand-offs were most of the load (40 s at 2 M people). The
/// PostgreSQL driver reads rows off the socket in the calling task, where
/// building the JSON would only cost the server (3× the query's time).
async fn fetch_rows<T>(
    db: &Db,
    columns: &str,
    from: &str,
    chunk: &str,
    key: Option<i64>,
) -> Result<Vec<T>, sqlx::Error>
where
    T: serde::de::DeserializeOwned + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    fn bound<'q, O>(
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
        key: Option<i64>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
        match key {
            Some(key) => query.bind(key),
            None => query,
        }
    }
    if super::backend(db) == super::Backend::Postgres {
        let sql = format!("SELECT {columns} FROM {from}");
        return bound(sqlx::query_as(sqlx::AssertSqlSafe(sql)), key)
            .fetch_all(db)
            .await;
    }
    let sql =
        format!("SELECT json_group_array(json_array({columns})) FROM {from} GROUP BY {chunk}");
    let chunks: Vec<(String,)> = bound(sqlx::query_as(sqlx::AssertSqlSafe(sql)), key)
        .fetch_all(db)
        .await?;
    let mut rows = Vec::new();
    for (json,) in chunks {
        let mut some: Vec<T> = serde_json::from_str(&json)
            .map_err(|e| sqlx::Error::Decode(format!("coverage rows from {from}: {e}").into()))?;
        rows.append(&mut some);
    }
    Ok(rows)
}

/// Chunks of about a thousand ids.
const CHUNK: &str = "/ 1024";

pub async fn load(db: &Db, scope: Scope) -> Result<(Facts, Names), sqlx::Error> {
    let units_in = units_sql(scope);
    let key = id(scope);
    let mut names = Names::default();

    type UnitRow = (i64, i64, String, String, i64, i64, i64, i64);
    let units: Vec<UnitRow> = fetch_rows(
        db,
        "id, region_id, name, industry, is_key_unit, is_public_gathering, has_control_room, control_room_linkage",
        &format!("units WHERE id IN ({units_in})"),
        &format!("id {CHUNK}"),
        Some(key),
    )
    .await?;
    let units = units
        .into_iter()
        .map(
            |(id, region_id, name, industry, key_unit, gathering, room, linkage)| {
                names.units.insert(id, name);
                UnitFacts {
                    id,
                    region_id,
                    industry,
                    is_key_unit: key_unit != 0,
                    is_public_gathering: gathering != 0,
                    has_control_room: room != 0,
                    linkage: linkage != 0,
                }
            },
        )
        .collect();

    type MembershipRow = (i64, i64, String, String, Option<String>, String);
    let rows: Vec<MembershipRow> = fetch_rows(
        db,
        "m.person_id, m.unit_id, m.post, m.start_date, m.end_date, p.name",
        &format!(
            "memberships m JOIN people p ON p.id = m.person_id WHERE m.unit_id IN ({units_in})"
        ),
        &format!("m.person_id {CHUNK}"),
        Some(key),
    )
    .await?;
    let mut people = std::collections::HashSet::new();
    let memberships = rows
        .into_iter()
        .filter_map(|(person_id, unit_id, post, start, end, name)| {
            names.people.insert(person_id, name);
            people.insert(person_id);
            Some(Membership {
                person_id,
                unit_id,
                post: if post == "operator" {
                    Post::Operator
                } else {
                    Post::Other
                },
                start: date(&start)?,
                end: match end {
                    Some(e) => Some(date(&e)?),
                    None => None,
                },
            })
        })
        .collect();

    // The people's credentials and trainings. For a scope with a good share
    // of everyone, reading the whole tables and dropping the others here
    // beats looking up each of a million people (SQLite: 1.7 s against
    // 10 s for a 2 M province). The highest person id stands in for the
    // number of people: one index step where COUNT(*) reads the whole index
    // on every reload.
    let (everyone,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM people")
        .fetch_one(db)
        .await?;
    let whole_tables = people.len() as i64 * 4 > everyone;
    let people_in = |column: &str| {
        if whole_tables {
            "1 = 1".to_string()
        } else {
            format!(
                "{column} IN (SELECT m.person_id FROM memberships m WHERE m.unit_id IN ({units_in}))"
            )
        }
    };
    let people_key = (!whole_tables).then_some(key);
    // person, level, issued, expires, checked at
    type CredentialRow = (i64, i64, String, Option<String>, Option<i64>);
    let rows: Vec<CredentialRow> = fetch_rows(
        db,
        "person_id, level, issued_on, expires_on, checked_at",
        &format!(
            "credentials WHERE withdrawn_at IS NULL AND {}",
            people_in("person_id")
        ),
        &format!("person_id {CHUNK}"),
        people_key,
    )
    .await?;
    let credentials = rows
        .into_iter()
        .filter(|row| people.contains(&row.0))
        .filter_map(|(person_id, level, issued, expires, checked)| {
            Some(Credential {
                person_id,
                level: u8::try_from(level).ok()?,
                issued: date(&issued)?,
                expires: match expires {
                    Some(e) => Some(date(&e)?),
                    None => None,
                },
                checked: checked.is_some(),
            })
        })
        .collect();

    // Training: a platform certificate (unless revoked) or attendance at an
    // offline training session, each on its day.
    let rows: Vec<(i64, String)> = fetch_rows(
        db,
        "t.person_id, t.day",
        &format!(
            "(SELECT person_id, issued_on AS day FROM certificates WHERE revoked_at IS NULL AND {} \
             UNION ALL SELECT a.person_id, s.held_on FROM session_attendees a JOIN training_sessions s ON s.id = a.session_id \
             WHERE s.kind = 'training' AND {}) t",
            people_in("person_id"),
            people_in("a.person_id")
        ),
        &format!("t.person_id {CHUNK}"),
        people_key,
    )
    .await?;
    let trainings = rows
        .into_iter()
        .filter(|row| people.contains(&row.0))
        .filter_map(|(person_id, day)| {
            Some(Training {
                person_id,
                date: date(&day)?,
            })
        })
        .collect();

    let rows: Vec<(i64, String)> = fetch_rows(
        db,
        "unit_id, held_on",
        &format!("training_sessions WHERE kind = 'drill' AND unit_id IN ({units_in})"),
        &format!("unit_id {CHUNK}"),
        Some(key),
    )
    .await?;
    let drills = rows
        .into_iter()
        .filter_map(|(unit_id, day)| {
            Some(Drill {
                unit_id,
                date: date(&day)?,
            })
        })
        .collect();

    Ok((
        Facts {
            units,
            memberships,
            credentials,
            trainings,
            drills,
        },
        names,
    ))
}

/// Targets for a region: its own rows or its nearest ancestor's, else the
/// defaults (region NULL), per metric.
pub async fn targets(db: &Db, region_id: i64) -> Result<Vec<crate::coverage::Target>, sqlx::Error> {
    // From the region up to the root.
    let chain = super::regions::ancestors_and_self(db, region_id).await?;
    let rows: Vec<(Option<i64>, String, String, i64)> =
        sqlx::query_as("SELECT region_id, metric, due_on, percent_tenths FROM targets")
            .fetch_all(db)
            .await?;
    let mut out = Vec::new();
    for metric in crate::coverage::Metric::ALL {
        let of = |region: Option<i64>| {
            rows.iter()
                .filter(|r| r.0 == region && r.1 == metric.code())
                .filter_map(|r| {
                    Some(crate::coverage::Target {
                        metric,
                        due: date(&r.2)?,
                        percent: r.3 as f64 / 10.0,
                    })
                })
                .collect::<Vec<_>>()
        };
        // `chain` runs from the region up to the root.
        let chosen = chain
            .iter()
            .map(|r| of(Some(*r)))
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| of(None));
        out.extend(chosen);
    }
    Ok(out)
}

/// Platform certificates of people in the scope that run out within
/// `(from, to]`, still current (not superseded or revoked).
pub async fn certificates_expiring(
    db: &Db,
    scope: Scope,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let units_in = units_sql(scope);
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.person_id, c.course_title, c.valid_until FROM certificates c \
         WHERE c.revoked_at IS NULL AND c.superseded_by IS NULL AND c.valid_until > $2 AND c.valid_until <= $3 \
         AND c.person_id IN (SELECT m.person_id FROM memberships m WHERE m.unit_id IN ({units_in}) \
         AND (m.end_date IS NULL OR m.end_date >= $2)) ORDER BY c.valid_until, c.person_id"
    )))
    .bind(id(scope))
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
