//! Offline training sessions and drills a unit admin logs.

use crate::auth::scope::UnitAccess;
use crate::db::{self, Db, audit};
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Training,
    Drill,
}

impl Kind {
    pub fn parse(s: &str) -> Result<Kind, AppError> {
        match s {
            "training" => Ok(Kind::Training),
            "drill" => Ok(Kind::Drill),
            _ => Err(AppError::bad_request("类型：请选择“培训”或“演练”")),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Kind::Training => "training",
            Kind::Drill => "drill",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Training => "培训",
            Kind::Drill => "演练",
        }
    }
}

pub struct SessionForm {
    pub kind: String,
    pub held_on: String,
    pub topic: String,
    pub attendees: Vec<i64>,
}

/// Logs a session. Every attendee must hold a post in the unit on that day;
/// a training needs at least one attendee, a drill may record none (the
/// unit's drill is what counts).
pub async fn log(db: &Db, access: &UnitAccess, form: SessionForm) -> Result<i64, AppError> {
    let kind = Kind::parse(form.kind.trim())?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let held_on = time::Date::parse(form.held_on.trim(), &format)
        .map_err(|_| AppError::bad_request("日期格式应为 年-月-日，例如 2026-11-20"))?;
    if held_on > crate::domain::date::today_in_shanghai() {
        return Err(AppError::bad_request("日期：不能登记今天以后的活动"));
    }
    let topic = form.topic.trim();
    if topic.is_empty() || topic.chars().count() > 80 {
        return Err(AppError::bad_request("主题：请填写，不超过80字"));
    }
    let day = held_on.to_string();
    let in_post = db::training::in_post_on(db, access.unit_id(), &day).await?;
    let mut attendees = form.attendees;
    attendees.sort_unstable();
    attendees.dedup();
    if let Some(stranger) = attendees
        .iter()
        .find(|id| !in_post.iter().any(|(p, _)| p == *id))
    {
        return Err(AppError::bad_request(format!(
            "参加人员：编号 {stranger} 的人员在 {day} 不在本单位岗位上"
        )));
    }
    if kind == Kind::Training && attendees.is_empty() {
        return Err(AppError::bad_request("参加人员：培训至少要选一人"));
    }
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    let id = db::training::insert(
        &mut tx,
        &db::training::NewSession {
            unit_id: access.unit_id(),
            kind: kind.code(),
            held_on: &day,
            topic,
            created_at: now,
            created_by: access.actor(),
        },
        &attendees,
    )
    .await?;
    let detail = format!(
        "登记{}：{day}「{topic}」，{} 人参加",
        kind.label(),
        attendees.len()
    );
    audit::record(
        &mut tx,
        &audit::Entry::in_unit(
            access,
            "session.log",
            &format!("session:{id}"),
            &detail,
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
