//! A unit admin's actions on members: ending a post, issuing a one-time
//! login code, making someone an admin, answering join requests.

use crate::auth::scope::UnitAccess;
use crate::auth::{Grant, password};
use crate::db::{self, Db, audit};
use crate::domain::Post;
use crate::error::AppError;

fn entry<'a>(
    access: &UnitAccess,
    action: &'a str,
    target: &'a str,
    detail: &'a str,
) -> audit::Entry<'a> {
    audit::Entry::in_unit(access, action, target, detail, super::now())
}

async fn person_name(db: &Db, person_id: i64) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_one(db)
        .await?)
}

/// Ends a membership today. Refuses one of another unit or one already ended.
pub async fn end_membership(
    db: &Db,
    access: &UnitAccess,
    membership_id: i64,
) -> Result<(), AppError> {
    let (person_id, post, end_date) = db::memberships::in_unit(db, membership_id, access.unit_id())
        .await?
        .ok_or(AppError::NotFound)?;
    if end_date.is_some() {
        return Err(AppError::bad_request("该人员已离岗"));
    }
    let name = person_name(db, person_id).await?;
    let post = Post::parse(&post).map(|p| p.label()).unwrap_or("未知岗位");
    let mut tx = crate::db::begin(db).await?;
    db::memberships::end(&mut tx, membership_id, &super::today()).await?;
    let target = format!("person:{person_id}");
    let detail = format!("{name}（{post}）离岗");
    audit::record(&mut tx, &entry(access, "end_membership", &target, &detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a member of the unit a one-time login code (creating the account
/// when they have none). They must choose a new password when they log in.
/// Returns the code, to be shown once to the admin.
pub async fn issue_one_time_code(
    db: &Db,
    access: &UnitAccess,
    person_id: i64,
) -> Result<String, AppError> {
    if !db::memberships::person_in_unit(db, person_id, access.unit_id()).await? {
        return Err(AppError::NotFound);
    }
    let code = password::one_time_code()?;
    let hash = password::hash(code.clone()).await?;
    let name = person_name(db, person_id).await?;
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    if db::accounts::exists(&mut tx, person_id).await? {
        db::accounts::set_password(&mut tx, person_id, &hash, true, now).await?;
        db::accounts::activate(&mut tx, person_id, now).await?;
    } else {
        db::accounts::insert(&mut tx, person_id, &hash, true, true, now).await?;
    }
    // Whoever held the old password is signed out everywhere.
    db::sessions::delete_all(&mut tx, person_id).await?;
    let target = format!("person:{person_id}");
    let detail = format!("为{name}生成一次性登录码");
    audit::record(&mut tx, &entry(access, "reset_password", &target, &detail)).await?;
    tx.commit().await?;
    Ok(code)
}

pub async fn set_unit_admin(
    db: &Db,
    access: &UnitAccess,
    person_id: i64,
    admin: bool,
) -> Result<(), AppError> {
    if !db::memberships::person_in_unit(db, person_id, access.unit_id()).await? {
        return Err(AppError::NotFound);
    }
    if !admin && access.actor() == Some(person_id) {
        return Err(AppError::bad_request("不能取消自己的管理员权限"));
    }
    let name = person_name(db, person_id).await?;
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    let changed = if admin {
        db::grants::grant(
            &mut tx,
            person_id,
            Grant::UnitAdmin {
                unit_id: access.unit_id(),
            },
            now,
        )
        .await?
    } else {
        db::grants::revoke_unit_admin(&mut tx, person_id, access.unit_id()).await?
    };
    if changed {
        let target = format!("person:{person_id}");
        let (action, detail) = if admin {
            ("grant_unit_admin", format!("设{name}为单位管理员"))
        } else {
            ("revoke_unit_admin", format!("取消{name}的单位管理员"))
        };
        audit::record(&mut tx, &entry(access, action, &target, &detail)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Approves or rejects a pending join request of the unit. Approval adds
/// the post from today and activates a self-registered account.
pub async fn decide_join(
    db: &Db,
    access: &UnitAccess,
    request_id: i64,
    approve: bool,
) -> Result<(), AppError> {
    let now = super::now();
    let mut tx = crate::db::begin(db).await?;
    let (person_id, post) = db::join::pending_in_unit(&mut tx, request_id, access.unit_id())
        .await?
        .ok_or_else(|| AppError::bad_request("该申请不存在或已处理"))?;
    let post = Post::parse(&post).map_err(AppError::bad_request)?;
    db::join::decide(&mut tx, request_id, approve, access.actor(), now).await?;
    let name: String = sqlx::query_scalar("SELECT name FROM people WHERE id = $1")
        .bind(person_id)
        .fetch_one(&mut *tx)
        .await?;
    let target = format!("person:{person_id}");
    let detail = if approve {
        if !db::memberships::has_open(&mut tx, person_id, access.unit_id(), post).await? {
            db::memberships::insert_if_absent(
                &mut tx,
                person_id,
                access.unit_id(),
                post,
                &super::today(),
            )
            .await?;
        }
        db::accounts::activate(&mut tx, person_id, now).await?;
        format!("批准{name}加入（{}）", post.label())
    } else {
        // A registration that was never approved leaves no account behind,
        // so the person can register again (e.g. with the right post).
        db::accounts::delete_if_inactive(&mut tx, person_id).await?;
        format!("拒绝{name}的加入申请")
    };
    let action = if approve {
        "approve_join"
    } else {
        "reject_join"
    };
    audit::record(&mut tx, &entry(access, action, &target, &detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// A new join link token for the unit; the old link stops working.
pub async fn renew_join_link(db: &Db, access: &UnitAccess) -> Result<String, AppError> {
    let (token, _) = crate::auth::session::new_token()?;
    // 16 characters are plenty for a link that only opens a request form.
    let token: String = token.chars().take(16).collect();
    let mut tx = crate::db::begin(db).await?;
    db::join::set_link(
        &mut tx,
        access.unit_id(),
        &token,
        access.actor(),
        super::now(),
    )
    .await?;
    let target = format!("unit:{}", access.unit_id());
    audit::record(
        &mut tx,
        &entry(access, "renew_join_link", &target, "生成新的加入链接"),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}
