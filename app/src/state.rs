//! What every request handler and server function can reach.

use crate::content::Library;
use crate::db::Db;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::{Arc, RwLock};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub site: Arc<Site>,
    /// Poster scans not yet written to the database.
    pub scans: Arc<crate::scan_tally::ScanTally>,
}

/// Settings and content fixed at start-up.
pub struct Site {
    /// Public base URL without a trailing slash, printed into QR codes.
    pub base_url: String,
    /// Printed on certificates and named in Open Badges.
    pub issuer_name: String,
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    /// The courseware, rendered once; replaced whole when it is reloaded.
    pub library: RwLock<Arc<Library>>,
}

impl Site {
    pub fn library(&self) -> Arc<Library> {
        self.library
            .read()
            .map(|l| Arc::clone(&l))
            .unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state inside a server function or a server-rendered component.
    pub fn current() -> Result<AppState, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the reactive context");
            crate::error::AppError::Internal
        })
    }
}
