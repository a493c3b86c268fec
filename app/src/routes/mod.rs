//! One module per URL area; a page's server functions sit beside it.

pub mod about;
pub mod home;
pub mod not_found;
