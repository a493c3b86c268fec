//! Question banks (Moodle GIFT) and, later, exams drawn from them.

pub mod exam;
pub mod gift;
