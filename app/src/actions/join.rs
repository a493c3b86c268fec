//! Workers joining a unit through its join link.

use crate::auth::{CurrentUser, password};
use crate::db::{self, Db};
use crate::domain::{Phone, Post};
use crate::error::AppError;

/// The unit a join token opens, or a clear message for a stale link.
pub async fn unit_for_token(db: &Db, token: &str) -> Result<(i64, String), AppError> {
    db::join::unit_by_token(db, token)
        .await?
        .ok_or_else(|| AppError::bad_request("加入链接无效或已更换，请向单位管理员索取新的二维码"))
}

/// What a new worker fills in on the join page.
pub struct Registration {
    pub name: String,
    pub phone: Phone,
    pub password: String,
    pub post: Post,
}

impl Registration {
    pub fn parse(
        name: &str,
        phone: &str,
        password_given: String,
        post: &str,
    ) -> Result<Registration, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err(AppError::bad_request("请填写姓名（不超过 30 个字）"));
        }
        let phone = Phone::parse(phone).map_err(AppError::bad_request)?;
        password::validate_new(&password_given)?;
        let post = Post::parse(post).map_err(AppError::bad_request)?;
        Ok(Registration {
            name: name.to_string(),
            phone,
            password: password_given,
            post,
        })
    }
}

/// Creates an inactive account and a pending request. A phone already on a
/// roster (imported by the unit) gets its account attached to that person;
/// a phone that already has an account must log in instead.
pub async fn register(db: &Db, token: &str, r: Registration) -> Result<(), AppError> {
    let (unit_id, _) = unit_for_token(db, token).await?;
    let hash = password::hash(r.password).await?;
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    let person_id = db::people::upsert_by_phone(&mut tx, &r.name, &r.phone, false, now).await?;
    if db::accounts::exists(&mut tx, person_id).await? {
        return Err(AppError::bad_request(
            "该手机号已注册，请先登录，再打开加入链接申请加入",
        ));
    }
    db::accounts::insert(&mut tx, person_id, &hash, false, false, now).await?;
    db::join::insert_request(&mut tx, unit_id, person_id, r.post.code(), now).await?;
    tx.commit().await?;
    Ok(())
}

/// A signed-in member asks to join another unit (or to add a post).
pub async fn request(db: &Db, user: &CurrentUser, token: &str, post: &str) -> Result<(), AppError> {
    let (unit_id, _) = unit_for_token(db, token).await?;
    let post = Post::parse(post).map_err(AppError::bad_request)?;
    let mut tx = crate::db::begin(db).await?;
    if db::memberships::has_open(&mut tx, user.person_id, unit_id, post).await? {
        return Err(AppError::bad_request("您已在该单位担任此岗位"));
    }
    if db::join::has_pending(&mut tx, unit_id, user.person_id).await? {
        return Err(AppError::bad_request(
            "您已提交过申请，请等待单位管理员审核",
        ));
    }
    db::join::insert_request(&mut tx, unit_id, user.person_id, post.code(), super::now()).await?;
    tx.commit().await?;
    Ok(())
}
