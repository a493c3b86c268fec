//! The courseware in `content/`: loaded, validated and rendered once (see
//! docs/CONTENT.md). Every problem is reported as `path:line: message`.

mod load;
mod render;
pub mod search;

pub use load::{check_lesson, check_tip, load};

use crate::model::Audience;
use std::collections::HashMap;
use std::fmt;

/// Everything under `content/`, ready to serve.
#[derive(Debug, Default)]
pub struct Library {
    pub courses: Vec<Course>,
    pub about_html: String,
    /// Course images by "<course>/<file>", served from memory.
    pub assets: HashMap<String, Asset>,
    pub search: search::Index,
}

#[derive(Debug)]
pub struct Asset {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

#[derive(Debug)]
pub struct Course {
    pub slug: String,
    pub title: String,
    pub audience: Audience,
    pub summary: String,
    pub order: i64,
    pub validity_months: i64,
    pub lessons: Vec<Lesson>,
    pub tip: Option<Tip>,
    /// The question bank (`bank.gift`), categories being lesson slugs.
    pub bank: Vec<crate::quiz::gift::Question>,
    pub exam: Option<crate::quiz::exam::ExamRules>,
}

#[derive(Debug)]
pub struct Lesson {
    pub slug: String,
    pub title: String,
    pub order: i64,
    pub minutes: i64,
    pub sources: Vec<String>,
    pub html: String,
    /// The lesson as plain text, for search.
    pub text: String,
}

#[derive(Debug)]
pub struct Tip {
    pub title: String,
    pub summary: String,
    pub html: String,
}

/// One fault in the content, located for the author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// All problems found, one per line.
#[derive(Debug)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl Library {
    pub fn course(&self, slug: &str) -> Option<&Course> {
        self.courses.iter().find(|c| c.slug == slug)
    }
}

impl Course {
    pub fn lesson(&self, slug: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.slug == slug)
    }
}
