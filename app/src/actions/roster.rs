//! Roster import: upload → preview (every row with its problems) → commit
//! in one transaction. Importing the same rows again changes nothing.

use crate::auth::scope::UnitAccess;
use crate::db::{self, Db, audit};
use crate::error::AppError;
use crate::roster::{ParsedRoster, RosterRow, parse_roster, read_sheet};
use serde::{Deserialize, Serialize};

/// Largest file accepted (a 5,000-row roster is far smaller).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// A parsed upload plus what the database says about its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub filename: String,
    pub parsed: ParsedRoster,
    /// Non-blocking remarks by row number, e.g. a person already in post
    /// in another unit (allowed: one person may work in several units).
    pub notes: Vec<(usize, String)>,
    pub committed: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub new_people: u64,
    pub new_posts: u64,
    pub unchanged: u64,
}

fn parse(filename: &str, bytes: &[u8]) -> Result<ParsedRoster, AppError> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::bad_request("文件超过 5 MB，请拆分后再上传"));
    }
    let sheet = read_sheet(filename, bytes).map_err(AppError::bad_request)?;
    parse_roster(&sheet).map_err(AppError::bad_request)
}

async fn notes(
    db: &Db,
    unit_id: i64,
    rows: &[RosterRow],
) -> Result<Vec<(usize, String)>, AppError> {
    let today = super::today();
    let mut notes = Vec::new();
    for row in rows {
        let Some(phone) = &row.phone else { continue };
        let known: Option<String> = sqlx::query_scalar("SELECT name FROM people WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(db)
            .await?;
        if known.as_ref().is_some_and(|name| *name != row.name) {
            notes.push((
                row.row,
                "系统中该手机号登记的姓名与表格不同，导入后保留系统中的姓名".to_string(),
            ));
        }
        if db::memberships::in_other_unit(db, phone.as_str(), unit_id, &today).await? {
            notes.push((
                row.row,
                "该手机号已在其他单位在岗（一人可在多个单位任职，可以导入）".to_string(),
            ));
        }
    }
    Ok(notes)
}

/// Parses an upload and keeps it for preview; returns the import's id.
pub async fn upload(
    db: &Db,
    access: &UnitAccess,
    filename: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    let parsed = parse(filename, bytes)?;
    let notes = notes(db, access.unit_id(), &parsed.rows).await?;
    let preview = Preview {
        filename: filename.to_string(),
        parsed,
        notes,
        committed: false,
    };
    let json = serde_json::to_string(&preview).map_err(AppError::internal)?;
    let uploader = access.actor().ok_or(AppError::Forbidden)?;
    Ok(db::roster_imports::insert(
        db,
        access.unit_id(),
        uploader,
        filename,
        &json,
        super::now(),
    )
    .await?)
}

pub async fn load(db: &Db, access: &UnitAccess, import_id: i64) -> Result<Preview, AppError> {
    let (_, json, status) = db::roster_imports::get(db, import_id, access.unit_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut preview: Preview = serde_json::from_str(&json).map_err(AppError::internal)?;
    preview.committed = status == "committed";
    Ok(preview)
}

/// Applies a previewed import, all rows or none.
pub async fn commit(db: &Db, access: &UnitAccess, import_id: i64) -> Result<Applied, AppError> {
    let preview = load(db, access, import_id).await?;
    if !preview.parsed.is_importable() {
        return Err(AppError::bad_request("表格中还有问题，请修改后重新上传"));
    }
    let mut tx = crate::db::begin(db).await?;
    if !db::roster_imports::mark_committed(&mut tx, import_id, super::now()).await? {
        return Err(AppError::bad_request("该名册已经导入过了"));
    }
    let applied = apply_rows(&mut tx, access, &preview.parsed.rows, &preview.filename).await?;
    tx.commit().await?;
    Ok(applied)
}

/// Parses a file and applies it at once if it has no problems (the
/// command line's import). On problems, returns them without writing.
pub async fn import_now(
    db: &Db,
    access: &UnitAccess,
    filename: &str,
    bytes: &[u8],
) -> Result<Result<Applied, ParsedRoster>, AppError> {
    let parsed = parse(filename, bytes)?;
    if !parsed.is_importable() {
        return Ok(Err(parsed));
    }
    let mut tx = crate::db::begin(db).await?;
    let applied = apply_rows(&mut tx, access, &parsed.rows, filename).await?;
    tx.commit().await?;
    Ok(Ok(applied))
}

async fn apply_rows(
    tx: &mut sqlx::AnyConnection,
    access: &UnitAccess,
    rows: &[RosterRow],
    filename: &str,
) -> Result<Applied, AppError> {
    let now = super::now();
    let today = super::today();
    let mut applied = Applied::default();
    for row in rows {
        let (Some(phone), Some(post)) = (&row.phone, row.post) else {
            return Err(AppError::bad_request(format!(
                "第 {} 行数据不完整",
                row.row
            )));
        };
        let existed: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let person_id = db::people::upsert_by_phone(tx, &row.name, phone, false, now).await?;
        if existed.is_none() {
            applied.new_people += 1;
        }
        if db::memberships::has_open(tx, person_id, access.unit_id(), post).await? {
            applied.unchanged += 1;
        } else {
            let start = row.start_date.as_deref().unwrap_or(&today);
            db::memberships::insert_if_absent(tx, person_id, access.unit_id(), post, start).await?;
            applied.new_posts += 1;
        }
    }
    let target = format!("unit:{}", access.unit_id());
    let detail = format!(
        "导入名册“{filename}”：新增人员 {} 人，新增岗位 {} 条，未变 {} 条",
        applied.new_people, applied.new_posts, applied.unchanged
    );
    let entry = audit::Entry {
        actor_id: access.actor(),
        action: "import_roster",
        unit_id: Some(access.unit_id()),
        region_id: access.region_id(),
        target: &target,
        detail: &detail,
        at: now,
    };
    audit::record(tx, &entry).await?;
    Ok(applied)
}
