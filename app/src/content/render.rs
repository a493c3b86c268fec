//! Markdown to HTML for lessons and tips: GitHub tables and alerts, images
//! and links resolved to site URLs, raw HTML refused (and never emitted).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

pub struct Rendered {
    pub html: String,
    pub text: String,
    /// (line, message) for the author.
    pub problems: Vec<(usize, String)>,
}

/// What a link or image target in a lesson may point to.
pub trait Resolver {
    /// A lesson link like `02-x.md` or `../course/01-y.md` → its URL.
    fn lesson_url(&self, target: &str) -> Option<String>;
    /// An image path like `images/a.svg` → its URL, if the file exists.
    fn asset_url(&self, target: &str) -> Option<String>;
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Renders `source`; `first_line` is the file line where it starts (after
/// front matter), so problems point into the file.
pub fn render(source: &str, first_line: usize, resolver: &dyn Resolver) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM;
    let mut problems = Vec::new();
    let mut text = String::new();
    let mut events = Vec::new();
    let mut in_image: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        let line = first_line + line_of(source, range.start) - 1;
        match event {
            Event::Html(_) | Event::InlineHtml(_) => {
                problems.push((line, "raw HTML is not allowed in content".to_string()));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let url = match resolver.asset_url(&dest_url) {
                    Some(url) => url,
                    None => {
                        problems.push((line, format!("missing asset {dest_url}")));
                        dest_url.to_string()
                    }
                };
                in_image = Some((line, String::new()));
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                if let Some((line, alt)) = in_image.take()
                    && alt.trim().is_empty()
                {
                    problems.push((line, "image without alt text".to_string()));
                }
                events.push(Event::End(TagEnd::Image));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let url = if is_external(&dest_url) || dest_url.starts_with('#') {
                    dest_url.to_string()
                } else {
                    match resolver.lesson_url(&dest_url) {
                        Some(url) => url,
                        None => {
                            problems.push((line, format!("broken internal link {dest_url}")));
                            dest_url.to_string()
                        }
                    }
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                }));
            }
            Event::Text(t) => {
                match &mut in_image {
                    Some((_, alt)) => alt.push_str(&t),
                    None => {
                        text.push_str(&t);
                        text.push(' ');
                    }
                }
                events.push(Event::Text(t));
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: out,
        text,
        problems,
    }
}

fn is_external(url: &str) -> bool {
    url.starts_with("https://")
        || url.starts_with("http://")
        || url.starts_with("tel:")
        || url.starts_with("mailto:")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Resolver for Fixed {
        fn lesson_url(&self, target: &str) -> Option<String> {
            (target == "02-next.md").then(|| "/courses/c/next".to_string())
        }
        fn asset_url(&self, target: &str) -> Option<String> {
            (target == "images/ok.svg").then(|| "/media/c/images/ok.svg".to_string())
        }
    }

    #[test]
    fn renders_tables_alerts_images_and_links() {
        let src = "| 电话 | 用途 |\n|---|---|\n| 119 | 火警 |\n\n> [!WARNING]\n> 不要乘电梯\n\n![逃生路线图](images/ok.svg)\n\n[下一课](02-next.md)\n";
        let r = render(src, 5, &Fixed);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(r.html.contains("<td>119</td>"));
        assert!(r.html.contains("markdown-alert-warning"));
        assert!(r.html.contains(r#"src="/media/c/images/ok.svg""#));
        assert!(r.html.contains(r#"alt="逃生路线图""#));
        assert!(r.html.contains(r#"href="/courses/c/next""#));
        assert!(r.text.contains("不要乘电梯"));
        assert!(!r.text.contains("逃生路线图"), "alt text is not body text");
    }

    #[test]
    fn reports_each_fault_on_its_file_line() {
        let src = "第一行\n\n![](images/ok.svg)\n\n![图](images/missing.svg)\n\n[坏链接](09-none.md)\n\n<script>alert(1)</script>\n";
        let r = render(src, 10, &Fixed);
        assert_eq!(
            r.problems,
            vec![
                (12, "image without alt text".to_string()),
                (14, "missing asset images/missing.svg".to_string()),
                (16, "broken internal link 09-none.md".to_string()),
                (18, "raw HTML is not allowed in content".to_string()),
            ]
        );
        assert!(!r.html.contains("<script"));
    }
}
