//! A poster as files, for officials to share in WeChat groups or print
//! elsewhere: `GET /admin/posters/{id}/poster.svg` and `.png`, for the
//! admins of the poster's place. The SVG carries its own text (CJK font
//! families named, every line wrapped here) and the QR code; the PNG is
//! rendered from it with the server's CJK fonts.

use crate::downloads::{error_response, signed_in};
use crate::graphics::{self, escape};
use app::error::AppError;
use app::routes::admin::posters::PosterCard;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt::Write as _;

/// A4 portrait at 150 dpi: the PNG prints sharp on A4 and reads on a phone.
pub const WIDTH: f64 = 1240.0;
pub const HEIGHT: f64 = 1754.0;
/// The text column inside the frame.
const LEFT: f64 = 110.0;
const RIGHT: f64 = 1130.0;
/// The points sit between the title and this line; the QR block below it.
const POINTS_BOTTOM: f64 = 1150.0;
const QR_TOP: f64 = 1190.0;
const QR_SIZE: f64 = 380.0;
/// The right-hand column beside the QR code: phone numbers, place, date.
const CALLS_LEFT: f64 = 560.0;

const DARK_RED: &str = "#7f0000";
const RED: &str = "#b71c1c";
const INK: &str = "#000";
const GREY: &str = "#333";
/// The faces a browser or resvg may have, Debian's first (see graphics.rs).
const SANS: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',\
                    'WenQuanYi Micro Hei',sans-serif";

/// The poster as a self-contained portrait SVG, `WIDTH` × `HEIGHT`.
pub fn poster_svg(c: &PosterCard) -> Result<String, graphics::GraphicsError> {
    let mut svg = String::with_capacity(24 * 1024);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"><title>{}</title><rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/><rect x="48" y="48" width="{}" height="{}" fill="none" stroke="{RED}" stroke-width="16"/><g font-family="{SANS}">"##,
        escape(&format!("消防安全小贴士：{}", c.title)),
        WIDTH - 96.0,
        HEIGHT - 96.0,
    );
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="170" font-size="40" font-weight="700" letter-spacing="8" fill="{DARK_RED}">消防安全小贴士</text>"#
    );

    // The title: as large as fits in two lines, broken between its
    // phrases where it has them.
    let width = RIGHT - LEFT;
    let (title_size, title_lines) = [92.0, 80.0, 68.0, 58.0]
        .into_iter()
        .map(|size| (size, title_lines(&c.title, width / size)))
        .find(|(_, lines)| lines.len() <= 2)
        .unwrap_or_else(|| {
            (
                58.0,
                wrap(&c.title, width / 58.0).into_iter().take(2).collect(),
            )
        });
    let mut y = 200.0;
    for line in &title_lines {
        y += title_size * 1.2;
        let _ = write!(
            svg,
            r#"<text x="{LEFT}" y="{y:.0}" font-size="{title_size}" font-weight="700" fill="{DARK_RED}">{}</text>"#,
            escape(line)
        );
    }
    let points_top = y + 50.0;
    points(&mut svg, &c.points, points_top);

    svg.push_str(&graphics::qr_svg(
        &c.short_url,
        LEFT - 20.0,
        QR_TOP,
        QR_SIZE,
    )?);
    let qr_centre = LEFT - 20.0 + QR_SIZE / 2.0;
    let _ = write!(
        svg,
        r#"<text x="{qr_centre}" y="{}" font-size="34" font-weight="700" text-anchor="middle" fill="{INK}">扫码看全文</text>"#,
        QR_TOP + QR_SIZE + 34.0
    );
    let (url_size, url) = fit(&c.short_url, QR_SIZE + 40.0, 28.0, 16.0);
    let _ = write!(
        svg,
        r#"<text x="{qr_centre}" y="{}" font-size="{url_size}" text-anchor="middle" fill="{GREY}">{}</text>"#,
        QR_TOP + QR_SIZE + 76.0,
        escape(&url)
    );

    let _ = write!(
        svg,
        r#"<text x="{CALLS_LEFT}" y="1300" fill="{INK}"><tspan font-size="50" font-weight="700">火警电话</tspan><tspan dx="24" font-size="150" font-weight="900" fill="{DARK_RED}">119</tspan></text><text x="{CALLS_LEFT}" y="1420" fill="{INK}"><tspan font-size="50" font-weight="700">举报投诉</tspan><tspan dx="24" font-size="88" font-weight="900" fill="{DARK_RED}">96119</tspan></text>"#
    );
    let (place_size, place) = fit(
        &format!("{} · {}", c.region_name, c.spot),
        RIGHT - CALLS_LEFT,
        40.0,
        24.0,
    );
    let _ = write!(
        svg,
        r#"<text x="{CALLS_LEFT}" y="1530" font-size="{place_size}" font-weight="700" fill="{INK}">{}</text><text x="{CALLS_LEFT}" y="1590" font-size="34" fill="{GREY}">{}</text>"#,
        escape(&place),
        escape(&c.date)
    );
    svg.push_str("</g></svg>");
    Ok(svg)
}

/// The numbered points between `top` and `POINTS_BOTTOM`, at the largest
/// size that fits; at the smallest, lines that still do not fit are left
/// out. Returns the lowest baseline drawn.
fn points(svg: &mut String, points: &[String], top: f64) -> f64 {
    const LEADING: f64 = 1.4;
    const GAP: f64 = 0.5;
    let number_width = 1.6;
    let layout = |size: f64| -> Vec<Vec<String>> {
        let per_line = (RIGHT - LEFT) / size - number_width;
        points.iter().map(|p| wrap(p, per_line)).collect()
    };
    let height = |size: f64, lines: &[Vec<String>]| {
        let count: usize = lines.iter().map(Vec::len).sum();
        count as f64 * size * LEADING + lines.len().saturating_sub(1) as f64 * size * GAP
    };
    let sizes = [52.0, 48.0, 44.0, 40.0, 36.0, 32.0, 28.0];
    let (size, lines) = sizes
        .iter()
        .map(|&size| (size, layout(size)))
        .find(|(size, lines)| height(*size, lines) <= POINTS_BOTTOM - top)
        .unwrap_or_else(|| (28.0, layout(28.0)));
    let mut y = top;
    let mut lowest = top;
    for (index, point) in lines.iter().enumerate() {
        for (row, line) in point.iter().enumerate() {
            // Baseline of a CJK line: about 0.38 em below the middle of its box.
            let baseline = y + size * LEADING / 2.0 + 0.38 * size;
            if baseline > POINTS_BOTTOM {
                return lowest;
            }
            lowest = baseline;
            if row == 0 {
                let _ = write!(
                    svg,
                    r#"<text x="{LEFT}" y="{baseline:.0}" font-size="{size}" font-weight="900" fill="{DARK_RED}">{}.</text>"#,
                    index + 1
                );
            }
            let _ = write!(
                svg,
                r#"<text x="{:.0}" y="{baseline:.0}" font-size="{size}" fill="{INK}">{}</text>"#,
                LEFT + number_width * size,
                escape(line)
            );
            y += size * LEADING;
        }
        y += size * GAP;
    }
    lowest
}

/// A title's lines: its two space-separated phrases when each fits a
/// line, otherwise plain wrapping.
fn title_lines(title: &str, width_em: f64) -> Vec<String> {
    let phrases: Vec<String> = title.split_whitespace().map(str::to_string).collect();
    let whole = wrap(title, width_em);
    if whole.len() > 1 && phrases.len() == 2 && phrases.iter().all(|p| em_width(p) <= width_em) {
        phrases
    } else {
        whole
    }
}

/// Estimated advance in em: CJK glyphs and full-width punctuation are one
/// em in every CJK face; Latin is over-estimated so lines never overflow.
fn char_em(c: char) -> f64 {
    match c {
        'W' | 'M' | 'm' | 'w' | '@' | '%' => 1.0,
        'A'..='Z' => 0.8,
        c if c.is_ascii() => 0.65,
        _ => 1.0,
    }
}

fn em_width(text: &str) -> f64 {
    text.chars().map(char_em).sum()
}

/// Greedy lines of at most `width_em`, broken between any two characters
/// (as Chinese allows) except that closing punctuation never starts a line.
pub fn wrap(text: &str, width_em: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0.0;
    for c in text.trim().chars() {
        let em = char_em(c);
        if used + em > width_em && !line.is_empty() {
            let mut carry = String::new();
            if "，。、；：！？）」』》”’…,.;:!?)".contains(c)
                && let Some(last) = line.pop()
            {
                carry.push(last);
            }
            if line.is_empty() {
                line = std::mem::take(&mut carry);
            } else {
                lines.push(std::mem::take(&mut line));
                line = carry;
            }
            used = em_width(&line);
        }
        line.push(c);
        used += em;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// One line of at most `max_px`: shrinks from `max_size` down to
/// `min_size`, then cuts the text with "…".
fn fit(text: &str, max_px: f64, max_size: f64, min_size: f64) -> (f64, String) {
    let em = em_width(text);
    if em * max_size <= max_px {
        return (max_size, text.to_string());
    }
    let size = (max_px / em).floor();
    if size >= min_size {
        return (size, text.to_string());
    }
    let mut cut = String::new();
    let mut used = char_em('…');
    for c in text.chars() {
        used += char_em(c);
        if used * min_size > max_px {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    (min_size, cut)
}

/// The poster, if the signed-in caller administers its place.
async fn viewable(state: &AppState, headers: &HeaderMap, id: i64) -> Result<PosterCard, AppError> {
    let user = signed_in(state, headers).await?;
    let poster =
        app::routes::admin::posters::server::posters_for(&state.db, &user, &id.to_string())
            .await?
            .pop()
            .ok_or(AppError::Forbidden)?;
    app::actions::posters::card(
        &poster,
        &state.site.library(),
        &state.site.base_url,
        &app::actions::today(),
    )
    .ok_or(AppError::NotFound)
}

/// Shown in the browser (long-press saves it on a phone), saved under a
/// readable Chinese name.
fn inline_file(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{}",
        app::components::errors::encode(name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

fn file_name(c: &PosterCard, extension: &str) -> String {
    format!("{}-{}-{}.{extension}", c.region_name, c.spot, c.title)
}

/// `GET /admin/posters/{id}/poster.svg`
pub async fn svg(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let back = format!("/admin/posters/print?ids={id}");
    let built = viewable(&state, &headers, id).await.and_then(|c| {
        poster_svg(&c)
            .map(|svg| (c, svg))
            .map_err(AppError::internal)
    });
    match built {
        Ok((c, svg)) => inline_file(
            "image/svg+xml; charset=utf-8",
            &file_name(&c, "svg"),
            svg.into_bytes(),
        ),
        Err(err) => error_response(err, &back),
    }
}

/// `GET /admin/posters/{id}/poster.png`: rendered on a blocking thread so
/// requests keep flowing.
pub async fn png(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let back = format!("/admin/posters/print?ids={id}");
    let built = viewable(&state, &headers, id).await.and_then(|c| {
        poster_svg(&c)
            .map(|svg| (c, svg))
            .map_err(AppError::internal)
    });
    let (c, svg) = match built {
        Ok(built) => built,
        Err(err) => return error_response(err, &back),
    };
    let rendered = tokio::task::spawn_blocking(move || {
        graphics::Fonts::shared().and_then(|fonts| fonts.svg_to_png(&svg, WIDTH as u32))
    })
    .await;
    match rendered {
        Ok(Ok(bytes)) => inline_file("image/png", &file_name(&c, "png"), bytes),
        Ok(Err(err)) => error_response(AppError::internal(err), &back),
        Err(err) => error_response(AppError::internal(err), &back),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(spot: &str, points: Vec<String>) -> PosterCard {
        PosterCard {
            id: 1,
            code: "AB3XYZ".into(),
            short_url: "https://xt.example.cn/p/AB3XYZ".into(),
            region_name: "窦庄村".into(),
            spot: spot.into(),
            course: "sanqing-sanguan".into(),
            title: "三清三关 守护家庭平安".into(),
            points,
            date: "2026年5月20日".into(),
        }
    }

    fn six_points() -> Vec<String> {
        (1..=6)
            .map(|n| {
                format!("第{n}条：出门、睡觉前关燃气阀门，拔掉电器插头，烟头、炉火、香烛灭干净。")
            })
            .collect()
    }

    #[test]
    fn wrapping_keeps_lines_short_and_punctuation_attached() {
        let lines = wrap("一二三四，五六七八九十", 4.0);
        assert_eq!(lines, ["一二三", "四，五六", "七八九十"]);
        assert!(wrap("", 4.0).is_empty());
        assert_eq!(wrap("https://xt.example.cn/p/AB3XYZ", 100.0).len(), 1);
    }

    #[test]
    fn titles_break_between_their_phrases() {
        assert_eq!(
            title_lines("管好农村的火 护好村里的老房子", 11.0),
            ["管好农村的火", "护好村里的老房子"]
        );
        assert_eq!(
            title_lines("三清三关 守护家庭平安", 11.0),
            ["三清三关 守护家庭平安"]
        );
        assert_eq!(title_lines("着火了：先报警，快逃生", 8.0).len(), 2);
    }

    #[test]
    fn hostile_text_is_escaped() {
        let svg = poster_svg(&card("\"><img onerror=alert(1)>", six_points())).unwrap();
        assert!(!svg.contains("<img"), "{svg}");
        assert!(svg.contains("&quot;&gt;&lt;img onerror=alert(1)&gt;"));
        assert!(svg.contains("Noto Sans CJK SC") && svg.contains("WenQuanYi Micro Hei"));
    }

    #[test]
    fn points_stay_above_the_qr_code() {
        let svg = poster_svg(&card("村委会宣传栏", six_points())).unwrap();
        for n in 1..=6 {
            assert!(svg.contains(&format!(">{n}.</text>")), "point {n} missing");
        }
        let mut out = String::new();
        assert!(points(&mut out, &six_points(), 420.0) <= POINTS_BOTTOM);
        let endless: Vec<String> = (0..6).map(|_| "长".repeat(400)).collect();
        let mut out = String::new();
        let lowest = points(&mut out, &endless, 420.0);
        assert!(
            lowest <= POINTS_BOTTOM && lowest > POINTS_BOTTOM - 60.0,
            "{lowest}"
        );
    }
}
