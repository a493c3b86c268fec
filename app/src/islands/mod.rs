//! The few parts that must react in the browser. Each is an `#[island]`
//! and the only code compiled into WebAssembly.

pub mod exam_autosave;
pub mod read_aloud;
