//! Server-side sessions: a random token in an HttpOnly, SameSite=Lax cookie,
//! its SHA-256 in the `sessions` table.

use super::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use base64::Engine;
use http::header::{COOKIE, SET_COOKIE};
use leptos::prelude::use_context;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "xt_session";
pub const LIFETIME_SECS: i64 = 30 * 24 * 3600;

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A fresh random token (256 bits) and the hash that is stored.
pub fn new_token() -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(TokenError(e.to_string())))?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The session token in the request's cookies, if any.
pub fn token_from_request() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    token_from_headers(&parts.headers)
}

pub fn token_from_headers(headers: &http::HeaderMap) -> Option<String> {
    cookie(headers, COOKIE_NAME).filter(|v| !v.is_empty())
}

/// The value of cookie `name` in a request's headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

/// The signed-in person, or `None` for a visitor.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = token_from_request() else {
        return Ok(None);
    };
    let state = AppState::current()?;
    Ok(db::sessions::user_by_token_hash(&state.db, &token_hash(&token), now()).await?)
}

/// The signed-in person who has set their own password.
pub async fn require_user() -> Result<CurrentUser, AppError> {
    let user = current_user().await?.ok_or(AppError::Unauthenticated)?;
    if user.must_change_password {
        return Err(AppError::MustChangePassword);
    }
    Ok(user)
}

/// Starts a session for `person_id`, replacing the one the request came
/// with (so a token planted before login is worthless after it).
pub async fn start(person_id: i64) -> Result<(), AppError> {
    let state = AppState::current()?;
    if let Some(old) = token_from_request() {
        db::sessions::delete(&state.db, &token_hash(&old)).await?;
    }
    let (token, hash) = new_token()?;
    db::sessions::insert(&state.db, &hash, person_id, now(), now() + LIFETIME_SECS).await?;
    set_cookie(
        &format!("{COOKIE_NAME}={token}; Max-Age={LIFETIME_SECS}"),
        state.site.secure_cookies,
    );
    Ok(())
}

/// Ends the request's session, in the database and in the browser.
pub async fn end() -> Result<(), AppError> {
    let state = AppState::current()?;
    if let Some(token) = token_from_request() {
        db::sessions::delete(&state.db, &token_hash(&token)).await?;
    }
    set_cookie(
        &format!("{COOKIE_NAME}=; Max-Age=0"),
        state.site.secure_cookies,
    );
    Ok(())
}

fn set_cookie(name_value_age: &str, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{name_value_age}; Path=/; HttpOnly; SameSite=Lax{secure}");
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("random token: {0}")]
struct TokenError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, hash_a) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_a, token_hash(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.append(COOKIE, "a=1; xt_session=abc; b=2".parse().unwrap());
        assert_eq!(token_from_headers(&headers).as_deref(), Some("abc"));
        let mut empty = http::HeaderMap::new();
        empty.append(COOKIE, "xt_session=".parse().unwrap());
        assert_eq!(token_from_headers(&empty), None);
    }
}
