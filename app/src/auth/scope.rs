//! Scope checks. Admin data functions take an access token that only these
//! functions create, so a handler cannot reach a unit's or a region's data
//! without having passed the check.

use super::{CurrentUser, Grant};
use crate::db::{self, Db};
use crate::error::AppError;

/// Proof that `actor` administers `unit_id`.
#[derive(Debug, Clone)]
pub struct UnitAccess {
    unit_id: i64,
    region_id: i64,
    actor: Option<i64>,
    /// Full phone numbers are shown to the unit's own admins only.
    full_phones: bool,
}

/// Proof that `actor` administers `region_id` and everything under it.
#[derive(Debug, Clone)]
pub struct RegionAccess {
    region_id: i64,
    actor: Option<i64>,
}

impl UnitAccess {
    pub fn unit_id(&self) -> i64 {
        self.unit_id
    }
    pub fn region_id(&self) -> i64 {
        self.region_id
    }
    /// The admin acting; `None` for the command line.
    pub fn actor(&self) -> Option<i64> {
        self.actor
    }
    pub fn full_phones(&self) -> bool {
        self.full_phones
    }
}

impl RegionAccess {
    pub fn region_id(&self) -> i64 {
        self.region_id
    }
    pub fn actor(&self) -> Option<i64> {
        self.actor
    }
}

/// Access for the command line, which runs with the server's own
/// authority (whoever can run it can read the database file anyway).
pub async fn command_line_unit(db: &Db, unit_id: i64) -> Result<UnitAccess, AppError> {
    let region_id = db::units::region_of(db, unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(UnitAccess {
        unit_id,
        region_id,
        actor: None,
        full_phones: true,
    })
}

/// Region access for the command line (see `command_line_unit`).
pub async fn command_line_region(db: &Db, region_id: i64) -> Result<RegionAccess, AppError> {
    db::regions::get(db, region_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(RegionAccess {
        region_id,
        actor: None,
    })
}

/// The caller administers the unit directly, or a region above it.
/// An unknown unit is `Forbidden` too, so ids cannot be probed.
pub async fn authorize_unit(
    db: &Db,
    user: &CurrentUser,
    unit_id: i64,
) -> Result<UnitAccess, AppError> {
    let Some(region_id) = db::units::region_of(db, unit_id).await? else {
        return Err(AppError::Forbidden);
    };
    let is_unit_admin = user.grants.contains(&Grant::UnitAdmin { unit_id });
    if is_unit_admin || administers_region(db, user, region_id).await? {
        Ok(UnitAccess {
            unit_id,
            region_id,
            actor: Some(user.person_id),
            full_phones: is_unit_admin,
        })
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn authorize_region(
    db: &Db,
    user: &CurrentUser,
    region_id: i64,
) -> Result<RegionAccess, AppError> {
    if administers_region(db, user, region_id).await? {
        Ok(RegionAccess {
            region_id,
            actor: Some(user.person_id),
        })
    } else {
        Err(AppError::Forbidden)
    }
}

async fn administers_region(db: &Db, user: &CurrentUser, region_id: i64) -> Result<bool, AppError> {
    let granted: Vec<i64> = user
        .grants
        .iter()
        .filter_map(|g| match g {
            Grant::RegionAdmin { region_id } => Some(*region_id),
            Grant::UnitAdmin { .. } => None,
        })
        .collect();
    if granted.is_empty() {
        return Ok(false);
    }
    let ancestors = db::regions::ancestors_and_self(db, region_id).await?;
    Ok(ancestors.iter().any(|a| granted.contains(a)))
}
