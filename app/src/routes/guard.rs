//! The first lines of every admin server function: who is calling, and may
//! they touch this unit or region.

use crate::auth::scope::{self, RegionAccess, UnitAccess};
use crate::auth::session;
use crate::error::AppError;
use crate::state::AppState;

pub async fn unit(unit_id: i64) -> Result<(AppState, UnitAccess), AppError> {
    let state = AppState::current()?;
    let user = session::require_user().await?;
    let access = scope::authorize_unit(&state.db, &user, unit_id).await?;
    Ok((state, access))
}

pub async fn region(region_id: i64) -> Result<(AppState, RegionAccess), AppError> {
    let state = AppState::current()?;
    let user = session::require_user().await?;
    let access = scope::authorize_region(&state.db, &user, region_id).await?;
    Ok((state, access))
}

/// The peer address, for throttling guesses.
pub async fn client_address() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}

/// A `next` target that stays on this site.
pub fn local_path(next: Option<String>, fallback: &str) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| fallback.to_string())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(
            local_path(Some("/admin/units/3".into()), "/account"),
            "/admin/units/3"
        );
        assert_eq!(
            local_path(Some("//evil.example".into()), "/account"),
            "/account"
        );
        assert_eq!(
            local_path(Some("https://evil.example".into()), "/account"),
            "/account"
        );
        assert_eq!(
            local_path(Some("/\\evil.example".into()), "/account"),
            "/account"
        );
        assert_eq!(local_path(None, "/account"), "/account");
    }
}
