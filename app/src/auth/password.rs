//! Password hashing (argon2id) off the async runtime, and one-time codes.

use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// Checks a new password before it is hashed.
pub fn validate_new(password: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(AppError::bad_request(format!("密码至少 {MIN_LEN} 位")));
    }
    if len > MAX_LEN {
        return Err(AppError::bad_request(format!("密码最多 {MAX_LEN} 位")));
    }
    if password.chars().all(|c| c.is_ascii_digit())
        && password.chars().all(|c| password.starts_with(c))
    {
        return Err(AppError::bad_request("密码过于简单"));
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::internal(HashError(e.to_string())))
}

/// True when `password` matches `hash`.
pub async fn verify(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(AppError::internal)
}

/// Spends the same time as a real verification, so an unknown phone number
/// cannot be told from a wrong password by the answer's timing.
pub async fn verify_against_nothing(password: String) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| {
            Argon2::default()
                .hash_password(b"no such account")
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone();
    let _ = verify(password, dummy).await;
}

/// An 8-digit code an admin reads out to a member; it works once, as the
/// password that must be changed at the next login.
pub fn one_time_code() -> Result<String, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(HashError(e.to_string())))?;
    // 2^64 is so much larger than 10^8 that the modulo bias is nil.
    Ok(format!("{:08}", u64::from_le_bytes(bytes) % 100_000_000))
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing: {0}")]
struct HashError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_call() {
        let a = hash("正确的密码abc".into()).await.unwrap();
        let b = hash("正确的密码abc".into()).await.unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("正确的密码abc".into(), a.clone()).await.unwrap());
        assert!(!verify("错误的密码abc".into(), a).await.unwrap());
    }

    #[test]
    fn new_passwords_need_eight_characters_and_some_variety() {
        assert!(validate_new("short").is_err());
        assert!(validate_new("11111111").is_err());
        assert!(validate_new("fire-safe-2026").is_ok());
    }

    #[test]
    fn one_time_codes_are_eight_digits() {
        let code = one_time_code().unwrap();
        assert_eq!(code.len(), 8);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
    }
}
