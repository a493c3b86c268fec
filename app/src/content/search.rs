//! Search over courses and lessons. Chinese has no spaces, so a document
//! matches when it contains every character of the query and at least one
//! pair of adjacent query characters; more matching pairs rank higher.
//! "电动车" thus finds lessons about "电动自行车". The library is small
//! (tens of lessons), so a scan beats maintaining an index.

use super::Course;
pub use crate::model::Hit;

#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
}

#[derive(Debug)]
struct Doc {
    course: String,
    course_title: String,
    lesson: String,
    title: String,
    /// Title and text, lowercased, whitespace collapsed.
    haystack: String,
    title_lower: String,
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Index {
    pub fn build(courses: &[Course]) -> Index {
        let docs = courses
            .iter()
            .flat_map(|c| {
                c.lessons.iter().map(move |l| Doc {
                    course: c.slug.clone(),
                    course_title: c.title.clone(),
                    lesson: l.slug.clone(),
                    title: l.title.clone(),
                    haystack: normalise(&format!("{} {} {}", c.title, l.title, l.text)),
                    title_lower: normalise(&l.title),
                })
            })
            .collect();
        Index { docs }
    }

    /// Best matches first, at most `limit`. Only lessons of `courses`
    /// (the ones the reader may open) are searched.
    pub fn search(&self, query: &str, courses: &[&str], limit: usize) -> Vec<Hit> {
        let query: Vec<char> = normalise(query)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if query.is_empty() {
            return Vec::new();
        }
        let pairs: Vec<String> = query.windows(2).map(|w| w.iter().collect()).collect();
        let mut scored: Vec<(usize, usize, &Doc)> = self
            .docs
            .iter()
            .enumerate()
            .filter(|(_, d)| courses.contains(&d.course.as_str()))
            .filter(|(_, d)| query.iter().all(|c| d.haystack.contains(*c)))
            .filter_map(|(i, d)| {
                let matched = pairs
                    .iter()
                    .filter(|p| d.haystack.contains(p.as_str()))
                    .count();
                if !pairs.is_empty() && matched == 0 {
                    return None;
                }
                // Pairs in the lesson title weigh most, then distinct pairs
                // matched, then how often they occur (capped).
                let in_title = pairs
                    .iter()
                    .filter(|p| d.title_lower.contains(p.as_str()))
                    .count();
                let occurrences: usize = pairs
                    .iter()
                    .map(|p| d.haystack.matches(p.as_str()).count())
                    .sum();
                Some((in_title * 100 + matched * 10 + occurrences.min(9), i, d))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, _, d)| Hit {
                course: d.course.clone(),
                course_title: d.course_title.clone(),
                lesson: d.lesson.clone(),
                title: d.title.clone(),
                snippet: snippet(&d.haystack, &query, &pairs),
            })
            .collect()
    }
}

/// About 60 characters around the first matching pair (or character).
fn snippet(haystack: &str, query: &[char], pairs: &[String]) -> String {
    let at = pairs
        .iter()
        .filter_map(|p| haystack.find(p.as_str()))
        .min()
        .or_else(|| haystack.find(query[0]))
        .unwrap_or(0);
    let chars: Vec<char> = haystack.chars().collect();
    let char_at = haystack[..at].chars().count();
    let start = char_at.saturating_sub(20);
    let end = (char_at + 40).min(chars.len());
    let mut s: String = chars[start..end].iter().collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Course, Lesson};
    use crate::model::Audience;

    fn course(slug: &str, lessons: &[(&str, &str, &str)]) -> Course {
        Course {
            slug: slug.into(),
            title: slug.into(),
            audience: Audience::Public,
            summary: String::new(),
            order: 1,
            validity_months: 0,
            lessons: lessons
                .iter()
                .map(|(s, t, text)| Lesson {
                    slug: (*s).into(),
                    title: (*t).into(),
                    order: 1,
                    minutes: 1,
                    sources: vec![],
                    html: String::new(),
                    text: (*text).into(),
                })
                .collect(),
            tip: None,
            bank: Vec::new(),
            exam: None,
        }
    }

    #[test]
    fn ebike_finds_electric_bicycle_lessons_first() {
        let courses = vec![course(
            "power",
            &[
                (
                    "wires",
                    "安全用电",
                    "不私拉乱接电线，电动机和电器不要超负荷。",
                ),
                (
                    "ebike",
                    "电动自行车",
                    "电动自行车不要在楼道、楼梯间停放和充电。",
                ),
                ("gas", "燃气", "关阀门，开窗通风。"),
            ],
        )];
        let index = Index::build(&courses);
        let hits = index.search("电动车", &["power"], 10);
        assert_eq!(hits[0].lesson, "ebike", "{hits:?}");
        assert!(hits.iter().all(|h| h.lesson != "gas"));
        assert!(hits[0].snippet.contains("电动"), "{}", hits[0].snippet);
    }

    #[test]
    fn searches_only_the_allowed_courses_and_ignores_blank_queries() {
        let courses = vec![
            course("a", &[("x", "报警", "拨打119报警")]),
            course("b", &[("y", "报警", "拨打119报警")]),
        ];
        let index = Index::build(&courses);
        let hits = index.search(" 119 ", &["b"], 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].course, "b");
        assert!(index.search("   ", &["a", "b"], 10).is_empty());
    }
}
