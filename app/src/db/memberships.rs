//! `memberships`: a person's post in a unit over a date range.

use crate::domain::Post;
use sqlx::AnyConnection;

/// Records the post unless the same person, unit, post and start date exist.
pub async fn insert_if_absent(
    conn: &mut AnyConnection,
    person_id: i64,
    unit_id: i64,
    post: Post,
    start_date: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (person_id, unit_id, post, start_date) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id, unit_id, post, start_date) DO NOTHING",
    )
    .bind(person_id)
    .bind(unit_id)
    .bind(post.code())
    .bind(start_date)
    .execute(conn)
    .await
    .map(|_| ())
}

/// One line of a unit's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    pub membership_id: i64,
    pub person_id: i64,
    pub name: String,
    pub phone: String,
    pub post: String,
    pub start_date: String,
    pub has_account: bool,
}

type EntryRow = (i64, i64, String, String, String, String, i64);

/// Current members (in post on `today`) whose name or phone contains `search`.
pub async fn roster(
    db: &super::Db,
    unit_id: i64,
    search: &str,
    today: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RosterEntry>, i64), sqlx::Error> {
    let pattern = super::like_pattern(search);
    const FROM: &str = "FROM memberships m JOIN people p ON p.id = m.person_id \
        WHERE m.unit_id = $1 AND m.start_date <= $2 AND (m.end_date IS NULL OR m.end_date >= $2) \
        AND (p.name LIKE $3 ESCAPE '\\' OR p.phone LIKE $3 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {FROM}")))
        .bind(unit_id)
        .bind(today)
        .bind(&pattern)
        .fetch_one(db)
        .await?;
    let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, p.id, p.name, p.phone, m.post, m.start_date, \
         (SELECT COUNT(*) FROM accounts a WHERE a.person_id = p.id) {FROM} \
         ORDER BY p.name, m.id LIMIT $4 OFFSET $5"
    )))
    .bind(unit_id)
    .bind(today)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let entries = rows
        .into_iter()
        .map(
            |(membership_id, person_id, name, phone, post, start_date, accounts)| RosterEntry {
                membership_id,
                person_id,
                name,
                phone,
                post,
                start_date,
                has_account: accounts > 0,
            },
        )
        .collect();
    Ok((entries, total))
}

/// Every membership of a unit, past and present, for the export.
pub async fn all_for_unit(
    db: &super::Db,
    unit_id: i64,
) -> Result<Vec<(String, String, String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.name, p.phone, m.post, m.start_date, m.end_date FROM memberships m \
         JOIN people p ON p.id = m.person_id WHERE m.unit_id = $1 ORDER BY m.end_date IS NOT NULL, p.name, m.id",
    )
    .bind(unit_id)
    .fetch_all(db)
    .await
}

/// The membership if it belongs to the unit: (person_id, post, end_date).
pub async fn in_unit(
    db: &super::Db,
    membership_id: i64,
    unit_id: i64,
) -> Result<Option<(i64, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT person_id, post, end_date FROM memberships WHERE id = $1 AND unit_id = $2",
    )
    .bind(membership_id)
    .bind(unit_id)
    .fetch_optional(db)
    .await
}

pub async fn end(
    conn: &mut AnyConnection,
    membership_id: i64,
    end_date: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE memberships SET end_date = $2 WHERE id = $1")
        .bind(membership_id)
        .bind(end_date)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Whether the person holds this post in this unit now (no end date).
pub async fn has_open(
    conn: &mut AnyConnection,
    person_id: i64,
    unit_id: i64,
    post: Post,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM memberships WHERE person_id = $1 AND unit_id = $2 AND post = $3 AND end_date IS NULL",
    )
    .bind(person_id)
    .bind(unit_id)
    .bind(post.code())
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Whether the person is in post anywhere but this unit.
pub async fn in_other_unit(
    db: &super::Db,
    phone: &str,
    unit_id: i64,
    today: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id \
         WHERE p.phone = $1 AND m.unit_id <> $2 AND (m.end_date IS NULL OR m.end_date >= $3)",
    )
    .bind(phone)
    .bind(unit_id)
    .bind(today)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Whether the person is (or was) in the unit at all.
pub async fn person_in_unit(
    db: &super::Db,
    person_id: i64,
    unit_id: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE person_id = $1 AND unit_id = $2",
    )
    .bind(person_id)
    .bind(unit_id)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}
