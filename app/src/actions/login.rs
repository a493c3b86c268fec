//! Checking a phone and password, with throttling per phone and per address.

use crate::auth::password;
use crate::auth::throttle::{self, key};
use crate::db::{self, Db};
use crate::domain::Phone;
use crate::error::AppError;
use std::time::Duration;

/// The person whose password this is. Wrong credentials count against the
/// phone and the client address; past a few failures the answer is slowed,
/// past more the key is locked for a while.
pub async fn check_credentials(
    db: &Db,
    phone: &Phone,
    password_given: String,
    address: &str,
) -> Result<i64, AppError> {
    let now = super::now();
    let keys = [
        (key("phone", phone.as_str()), throttle::PER_PHONE),
        (key("ip", address), throttle::PER_ADDRESS),
    ];
    for (k, _) in &keys {
        if let Some(minutes) = db::login_failures::get(db, k)
            .await?
            .and_then(|f| f.locked_minutes(now))
        {
            return Err(AppError::TooManyAttempts { minutes });
        }
    }

    let account = db::accounts::by_phone(db, phone.as_str()).await?;
    let matches = match &account {
        Some(a) => password::verify(password_given, a.password_hash.clone()).await?,
        None => {
            password::verify_against_nothing(password_given).await;
            false
        }
    };

    if !matches {
        let mut delay = 0;
        let mut locked = None;
        for (k, policy) in &keys {
            let failures = policy.record_failure(db::login_failures::get(db, k).await?, now);
            db::login_failures::put(db, k, &failures).await?;
            delay = delay.max(policy.delay_secs(&failures));
            locked = locked.or(failures.locked_minutes(now));
        }
        tokio::time::sleep(Duration::from_secs(delay)).await;
        return Err(match locked {
            Some(minutes) => AppError::TooManyAttempts { minutes },
            None => AppError::bad_request("手机号或密码不正确"),
        });
    }
    let account = account.expect("a matching password has an account");
    if !account.is_active {
        return Err(AppError::bad_request(
            "您的加入申请正在等待单位管理员审核，通过后即可登录",
        ));
    }
    db::login_failures::clear(db, &keys[0].0).await?;
    Ok(account.person_id)
}

/// Changes a member's own password after checking the current one; ends
/// their other sessions.
pub async fn change_password(
    db: &Db,
    person_id: i64,
    current: String,
    new: String,
    keep_session_hash: &str,
) -> Result<(), AppError> {
    password::validate_new(&new)?;
    if current == new {
        return Err(AppError::bad_request("新密码不能与当前密码相同"));
    }
    let hash = db::accounts::password_hash(db, person_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !password::verify(current, hash).await? {
        return Err(AppError::bad_request("当前密码不正确"));
    }
    let new_hash = password::hash(new).await?;
    let mut tx = crate::db::begin(db).await?;
    db::accounts::set_password(&mut tx, person_id, &new_hash, false, super::now()).await?;
    tx.commit().await?;
    db::sessions::delete_others(db, person_id, keep_session_hash).await?;
    Ok(())
}
