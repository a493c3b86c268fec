//! What admins and members do, as plain async functions over the database.
//! Server functions and the command line call these after authorising;
//! each writes in one transaction and records admin actions in the audit log.

pub mod coverage;
pub mod credentials;
pub mod join;
pub mod login;
pub mod members;
pub mod posters;
pub mod roster;
pub mod training;
pub mod units;

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn today() -> String {
    crate::domain::date::today_in_shanghai().to_string()
}
