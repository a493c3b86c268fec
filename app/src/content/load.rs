//! Reading `content/` into a `Library`, collecting every problem.

use super::render::{Resolver, render};
use super::{Asset, Course, Lesson, Library, Problem, Problems, Tip};
use crate::model::Audience;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Lessons must be this long (non-whitespace characters of text).
pub const LESSON_CHARS: std::ops::RangeInclusive<usize> = 400..=1500;
pub const TIP_POINTS: std::ops::RangeInclusive<usize> = 5..=8;
const MAX_ASSET_BYTES: u64 = 512 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseMeta {
    title: Option<String>,
    audience: Option<String>,
    summary: Option<String>,
    order: Option<i64>,
    validity_months: Option<i64>,
    exam: Option<crate::quiz::exam::ExamRules>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonMeta {
    title: Option<String>,
    order: Option<i64>,
    minutes: Option<i64>,
    sources: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TipMeta {
    title: Option<String>,
    summary: Option<String>,
}

struct Collector {
    list: Vec<Problem>,
}

impl Collector {
    fn at(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.list.push(Problem {
            path: path.display().to_string(),
            line,
            message: message.into(),
        });
    }
}

/// Loads and validates everything under `dir`.
pub fn load(dir: &Path) -> Result<Library, Problems> {
    let mut p = Collector { list: Vec::new() };
    let mut library = Library::default();

    let about = dir.join("pages/about.md");
    match std::fs::read_to_string(&about) {
        Ok(text) => library.about_html = crate::markdown::render(&text),
        Err(e) => p.at(&about, 1, format!("cannot read: {e}")),
    }

    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(e) => {
            p.at(dir, 1, format!("cannot read the content folder: {e}"));
            return Err(Problems(p.list));
        }
    };
    entries.sort();
    // All lesson slugs first, so links across courses can be checked.
    let mut lesson_files: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for course_dir in entries.iter().filter(|d| d.join("course.toml").exists()) {
        let slug = file_name(course_dir);
        lesson_files.insert(slug, lesson_paths(course_dir));
    }

    let mut course_orders: HashMap<i64, String> = HashMap::new();
    for course_dir in &entries {
        let slug = file_name(course_dir);
        if slug == "pages" {
            continue;
        }
        let meta_path = course_dir.join("course.toml");
        if !meta_path.exists() {
            p.at(&meta_path, 1, "missing course.toml");
            continue;
        }
        if !is_slug(&slug) {
            p.at(
                &meta_path,
                1,
                format!("course folder {slug:?} is not a slug (lowercase letters, digits and -)"),
            );
        }
        let Some(course) = load_course(course_dir, &slug, &lesson_files, &mut library, &mut p)
        else {
            continue;
        };
        if let Some(other) = course_orders.insert(course.order, course.slug.clone()) {
            p.at(
                &meta_path,
                key_line(
                    &std::fs::read_to_string(&meta_path).unwrap_or_default(),
                    "order",
                ),
                format!("order {} is also used by course {other}", course.order),
            );
        }
        library.courses.push(course);
    }
    library.courses.sort_by_key(|c| c.order);
    library.search = super::search::Index::build(&library.courses);
    if p.list.is_empty() {
        Ok(library)
    } else {
        Err(Problems(p.list))
    }
}

/// Resolves no link and no image: a file checked on its own.
struct Unresolved;

impl Resolver for Unresolved {
    fn lesson_url(&self, _target: &str) -> Option<String> {
        None
    }

    fn asset_url(&self, _target: &str) -> Option<String> {
        None
    }
}

/// Checks one lesson file from its text alone, as [`load`] checks each
/// lesson (front matter, fields, length, Markdown), without touching the
/// file system: every internal link and image is reported as unresolved.
pub fn check_lesson(text: &str) -> (Option<Lesson>, Vec<Problem>) {
    let mut p = Collector { list: Vec::new() };
    let lesson = lesson_from_text(Path::new("lesson.md"), text, "lesson", &Unresolved, &mut p);
    (lesson, p.list)
}

/// Checks one tip page from its text alone, like [`check_lesson`].
pub fn check_tip(text: &str) -> (Option<Tip>, Vec<Problem>) {
    let mut p = Collector { list: Vec::new() };
    let tip = tip_from_text(Path::new("tip.md"), text, &Unresolved, &mut p);
    (tip, p.list)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

/// (file name, lesson slug) of `NN-slug.md` files, sorted.
fn lesson_paths(course_dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(course_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| file_name(&e.path()))
        .filter(|n| n.ends_with(".md") && n != "tip.md")
        .map(|n| {
            let stem = n.trim_end_matches(".md");
            let slug = stem
                .split_once('-')
                .filter(|(nn, _)| nn.chars().all(|c| c.is_ascii_digit()))
                .map_or(stem, |(_, s)| s);
            (n.clone(), slug.to_string())
        })
        .collect();
    files.sort();
    files
}

/// The line on which `key =` appears in a TOML text (1 when absent).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

fn toml_error_line(text: &str, err: &toml::de::Error) -> usize {
    err.span().map_or(1, |span| {
        text[..span.start.min(text.len())].lines().count().max(1)
    })
}

struct CourseResolver<'a> {
    dir: &'a Path,
    course: &'a str,
    lessons: &'a HashMap<String, Vec<(String, String)>>,
}

impl Resolver for CourseResolver<'_> {
    fn lesson_url(&self, target: &str) -> Option<String> {
        let (course, file) = match target.strip_prefix("../") {
            Some(rest) => rest.split_once('/')?,
            None => (self.course, target),
        };
        let (file, anchor) = file.split_once('#').map_or((file, ""), |(f, a)| (f, a));
        let (_, slug) = self.lessons.get(course)?.iter().find(|(f, _)| f == file)?;
        let anchor = if anchor.is_empty() {
            String::new()
        } else {
            format!("#{anchor}")
        };
        Some(format!("/courses/{course}/{slug}{anchor}"))
    }

    fn asset_url(&self, target: &str) -> Option<String> {
        let rest = target.strip_prefix("images/")?;
        let safe = !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !rest.starts_with('.');
        (safe && self.dir.join("images").join(rest).is_file())
            .then(|| format!("/media/{}/{rest}", self.course))
    }
}

fn load_course(
    dir: &Path,
    slug: &str,
    lesson_files: &HashMap<String, Vec<(String, String)>>,
    library: &mut Library,
    p: &mut Collector,
) -> Option<Course> {
    let meta_path = dir.join("course.toml");
    let text = std::fs::read_to_string(&meta_path).ok()?;
    let meta: CourseMeta = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            p.at(
                &meta_path,
                toml_error_line(&text, &e),
                e.message().to_string(),
            );
            return None;
        }
    };
    let mut missing = |name: &str| p.at(&meta_path, 1, format!("missing field `{name}`"));
    if meta.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        missing("title");
    }
    if meta.summary.as_deref().is_none_or(|t| t.trim().is_empty()) {
        missing("summary");
    }
    if meta.order.is_none() {
        missing("order");
    }
    if meta.validity_months.is_none() {
        missing("validity_months");
    }
    let audience = match meta.audience.as_deref() {
        None => {
            missing("audience");
            Audience::Public
        }
        Some(code) => Audience::parse(code).unwrap_or_else(|| {
            p.at(
                &meta_path,
                key_line(&text, "audience"),
                format!(
                    "unknown audience {code:?} (expected public, employee, operator or manager)"
                ),
            );
            Audience::Public
        }),
    };
    if meta
        .validity_months
        .is_some_and(|v| !(0..=120).contains(&v))
    {
        p.at(
            &meta_path,
            key_line(&text, "validity_months"),
            "validity_months must be between 0 and 120",
        );
    }

    // Images of the course, served from memory.
    let images = dir.join("images");
    if images.is_dir() {
        for entry in std::fs::read_dir(&images)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            let name = file_name(&path);
            let content_type = match path.extension().and_then(|e| e.to_str()) {
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("jpg" | "jpeg") => "image/jpeg",
                _ => {
                    p.at(&path, 1, "unsupported asset type (use .svg, .png or .jpg)");
                    continue;
                }
            };
            if entry.metadata().map(|m| m.len()).unwrap_or(0) > MAX_ASSET_BYTES {
                p.at(&path, 1, "asset larger than 512 KB");
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                library.assets.insert(
                    format!("{slug}/{name}"),
                    Asset {
                        bytes,
                        content_type,
                    },
                );
            }
        }
    }

    let resolver = CourseResolver {
        dir,
        course: slug,
        lessons: lesson_files,
    };
    let mut lessons = Vec::new();
    let mut seen_slugs = HashSet::new();
    let mut seen_orders = HashMap::new();
    for (file, lesson_slug) in lesson_files.get(slug).cloned().unwrap_or_default() {
        let path = dir.join(&file);
        if !is_slug(&lesson_slug) {
            p.at(
                &path,
                1,
                format!("lesson file name {file:?} is not NN-slug.md"),
            );
        }
        if lesson_slug == "exam" {
            p.at(
                &path,
                1,
                "the lesson slug \"exam\" is reserved for the course's exam page",
            );
        }
        if !seen_slugs.insert(lesson_slug.clone()) {
            p.at(
                &path,
                1,
                format!("duplicate slug {lesson_slug:?} in course {slug}"),
            );
        }
        let Some(lesson) = load_lesson(&path, &lesson_slug, &resolver, p) else {
            continue;
        };
        if let Some(other) = seen_orders.insert(lesson.order, file.clone()) {
            p.at(
                &path,
                2,
                format!("order {} is also used by {other}", lesson.order),
            );
        }
        lessons.push(lesson);
    }
    if lessons.is_empty() {
        p.at(
            &meta_path,
            1,
            "the course has no lessons (NN-slug.md files)",
        );
    }
    lessons.sort_by_key(|l| l.order);

    let tip_path = dir.join("tip.md");
    let tip = if tip_path.exists() {
        load_tip(&tip_path, &resolver, p)
    } else {
        if audience == Audience::Public {
            p.at(&tip_path, 1, "a public course needs a tip page (tip.md)");
        }
        None
    };

    let bank_path = dir.join("bank.gift");
    let bank = if bank_path.exists() {
        load_bank(&bank_path, &lessons, p)
    } else {
        p.at(&bank_path, 1, "missing question bank bank.gift");
        Vec::new()
    };
    match &meta.exam {
        Some(rules) if !bank.is_empty() => {
            for message in rules.check(&bank) {
                p.at(&meta_path, key_line(&text, "pass_mark"), message);
            }
        }
        Some(_) => {}
        None => p.at(&meta_path, 1, "missing [exam] rules"),
    }

    Some(Course {
        slug: slug.to_string(),
        title: meta.title.unwrap_or_default(),
        audience,
        summary: meta.summary.unwrap_or_default(),
        order: meta.order.unwrap_or_default(),
        validity_months: meta.validity_months.unwrap_or_default(),
        lessons,
        tip,
        bank,
        exam: meta.exam,
    })
}

fn load_bank(
    path: &Path,
    lessons: &[Lesson],
    p: &mut Collector,
) -> Vec<crate::quiz::gift::Question> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            p.at(path, 1, format!("cannot read: {e}"));
            return Vec::new();
        }
    };
    match crate::quiz::gift::parse(&text) {
        Ok(questions) => {
            for q in &questions {
                if !lessons.iter().any(|l| l.slug == q.category) {
                    p.at(
                        path,
                        q.line,
                        format!(
                            "$CATEGORY {:?} of question {} is not a lesson of this course",
                            q.category, q.id
                        ),
                    );
                }
            }
            questions
        }
        Err(problems) => {
            for (line, message) in problems {
                p.at(path, line, message);
            }
            Vec::new()
        }
    }
}

/// Splits `+++` front matter from the body: (front matter, body, body's first line).
fn front_matter<'a>(
    path: &Path,
    text: &'a str,
    p: &mut Collector,
) -> Option<(&'a str, &'a str, usize)> {
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        p.at(
            path,
            1,
            "missing front matter (the file must start with a +++ line)",
        );
        return None;
    };
    let Some(end) = rest.find("\n+++") else {
        p.at(path, 1, "front matter is not closed by a +++ line");
        return None;
    };
    let meta = &rest[..end + 1];
    let after = &rest[end + 4..];
    let body = after
        .strip_prefix("\r\n")
        .or_else(|| after.strip_prefix('\n'))
        .unwrap_or(after);
    let body_line = meta.lines().count() + 3;
    Some((meta, body, body_line))
}

fn load_lesson(
    path: &Path,
    slug: &str,
    resolver: &CourseResolver<'_>,
    p: &mut Collector,
) -> Option<Lesson> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            p.at(path, 1, format!("cannot read: {e}"));
            return None;
        }
    };
    lesson_from_text(path, &text, slug, resolver, p)
}

fn lesson_from_text(
    path: &Path,
    text: &str,
    slug: &str,
    resolver: &dyn Resolver,
    p: &mut Collector,
) -> Option<Lesson> {
    let (meta_text, body, body_line) = front_matter(path, text, p)?;
    let meta: LessonMeta = match toml::from_str(meta_text) {
        Ok(m) => m,
        Err(e) => {
            p.at(
                path,
                toml_error_line(meta_text, &e) + 1,
                e.message().to_string(),
            );
            return None;
        }
    };
    let line_of = |key: &str| key_line(meta_text, key) + 1;
    for (name, present) in [
        (
            "title",
            meta.title.as_deref().is_some_and(|t| !t.trim().is_empty()),
        ),
        ("order", meta.order.is_some()),
        ("minutes", meta.minutes.is_some()),
        ("sources", meta.sources.is_some()),
    ] {
        if !present {
            p.at(path, 1, format!("missing field `{name}`"));
        }
    }
    if meta.minutes.is_some_and(|m| !(1..=30).contains(&m)) {
        p.at(path, line_of("minutes"), "minutes must be between 1 and 30");
    }
    if meta
        .sources
        .as_ref()
        .is_some_and(|s| s.iter().all(|x| x.trim().is_empty()))
    {
        p.at(
            path,
            line_of("sources"),
            "sources must name at least one standard, law or official page",
        );
    }
    let rendered = render(body, body_line, resolver);
    for (line, message) in rendered.problems {
        p.at(path, line, message);
    }
    let chars = rendered.text.chars().filter(|c| !c.is_whitespace()).count();
    if !LESSON_CHARS.contains(&chars) {
        p.at(
            path,
            body_line,
            format!("lesson has {chars} characters of text (expected 400–1,500)"),
        );
    }
    Some(Lesson {
        slug: slug.to_string(),
        title: meta.title.unwrap_or_default(),
        order: meta.order.unwrap_or_default(),
        minutes: meta.minutes.unwrap_or_default(),
        sources: meta.sources.unwrap_or_default(),
        html: rendered.html,
        text: rendered.text,
    })
}

fn load_tip(path: &Path, resolver: &CourseResolver<'_>, p: &mut Collector) -> Option<Tip> {
    let text = std::fs::read_to_string(path).ok()?;
    tip_from_text(path, &text, resolver, p)
}

fn tip_from_text(
    path: &Path,
    text: &str,
    resolver: &dyn Resolver,
    p: &mut Collector,
) -> Option<Tip> {
    let (meta_text, body, body_line) = front_matter(path, text, p)?;
    let meta: TipMeta = match toml::from_str(meta_text) {
        Ok(m) => m,
        Err(e) => {
            p.at(
                path,
                toml_error_line(meta_text, &e) + 1,
                e.message().to_string(),
            );
            return None;
        }
    };
    if meta.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        p.at(path, 1, "missing field `title`");
    }
    let points = body
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .count();
    if !TIP_POINTS.contains(&points) {
        p.at(
            path,
            body_line,
            format!("a tip page has {points} numbered points (expected 5–8)"),
        );
    }
    let rendered = render(body, body_line, resolver);
    for (line, message) in rendered.problems {
        p.at(path, line, message);
    }
    Some(Tip {
        title: meta.title.unwrap_or_default(),
        summary: meta.summary.unwrap_or_default(),
        html: rendered.html,
    })
}
