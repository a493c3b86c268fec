//! Markdown to HTML for authored content. Raw HTML in the source is dropped,
//! not passed through: content files must not be able to inject markup.

use pulldown_cmark::{Event, Options, Parser, html};

pub fn render(source: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_GFM;
    let events = Parser::new_ext(source, options)
        .filter(|event| !matches!(event, Event::Html(_) | Event::InlineHtml(_)));
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_headings_lists_and_tables() {
        let html = render(
            "# 三清三关\n\n- 清走道\n- 关电源\n\n| 电话 | 用途 |\n|---|---|\n| 119 | 火警 |\n",
        );
        assert!(html.contains("<h1>三清三关</h1>"));
        assert!(html.contains("<li>清走道</li>"));
        assert!(html.contains("<td>119</td>"));
    }

    #[test]
    fn drops_raw_html_blocks_and_inline_html() {
        let html = render("<script>alert(1)</script>\n\n文字<img src=x onerror=alert(1)>结束");
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(html.contains("文字"));
        assert!(html.contains("结束"));
    }
}
