//! One module per URL area; a page's server functions sit beside it.

pub mod about;
pub mod account;
pub mod admin;
pub mod certificates;
pub mod courses;
pub mod exam;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod home;
pub mod join;
pub mod not_found;
pub mod posters;
pub mod search;
pub mod tips;
