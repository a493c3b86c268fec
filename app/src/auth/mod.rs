//! Who is calling and what they may touch: accounts, sessions, roles and
//! scope checks. The types here are shared with views; everything that
//! reads the database or the request is server-only.

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod scope;
#[cfg(feature = "ssr")]
pub mod session;
pub mod throttle;

use serde::{Deserialize, Serialize};

/// The signed-in person and their admin roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub person_id: i64,
    pub name: String,
    pub must_change_password: bool,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grant {
    UnitAdmin { unit_id: i64 },
    RegionAdmin { region_id: i64 },
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        !self.grants.is_empty()
    }
}
