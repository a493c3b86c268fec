//! Platform certificates (培训合格证明): readable serials, unguessable
//! verify codes, status as of a day, masked names; issuing and revoking on
//! the server.

use serde::{Deserialize, Serialize};

/// What the verify page says about a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Valid,
    Expired,
    Superseded,
    Revoked,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Valid => "有效",
            Status::Expired => "已过期",
            Status::Superseded => "已被新证书替代",
            Status::Revoked => "已撤销",
        }
    }

    /// CSS modifier for the status badge.
    pub fn class(self) -> &'static str {
        match self {
            Status::Valid => "status valid",
            Status::Expired => "status expired",
            Status::Superseded => "status superseded",
            Status::Revoked => "status revoked",
        }
    }

    /// Revocation outranks replacement, which outranks expiry: the verifier
    /// learns the strongest reason not to rely on the paper. Dates are
    /// `YYYY-MM-DD`, so they compare as text.
    pub fn of(valid_until: Option<&str>, superseded: bool, revoked: bool, today: &str) -> Status {
        if revoked {
            Status::Revoked
        } else if superseded {
            Status::Superseded
        } else if valid_until.is_some_and(|until| until < today) {
            Status::Expired
        } else {
            Status::Valid
        }
    }
}

/// 张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明: enough for a verifier to
/// match the paper in front of them, not enough to learn a stranger's name.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// `JF-2026-000123`: prefix, year, a number that grows by one per issue.
pub fn serial(prefix_and_year: &str, number: i64) -> String {
    format!("{prefix_and_year}-{number:06}")
}

/// Letters and digits for a serial prefix from a region code ("JF-DZ" → "JF").
pub fn serial_prefix(region_code: Option<&str>) -> String {
    let prefix: String = region_code
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if prefix.is_empty() {
        "XT".to_string()
    } else {
        prefix
    }
}

/// Crockford's base32 without the letters people misread (i, l, o, u).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// 20 characters × 5 bits = 100 bits.
pub const CODE_LEN: usize = 20;

pub fn code_from_bytes(bytes: &[u8; 13]) -> String {
    // 13 bytes = 104 bits; the first 100 become 20 characters.
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(*b);
    }
    bits >>= 4;
    (0..CODE_LEN)
        .rev()
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Cheap check before any database lookup.
pub fn looks_like_code(code: &str) -> bool {
    code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))
}

/// The last day a certificate issued on `issued` is valid, or `None` when
/// the course's validity is 0 (no expiry).
pub fn valid_until(issued: time::Date, months: i64) -> Option<time::Date> {
    (months > 0).then(|| {
        crate::domain::date::add_months(issued, months as i32)
            .previous_day()
            .unwrap_or(issued)
    })
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::auth::CurrentUser;
    use crate::db::{self, Db, certificates::Certificate};
    use crate::error::AppError;
    use sqlx::AnyConnection;

    pub fn new_code() -> Result<String, AppError> {
        let mut bytes = [0u8; 13];
        getrandom::fill(&mut bytes).map_err(|e| AppError::internal(RandomError(e.to_string())))?;
        Ok(code_from_bytes(&bytes))
    }

    #[derive(Debug, thiserror::Error)]
    #[error("random verify code: {0}")]
    struct RandomError(String);

    pub struct Issue<'a> {
        pub person_id: i64,
        pub course_slug: &'a str,
        pub course_title: &'a str,
        pub validity_months: i64,
        pub attempt_id: Option<i64>,
        pub issued_at: i64,
        pub is_demo: bool,
    }

    /// Issues a certificate inside the caller's transaction (the grading
    /// one, so a pass and its certificate commit together); earlier ones of
    /// the same course become superseded. Returns the serial.
    pub async fn issue(conn: &mut AnyConnection, i: &Issue<'_>) -> Result<String, AppError> {
        let instant =
            time::OffsetDateTime::from_unix_timestamp(i.issued_at).map_err(AppError::internal)?;
        let issued_on = crate::domain::date::date_in_shanghai(instant);
        let root = db::certificates::root_region_code(conn).await?;
        let prefix = format!("{}-{}", serial_prefix(root.as_deref()), issued_on.year());
        let number = db::certificates::next_serial_number(conn, &prefix).await?;
        let serial = serial(&prefix, number);
        let code = new_code()?;
        let until = valid_until(issued_on, i.validity_months).map(|d| d.to_string());
        db::certificates::insert(
            conn,
            &db::certificates::NewCertificate {
                serial: &serial,
                verify_code: &code,
                person_id: i.person_id,
                course_slug: i.course_slug,
                course_title: i.course_title,
                attempt_id: i.attempt_id,
                issued_at: i.issued_at,
                issued_on: &issued_on.to_string(),
                valid_until: until.as_deref(),
                is_demo: i.is_demo,
            },
        )
        .await?;
        Ok(serial)
    }

    /// The certificate with this verify code. Unknown codes count against
    /// the caller's address (`TooManyAttempts` once locked), so the code
    /// space cannot be walked through the page or the JSON.
    pub async fn lookup(db: &Db, address: &str, code: &str) -> Result<Certificate, AppError> {
        use crate::auth::throttle::{VERIFY_MISSES, key};
        let address = key("verify", address);
        let now = crate::actions::now();
        let previous = db::login_failures::get(db, &address).await?;
        if let Some(minutes) = previous.and_then(|f| f.locked_minutes(now)) {
            return Err(AppError::TooManyAttempts { minutes });
        }
        let found = if looks_like_code(code) {
            db::certificates::by_code(db, code).await?
        } else {
            None
        };
        match found {
            Some(c) => Ok(c),
            None => {
                let failures = VERIFY_MISSES.record_failure(previous, now);
                db::login_failures::put(db, &address, &failures).await?;
                let delay = VERIFY_MISSES.delay_secs(&failures);
                tokio::time::sleep(std::time::Duration::from_secs(delay)).await;
                Err(AppError::NotFound)
            }
        }
    }

    pub fn status(c: &Certificate, today: &str) -> Status {
        Status::of(
            c.valid_until.as_deref(),
            c.superseded_by.is_some(),
            c.revoked_at.is_some(),
            today,
        )
    }

    /// Whether `user` may see the certificate's full page and images: its
    /// holder, or an admin of a unit the holder is or was in (or above it).
    pub async fn may_view(db: &Db, user: &CurrentUser, c: &Certificate) -> Result<bool, AppError> {
        Ok(c.person_id == user.person_id || may_revoke(db, user, c).await?)
    }

    /// Admins of a unit the holder is or was in, or of a region above it.
    pub async fn may_revoke(
        db: &Db,
        user: &CurrentUser,
        c: &Certificate,
    ) -> Result<bool, AppError> {
        Ok(admin_access(db, user, c).await?.is_some())
    }

    async fn admin_access(
        db: &Db,
        user: &CurrentUser,
        c: &Certificate,
    ) -> Result<Option<crate::auth::scope::UnitAccess>, AppError> {
        for unit in db::certificates::units_of_person(db, c.person_id).await? {
            match crate::auth::scope::authorize_unit(db, user, unit).await {
                Ok(access) => return Ok(Some(access)),
                Err(AppError::Forbidden) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(None)
    }

    /// Revokes with a reason, audited, by an admin over the holder.
    pub async fn revoke(
        db: &Db,
        user: &CurrentUser,
        serial: &str,
        reason: &str,
        now: i64,
    ) -> Result<(), AppError> {
        let c = db::certificates::by_serial(db, serial)
            .await?
            .ok_or(AppError::NotFound)?;
        let access = admin_access(db, user, &c)
            .await?
            .ok_or(AppError::Forbidden)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::bad_request("请填写撤销原因"));
        }
        if reason.chars().count() > 200 {
            return Err(AppError::bad_request("撤销原因请不要超过200字"));
        }
        let mut tx = crate::db::begin(db).await?;
        if !db::certificates::revoke(&mut tx, c.id, access.actor(), reason, now).await? {
            return Err(AppError::bad_request("这份证书已经撤销过了"));
        }
        let detail = format!("撤销证书 {}（{}）：{}", c.serial, c.course_title, reason);
        db::audit::record(
            &mut tx,
            &db::audit::Entry::in_unit(
                &access,
                "certificate.revoke",
                &format!("certificate:{}", c.id),
                &detail,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn names_are_masked_keeping_the_first_and_last_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张小明"), "张*明");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(" 李四 "), "李*");
    }

    #[test]
    fn serials_are_zero_padded_and_prefixed_by_the_root_region() {
        assert_eq!(serial("JF-2026", 123), "JF-2026-000123");
        assert_eq!(serial_prefix(Some("jf")), "JF");
        assert_eq!(serial_prefix(Some("JF-DZ")), "JF");
        assert_eq!(serial_prefix(None), "XT");
    }

    #[test]
    fn codes_carry_100_bits_in_20_unambiguous_characters() {
        let zero = code_from_bytes(&[0; 13]);
        let ones = code_from_bytes(&[0xff; 13]);
        assert_eq!(zero, "0".repeat(20));
        assert_eq!(ones, "z".repeat(20));
        // One bit flipped near the end changes the code: all 100 bits are used.
        let mut b = [0u8; 13];
        b[12] = 0x10;
        assert_eq!(code_from_bytes(&b), format!("{}1", "0".repeat(19)));
        assert!(looks_like_code(&ones));
        assert!(!looks_like_code("ZZZZZZZZZZZZZZZZZZZZ"));
        assert!(!looks_like_code("0000000000000000000i"));
        assert!(!looks_like_code("000"));
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        assert_eq!(
            valid_until(date!(2026 - 11 - 28), 12),
            Some(date!(2027 - 11 - 27))
        );
        assert_eq!(
            valid_until(date!(2024 - 02 - 29), 12),
            Some(date!(2025 - 02 - 27))
        );
        assert_eq!(
            valid_until(date!(2026 - 01 - 31), 1),
            Some(date!(2026 - 02 - 27))
        );
        assert_eq!(valid_until(date!(2026 - 11 - 28), 0), None);
    }

    #[test]
    fn status_prefers_revoked_then_superseded_then_expired() {
        let today = "2026-11-28";
        assert_eq!(
            Status::of(Some("2026-11-28"), false, false, today),
            Status::Valid
        );
        assert_eq!(
            Status::of(Some("2026-11-27"), false, false, today),
            Status::Expired
        );
        assert_eq!(Status::of(None, false, false, today), Status::Valid);
        assert_eq!(
            Status::of(Some("2026-11-27"), true, false, today),
            Status::Superseded
        );
        assert_eq!(Status::of(None, true, true, today), Status::Revoked);
    }
}
