//! Staff rosters (花名册) uploaded by unit admins: decoding the file,
//! validating each person, and writing a roster back out as .xlsx. Pure:
//! bytes in, values out; no database here.

pub mod decode;
pub mod export;
pub mod parse;

pub use decode::{RosterFileError, Sheet, read_sheet};
pub use export::{ExportRow, write_roster_xlsx};
pub use parse::{Field, ParsedRoster, Problem, RosterRow, parse_roster};
