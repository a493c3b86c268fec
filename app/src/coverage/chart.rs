//! The trend chart, rendered on the server as plain SVG: no script, no
//! external font or stylesheet, legible at 360 px wide and in black and
//! white (the series is solid with dots, the required rate dashed).

use std::fmt::Write;

use time::Date;

use super::targets::{Target, required_among};

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 220.0;
/// Plot area; the margins hold the y labels (left), the title (top) and the
/// x labels and legend (bottom).
const LEFT: f64 = 40.0;
const RIGHT: f64 = 340.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 170.0;
const X_LABEL_Y: f64 = 186.0;
const LEGEND_Y: f64 = 208.0;
/// A `YY/MM` label is about 28 px wide at 10 px; six across 300 px leaves
/// at least 50 px between centres.
const MAX_X_LABELS: usize = 6;
const SERIES: &str = "#b71c1c";
const TARGET: &str = "#555";
const GRID: &str = "#ddd";
const INK: &str = "#222";

/// `points` are percentages (0–100, as [`super::Ratio::percent`] gives)
/// in date order, `None` where there is no data (the line breaks there);
/// they are spaced evenly, one per period. `targets` are the charted
/// metric's milestones only: the dashed line is the rate they require at
/// each point's date.
pub fn trend_svg(title: &str, points: &[(Date, Option<f64>)], targets: &[Target]) -> String {
    let title = escape(title);
    let values: Vec<Option<f64>> = points
        .iter()
        .map(|(_, v)| v.filter(|v| v.is_finite()))
        .collect();
    let xs: Vec<f64> = (0..points.len()).map(|i| x_at(i, points.len())).collect();
    let latest = values.iter().rposition(Option::is_some);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(svg, "<title>{title}</title>");
    let summary = match latest {
        Some(i) => format!(
            "截至 {}：{}",
            points[i].0,
            percent_label(values[i].unwrap_or_default())
        ),
        None => "暂无数据".to_string(),
    };
    let _ = write!(svg, "<desc>{}</desc>", escape(&summary));
    let _ = write!(
        svg,
        r#"<text x="4" y="17" font-size="13" font-weight="bold" fill="{INK}">{title}</text>"#
    );

    for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let y = y_at(p);
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="{GRID}" stroke-width="1"/>"#
        );
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{TARGET}">{p}%</text>"#,
            LEFT - 4.0,
            y + 4.0
        );
    }

    let required: Vec<Option<f64>> = points
        .iter()
        .map(|(d, _)| required_among(targets, *d))
        .collect();
    for run in runs(&xs, &required) {
        let _ = write!(
            svg,
            r#"<polyline points="{run}" fill="none" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="5 3"/>"#
        );
    }

    for run in runs(&xs, &values) {
        let _ = write!(
            svg,
            r#"<polyline points="{run}" fill="none" stroke="{SERIES}" stroke-width="2"/>"#
        );
    }
    for (x, v) in xs.iter().zip(&values) {
        if let Some(v) = v {
            let _ = write!(
                svg,
                r#"<circle cx="{x:.1}" cy="{:.1}" r="2.5" fill="{SERIES}"/>"#,
                y_at(*v)
            );
        }
    }

    let step = points.len().div_ceil(MAX_X_LABELS).max(1);
    for (i, (d, _)) in points.iter().enumerate() {
        // Counted from the end so the latest period is always labelled.
        if (points.len() - 1 - i).is_multiple_of(step) {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{X_LABEL_Y}" text-anchor="middle" fill="{TARGET}" font-size="10">{:02}/{:02}</text>"#,
                xs[i],
                d.year().rem_euclid(100),
                d.month() as u8
            );
        }
    }

    match latest {
        Some(i) => {
            let v = values[i].unwrap_or_default();
            let (x, y) = (xs[i], y_at(v));
            let anchor = if x > RIGHT - 20.0 {
                "end"
            } else if x < LEFT + 20.0 {
                "start"
            } else {
                "middle"
            };
            // Above the dot, unless that would run into the title.
            let label_y = if y - 8.0 < TOP + 4.0 {
                y + 16.0
            } else {
                y - 8.0
            };
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{label_y:.1}" text-anchor="{anchor}" fill="{SERIES}" font-weight="bold">{}</text>"#,
                escape(&percent_label(v))
            );
        }
        None => {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{TARGET}">暂无数据</text>"#,
                (LEFT + RIGHT) / 2.0,
                (TOP + BOTTOM) / 2.0
            );
        }
    }

    let _ = write!(
        svg,
        r#"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="{SERIES}" stroke-width="2"/><text x="{}" y="{}" fill="{INK}">实际</text>"#,
        LEFT + 20.0,
        LEFT + 24.0,
        LEGEND_Y + 4.0,
        y = LEGEND_Y
    );
    if required.iter().any(Option::is_some) {
        let _ = write!(
            svg,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="5 3"/><text x="{}" y="{}" fill="{INK}">应达</text>"#,
            LEFT + 70.0,
            LEFT + 90.0,
            LEFT + 94.0,
            LEGEND_Y + 4.0,
            y = LEGEND_Y
        );
    }
    svg.push_str("</svg>");
    svg
}

fn x_at(i: usize, n: usize) -> f64 {
    if n <= 1 {
        (LEFT + RIGHT) / 2.0
    } else {
        LEFT + (RIGHT - LEFT) * i as f64 / (n - 1) as f64
    }
}

fn y_at(percent: f64) -> f64 {
    BOTTOM - percent.clamp(0.0, 100.0) / 100.0 * (BOTTOM - TOP)
}

/// `points` attributes of the unbroken runs of values, so a missing period
/// leaves a gap instead of a line drawn across it.
fn runs(xs: &[f64], values: &[Option<f64>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for (x, v) in xs.iter().zip(values) {
        match v {
            Some(v) => {
                if !current.is_empty() {
                    current.push(' ');
                }
                let _ = write!(current, "{x:.1},{:.1}", y_at(*v));
            }
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whole percentages without a decimal, others with one.
fn percent_label(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0}%", v.round())
    } else {
        format!("{v:.1}%")
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::engine::{Metric, month_ends};
    use super::*;
    use time::macros::date;

    /// A small XML checker: tags balance, no `<` or `>` inside a tag's
    /// attributes or in text, and every `&` starts an entity.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "starts with <svg");
        assert!(svg.ends_with("</svg>"), "ends with </svg>");
        assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(open) = rest.find('<') {
            assert_text_ok(&rest[..open]);
            let close = open + rest[open..].find('>').expect("every tag closes");
            let tag = &rest[open + 1..close];
            assert!(!tag.contains('<'), "no < inside a tag: {tag}");
            assert_entities(tag);
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "closing tag matches");
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().expect("tag name"));
            }
            rest = &rest[close + 1..];
        }
        assert_text_ok(rest);
        assert!(rest.is_empty());
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }

    fn assert_text_ok(text: &str) {
        assert!(!text.contains('>'), "raw > in text: {text}");
        assert_entities(text);
    }

    fn assert_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "bare & in {text}"
            );
        }
    }

    /// Text contents of `<text>` elements with their `x`.
    fn texts(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text ")
            .skip(1)
            .map(|chunk| {
                let x = chunk
                    .split("x=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .and_then(|s| s.parse().ok())
                    .expect("x attribute");
                let body = chunk.split_once('>').expect("text opens").1;
                (
                    x,
                    body.split("</text>").next().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn is_month_label(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 5 && b[2] == b'/' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
    }

    fn seed() -> Vec<Target> {
        vec![
            Target {
                metric: Metric::Certified,
                due: date!(2024 - 12 - 31),
                percent: 85.0,
            },
            Target {
                metric: Metric::Certified,
                due: date!(2026 - 12 - 31),
                percent: 100.0,
            },
        ]
    }

    #[test]
    fn text_is_escaped() {
        let svg = trend_svg(r#"A&B <x> "q" 持证上岗率"#, &[], &[]);
        assert!(svg.contains("<title>A&amp;B &lt;x&gt; &quot;q&quot; 持证上岗率</title>"));
        assert!(!svg.contains("<x>"));
        assert_well_formed(&svg);
    }

    #[test]
    fn thirty_six_months_get_at_most_six_labels_that_do_not_overlap() {
        let points: Vec<(Date, Option<f64>)> =
            month_ends(date!(2023 - 01 - 01), date!(2025 - 12 - 31))
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d, Some(50.0 + i as f64)))
                .collect();
        assert_eq!(points.len(), 36);
        let svg = trend_svg("持证上岗率", &points, &seed());
        assert_well_formed(&svg);
        let labels: Vec<(f64, String)> = texts(&svg)
            .into_iter()
            .filter(|(_, t)| is_month_label(t))
            .collect();
        assert!((2..=MAX_X_LABELS).contains(&labels.len()), "{labels:?}");
        assert_eq!(labels.last().map(|(_, t)| t.as_str()), Some("25/12"));
        for pair in labels.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= 30.0, "labels overlap: {pair:?}");
        }
        // Latest value 50 + 35 = 85 is labelled.
        assert!(texts(&svg).iter().any(|(_, t)| t == "85%"));
    }

    #[test]
    fn every_length_keeps_labels_apart() {
        for n in 1..=120 {
            let points: Vec<(Date, Option<f64>)> =
                month_ends(date!(2020 - 01 - 01), date!(2035 - 12 - 31))[..n]
                    .iter()
                    .map(|&d| (d, Some(10.0)))
                    .collect();
            let svg = trend_svg("t", &points, &[]);
            let xs: Vec<f64> = texts(&svg)
                .into_iter()
                .filter(|(_, t)| is_month_label(t))
                .map(|(x, _)| x)
                .collect();
            assert!(!xs.is_empty() && xs.len() <= MAX_X_LABELS, "n = {n}");
            assert!(xs.windows(2).all(|w| w[1] - w[0] >= 30.0), "n = {n}");
        }
    }

    #[test]
    fn a_missing_value_breaks_the_line() {
        // Five months, the third missing: two runs (2 + 2 points), four dots.
        let months = month_ends(date!(2025 - 01 - 01), date!(2025 - 05 - 31));
        let values = [Some(10.0), Some(20.0), None, Some(40.0), Some(50.0)];
        let points: Vec<(Date, Option<f64>)> = months.into_iter().zip(values).collect();
        let svg = trend_svg("t", &points, &[]);
        assert_well_formed(&svg);
        let series = format!(r#"stroke="{SERIES}" stroke-width="2"/>"#);
        assert_eq!(svg.matches("<polyline points=").count(), 2);
        assert_eq!(
            svg.matches(series.as_str()).count(),
            2 + 1,
            "two runs and the legend"
        );
        assert_eq!(svg.matches("<circle ").count(), 4);
        // Run 1 is x = 40, 115 (spacing 300/4 = 75); y = 170 - 10 % × 140 = 156.
        assert!(svg.contains(r#"points="40.0,156.0 115.0,142.0""#));
        assert!(svg.contains(r#"points="265.0,114.0 340.0,100.0""#));
        // No targets: no dashed line, no legend entry for it.
        assert!(!svg.contains("stroke-dasharray"));
        assert!(!svg.contains("应达"));
    }

    #[test]
    fn required_line_follows_the_milestones() {
        // At 2025-12-31 the seed requires 92.5 %: y = 170 - 0.925 × 140 = 40.5.
        // At 2024-12-31 it requires 85 %: y = 170 - 119 = 51.0.
        let points = [
            (date!(2024 - 12 - 31), Some(80.0)),
            (date!(2025 - 12 - 31), Some(90.0)),
        ];
        let svg = trend_svg("持证上岗率", &points, &seed());
        assert_well_formed(&svg);
        assert!(svg.contains(
            r##"<polyline points="40.0,51.0 340.0,40.5" fill="none" stroke="#555" stroke-width="1.5" stroke-dasharray="5 3"/>"##
        ));
        assert!(svg.contains("应达"));
        assert!(texts(&svg).iter().any(|(_, t)| t == "90%"));
    }

    #[test]
    fn latest_value_is_the_last_known_one() {
        // The last period has no data: the label shows 66.7 % from the one before.
        let points = [
            (date!(2025 - 01 - 31), Some(50.0)),
            (date!(2025 - 02 - 28), Some(200.0 / 3.0)),
            (date!(2025 - 03 - 31), None),
        ];
        let svg = trend_svg("t", &points, &[]);
        assert_well_formed(&svg);
        assert!(texts(&svg).iter().any(|(_, t)| t == "66.7%"));
        assert!(svg.contains("<desc>截至 2025-02-28：66.7%</desc>"));
    }

    #[test]
    fn no_data_says_so() {
        let svg = trend_svg("t", &[(date!(2025 - 01 - 31), None)], &seed());
        assert_well_formed(&svg);
        assert!(svg.contains(r#"viewBox="0 0 360 220""#));
        assert!(svg.contains(r#"width="100%""#));
        assert!(svg.contains(r#"role="img""#));
        assert_eq!(svg.matches("<circle ").count(), 0);
        assert!(svg.contains(">暂无数据</text>"));
    }
}
