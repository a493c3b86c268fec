//! Validated domain types and pure rules. No I/O here: everything is
//! reachable from unit tests without a database or a server.

pub mod credential;
pub mod credit_code;
pub mod date;
pub mod industry;
pub mod phone;
pub mod post;

pub use credit_code::CreditCode;
pub use industry::INDUSTRIES;
pub use phone::Phone;
pub use post::Post;
