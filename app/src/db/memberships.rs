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
