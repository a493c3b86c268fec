//! `people`: everyone the platform trains, identified by mobile number.

use crate::domain::Phone;
use sqlx::AnyConnection;

/// Inserts the person unless the phone is known; returns the id either way.
/// An existing person keeps their name.
pub async fn upsert_by_phone(
    conn: &mut AnyConnection,
    name: &str,
    phone: &Phone,
    is_demo: bool,
    created_at: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO people (name, phone, is_demo, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (phone) DO NOTHING",
    )
    .bind(name)
    .bind(phone.as_str())
    .bind(i64::from(is_demo))
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM people WHERE phone = $1")
        .bind(phone.as_str())
        .fetch_one(conn)
        .await
}
