//! QR posters: making them for places and topics (one at a time or villages
//! × topics at once), what a printed poster says, and the scan statistics
//! officials read.

use crate::auth::scope::RegionAccess;
use crate::content::Library;
use crate::db::{self, Db, audit, posters::PosterLine};
use crate::error::AppError;
use crate::routes::admin::posters::{PosterCard, PosterRow, PostersData, StatRow};
use std::collections::BTreeMap;
use time::{Date, Duration};

/// No 0/O, 1/I/L: a code read off a faded poster is typed right.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 6;
/// The most points a poster prints (the tip's first ones); a tip has 5–8.
pub const MAX_POINTS: usize = 6;
pub const MAX_SPOT_CHARS: usize = 30;
/// Posters one batch (or one print document) may hold.
pub const MAX_BATCH: usize = 200;
/// Month columns in the statistics, the current month last.
pub const STAT_MONTHS: usize = 6;
/// "Recently" in the statistics: today and the 29 days before.
pub const RECENT_DAYS: i64 = 30;

/// A random poster code, uniform over the alphabet.
pub fn new_code() -> Result<String, AppError> {
    let mut code = String::with_capacity(CODE_LEN);
    while code.len() < CODE_LEN {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| AppError::internal(RandomError(e.to_string())))?;
        code.extend(code_chars(&bytes).take(CODE_LEN - code.len()));
    }
    Ok(code)
}

/// Bytes past the largest multiple of the alphabet's length are skipped, so
/// every character is equally likely.
fn code_chars(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    bytes
        .iter()
        .filter(move |&&b| b < limit)
        .map(|&b| ALPHABET[usize::from(b) % ALPHABET.len()] as char)
}

#[derive(Debug, thiserror::Error)]
#[error("random poster code: {0}")]
struct RandomError(String);

/// A code as typed or scanned: case and surrounding space do not matter.
pub fn normalise_code(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// Whether `referer` is the landing page of poster `code` itself.
pub fn refers_to(referer: &str, code: &str) -> bool {
    referer
        .find("/p/")
        .map(|at| &referer[at + 3..])
        .map(|rest| rest.split(['?', '#']).next().unwrap_or(rest))
        .and_then(normalise_code)
        .is_some_and(|found| found == code)
}

/// The place on the noticeboard, e.g. 村委会宣传栏.
pub fn parse_spot(spot: &str) -> Result<String, AppError> {
    let spot = spot.trim();
    if spot.is_empty() {
        return Err(AppError::bad_request(
            "张贴位置：请填写，例如“村委会宣传栏”",
        ));
    }
    if spot.chars().count() > MAX_SPOT_CHARS {
        return Err(AppError::bad_request(format!(
            "张贴位置：不超过{MAX_SPOT_CHARS}字"
        )));
    }
    if spot.chars().any(char::is_control) {
        return Err(AppError::bad_request("张贴位置：不能含有换行或控制字符"));
    }
    Ok(spot.to_string())
}

/// A topic is a course with a tip page.
fn tip_title<'a>(library: &'a Library, course: &str) -> Option<&'a str> {
    library
        .course(course)?
        .tip
        .as_ref()
        .map(|t| t.title.as_str())
}

/// Makes the poster for a place and topic, or finds the one made before
/// (so its code, and its count, stay). Returns (id, newly made).
pub async fn create(
    db: &Db,
    access: &RegionAccess,
    library: &Library,
    place_id: i64,
    spot: &str,
    course: &str,
) -> Result<(i64, bool), AppError> {
    let spot = parse_spot(spot)?;
    let places = db::posters::places(db, access.region_id()).await?;
    let place = places
        .iter()
        .find(|(id, _)| *id == place_id)
        .ok_or_else(|| AppError::bad_request("村（社区）：请从列表中选择本辖区的村"))?;
    let title =
        tip_title(library, course).ok_or_else(|| AppError::bad_request("主题：请从列表中选择"))?;
    let mut tx = crate::db::begin(db).await?;
    let made = make(&mut tx, access, place, &spot, course, title).await?;
    tx.commit().await?;
    Ok(made)
}

/// Posters for every ticked place × topic at one spot, in one transaction;
/// existing ones are reused. Returns their ids, place by place.
pub async fn create_batch(
    db: &Db,
    access: &RegionAccess,
    library: &Library,
    spot: &str,
    place_ids: &[i64],
    courses: &[String],
) -> Result<Vec<i64>, AppError> {
    let spot = parse_spot(spot)?;
    if place_ids.is_empty() {
        return Err(AppError::bad_request("村（社区）：请至少勾选一个"));
    }
    if courses.is_empty() {
        return Err(AppError::bad_request("主题：请至少勾选一个"));
    }
    let places = db::posters::places(db, access.region_id()).await?;
    let mut chosen = Vec::new();
    for id in place_ids {
        let place = places
            .iter()
            .find(|(p, _)| p == id)
            .ok_or_else(|| AppError::bad_request(format!("村（社区）：编号 {id} 不在本辖区")))?;
        if !chosen.contains(&place) {
            chosen.push(place);
        }
    }
    let mut topics: Vec<(&str, &str)> = Vec::new();
    for course in courses {
        let title = tip_title(library, course)
            .ok_or_else(|| AppError::bad_request(format!("主题：没有“{course}”这个主题")))?;
        if !topics.iter().any(|(c, _)| *c == course.as_str()) {
            topics.push((course, title));
        }
    }
    if chosen.len() * topics.len() > MAX_BATCH {
        return Err(AppError::bad_request(format!(
            "一次最多制作{MAX_BATCH}张海报（已选 {} 个村 × {} 个主题）",
            chosen.len(),
            topics.len()
        )));
    }
    let mut tx = crate::db::begin(db).await?;
    let mut ids = Vec::with_capacity(chosen.len() * topics.len());
    for place in chosen {
        for (course, title) in &topics {
            ids.push(make(&mut tx, access, place, &spot, course, title).await?.0);
        }
    }
    tx.commit().await?;
    Ok(ids)
}

async fn make(
    tx: &mut sqlx::AnyConnection,
    access: &RegionAccess,
    (place_id, place_name): &(i64, String),
    spot: &str,
    course: &str,
    title: &str,
) -> Result<(i64, bool), AppError> {
    if let Some(id) = db::posters::find(tx, *place_id, spot, course).await? {
        return Ok((id, false));
    }
    let mut code = new_code()?;
    while db::posters::code_taken(tx, &code).await? {
        code = new_code()?;
    }
    let now = super::now();
    let id = db::posters::insert(
        tx,
        &db::posters::NewPoster {
            code: &code,
            region_id: *place_id,
            spot,
            course_slug: course,
            created_at: now,
            created_by: access.actor(),
            is_demo: false,
        },
    )
    .await?;
    audit::record(
        tx,
        &audit::Entry {
            actor_id: access.actor(),
            action: "poster.create",
            unit_id: None,
            region_id: *place_id,
            target: &format!("poster:{id}"),
            detail: &format!("制作海报：{place_name}{spot}「{title}」"),
            at: now,
        },
    )
    .await?;
    Ok((id, true))
}

/// What a printed poster says; `None` when its topic has no tip any more.
pub fn card(
    poster: &db::posters::Poster,
    library: &Library,
    base_url: &str,
    today: &str,
) -> Option<PosterCard> {
    let tip = library.course(&poster.course_slug)?.tip.as_ref()?;
    Some(PosterCard {
        id: poster.id,
        code: poster.code.clone(),
        short_url: format!("{base_url}/p/{}", poster.code),
        region_name: poster.region_name.clone(),
        spot: poster.spot.clone(),
        course: poster.course_slug.clone(),
        title: tip.title.clone(),
        points: key_points(&tip.html, MAX_POINTS),
        date: crate::routes::certificates::chinese_date(today),
    })
}

/// The first `max` list items of a rendered tip, as plain text.
pub fn key_points(html: &str, max: usize) -> Vec<String> {
    let mut points = Vec::new();
    let mut rest = html;
    while points.len() < max {
        let Some(start) = rest.find("<li") else { break };
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let body = &after[open_end + 1..];
        let end = body.find("</li>").unwrap_or(body.len());
        let text = plain_text(&body[..end]);
        if !text.is_empty() {
            points.push(text);
        }
        rest = &body[end..];
    }
    points
}

/// Tags dropped, the entities the Markdown renderer writes decoded, runs of
/// white space made one space.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Font size of the points on an A4 poster, in mm (A3 scales it by √2):
/// as large as lets them fill the area kept for them, 9 mm at most.
pub fn points_size_mm(points: &[String]) -> f64 {
    // The print CSS: a 172 mm column less the 1.8 em number, a line height
    // of 1.45 and 0.5 em between points; the height is what the sheet
    // leaves between a two-line title and the QR block, less some slack.
    const WIDTH: f64 = 172.0;
    const HEIGHT: f64 = 150.0;
    const LEADING: f64 = 1.45;
    const GAP: f64 = 0.5;
    let fits = |size: f64| {
        let per_line = ((WIDTH - 1.8 * size) / size).floor().max(1.0);
        let lines: f64 = points
            .iter()
            .map(|p| (em_width(p) / per_line).ceil().max(1.0))
            .sum();
        lines * size * LEADING + points.len() as f64 * size * GAP <= HEIGHT
    };
    let mut size = 9.0;
    while size > 3.5 && !fits(size) {
        size -= 0.25;
    }
    size
}

/// Estimated advance in em: CJK glyphs and full-width punctuation are one
/// em, Latin letters and digits about 0.6.
fn em_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum()
}

/// The poster page's data: posters in the scope with their scans, and the
/// scans per poster, place and topic over the last months and days.
pub async fn overview(
    db: &Db,
    access: &RegionAccess,
    library: &Library,
    base_url: &str,
    today: Date,
) -> Result<PostersData, AppError> {
    let region = db::regions::get(db, access.region_id())
        .await?
        .ok_or(AppError::NotFound)?;
    let recent_from = today - Duration::days(RECENT_DAYS - 1);
    let months = month_columns(today, STAT_MONTHS);
    let months_from = format!("{}-01", months[0]);
    let since = recent_from.to_string().min(months_from);
    let lines = db::posters::in_subtree(db, access.region_id(), &recent_from.to_string()).await?;
    let scans = db::posters::scans_since(db, access.region_id(), &since).await?;
    let topic = |slug: &str| tip_title(library, slug).unwrap_or(slug).to_string();
    let posters = lines
        .iter()
        .map(|l| PosterRow {
            id: l.poster.id,
            code: l.poster.code.clone(),
            short_url: format!("{base_url}/p/{}", l.poster.code),
            place: l.poster.region_name.clone(),
            spot: l.poster.spot.clone(),
            topic: topic(&l.poster.course_slug),
            recent: l.recent,
            total: l.total,
        })
        .collect();
    let recent_from = recent_from.to_string();
    let stat =
        |key: &dyn Fn(&PosterLine) -> String| group(&lines, &scans, &months, &recent_from, key);
    let daily = daily_totals(&scans, today, RECENT_DAYS);
    Ok(PostersData {
        region_id: region.id,
        region_name: region.name,
        base_url: base_url.to_string(),
        places: db::posters::places(db, access.region_id()).await?,
        topics: library
            .courses
            .iter()
            .filter_map(|c| c.tip.as_ref().map(|t| (c.slug.clone(), t.title.clone())))
            .collect(),
        posters,
        months: months.clone(),
        by_poster: stat(&|l| {
            format!(
                "{} · {} · {}",
                l.poster.region_name,
                l.poster.spot,
                topic(&l.poster.course_slug)
            )
        }),
        by_place: stat(&|l| l.poster.region_name.clone()),
        by_topic: stat(&|l| topic(&l.poster.course_slug)),
        daily_svg: daily_chart_svg(&daily),
        daily,
    })
}

/// `count` months ending with `today`'s, as `YYYY-MM`.
pub fn month_columns(today: Date, count: usize) -> Vec<String> {
    (0..count)
        .rev()
        .map(|back| {
            let d = crate::domain::date::add_months(
                today.replace_day(1).unwrap_or(today),
                -(back as i32),
            );
            format!("{:04}-{:02}", d.year(), d.month() as u8)
        })
        .collect()
}

/// Rows of scans grouped by `key` (in the order keys first appear):
/// per month column, since `recent_from`, and in all.
pub fn group(
    lines: &[PosterLine],
    scans: &[(i64, String, i64)],
    months: &[String],
    recent_from: &str,
    key: &dyn Fn(&PosterLine) -> String,
) -> Vec<StatRow> {
    let mut rows: Vec<StatRow> = Vec::new();
    let mut row_of: BTreeMap<i64, usize> = BTreeMap::new();
    for line in lines {
        let name = key(line);
        let index = match rows.iter().position(|r| r.name == name) {
            Some(index) => index,
            None => {
                rows.push(StatRow {
                    name,
                    months: vec![0; months.len()],
                    recent: 0,
                    total: 0,
                });
                rows.len() - 1
            }
        };
        row_of.insert(line.poster.id, index);
        rows[index].total += line.total;
    }
    for (poster, day, count) in scans {
        let Some(&index) = row_of.get(poster) else {
            continue;
        };
        if let Some(column) = months.iter().position(|m| day.starts_with(m.as_str())) {
            rows[index].months[column] += count;
        }
        if day.as_str() >= recent_from {
            rows[index].recent += count;
        }
    }
    rows
}

/// Scans per day over the `days` days ending today, zeros included.
pub fn daily_totals(scans: &[(i64, String, i64)], today: Date, days: i64) -> Vec<(String, i64)> {
    let mut totals: Vec<(String, i64)> = (0..days)
        .rev()
        .map(|back| ((today - Duration::days(back)).to_string(), 0))
        .collect();
    for (_, day, count) in scans {
        if let Some(slot) = totals.iter_mut().find(|(d, _)| d == day) {
            slot.1 += count;
        }
    }
    totals
}

/// Daily scans as a bar chart: plain SVG, solid bars that print in black
/// and white, the largest day labelled, a date under every 7th bar.
pub fn daily_chart_svg(days: &[(String, i64)]) -> String {
    use std::fmt::Write;
    const WIDTH: f64 = 360.0;
    const HEIGHT: f64 = 170.0;
    const LEFT: f64 = 34.0;
    const RIGHT: f64 = 352.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 140.0;
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let step = (RIGHT - LEFT) / days.len().max(1) as f64;
    let total: i64 = days.iter().map(|(_, n)| n).sum();
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="近{}天每日扫码次数，共 {total} 次"><g font-family="sans-serif" font-size="10" fill="#222">"##,
        days.len()
    );
    let _ = write!(
        svg,
        r##"<path d="M{LEFT} {BOTTOM}H{RIGHT}M{LEFT} {TOP}H{RIGHT}" stroke="#bbb" stroke-width="1"/><text x="{}" y="{}" text-anchor="end">{max}</text><text x="{}" y="{BOTTOM}" text-anchor="end">0</text>"##,
        LEFT - 4.0,
        TOP + 4.0,
        LEFT - 4.0,
    );
    for (i, (day, count)) in days.iter().enumerate() {
        let x = LEFT + step * i as f64;
        if *count > 0 {
            let height = (BOTTOM - TOP) * *count as f64 / max as f64;
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#7f0000"><title>{day}：{count} 次</title></rect>"##,
                x + step * 0.15,
                BOTTOM - height,
                step * 0.7,
                height
            );
        }
        if (days.len() - 1 - i).is_multiple_of(7) {
            let label = day.get(5..).unwrap_or(day).replacen('-', "/", 1);
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle">{label}</text>"##,
                x + step / 2.0,
                BOTTOM + 14.0
            );
        }
    }
    svg.push_str("</g></svg>");
    svg
}

/// Demo posters (示例数据) in a few villages with scans over the last 120
/// days, so the statistics page has something to show on a fresh install.
/// Does nothing once demo posters exist, or for places the seed lacks.
pub async fn add_demo(db: &Db, today: Date) -> Result<usize, AppError> {
    const DEMO: [(&str, &str, &str, i64); 6] = [
        ("JF-DZ", "村委会宣传栏", "sanqing-sanguan", 5),
        ("JF-DZ", "古城景区入口", "rural-fire-and-heritage", 8),
        ("JF-JF", "文化广场", "escape-and-119", 6),
        ("JF-JF", "村委会宣传栏", "electricity-and-ebikes", 3),
        ("JF-GB", "村委会宣传栏", "gas-and-co", 2),
        ("JF", "镇政府公示栏", "sanqing-sanguan", 4),
    ];
    if db::posters::any_demo(db).await? {
        return Ok(0);
    }
    let mut tx = crate::db::begin(db).await?;
    let mut added = 0;
    for (index, (region, spot, course, busy)) in DEMO.into_iter().enumerate() {
        let Some(region_id): Option<i64> =
            sqlx::query_scalar("SELECT id FROM regions WHERE code = $1")
                .bind(region)
                .fetch_optional(&mut *tx)
                .await?
        else {
            continue;
        };
        if db::posters::find(&mut tx, region_id, spot, course)
            .await?
            .is_some()
        {
            continue;
        }
        let mut code = new_code()?;
        while db::posters::code_taken(&mut tx, &code).await? {
            code = new_code()?;
        }
        let created = today - Duration::days(120);
        let id = db::posters::insert(
            &mut tx,
            &db::posters::NewPoster {
                code: &code,
                region_id,
                spot,
                course_slug: course,
                created_at: created
                    .midnight()
                    .assume_offset(time::macros::offset!(+8))
                    .unix_timestamp(),
                created_by: None,
                is_demo: true,
            },
        )
        .await?;
        for back in 0..120i64 {
            let count = demo_scans(index as u64, back as u64, busy);
            if count > 0 {
                let day = (today - Duration::days(back)).to_string();
                db::posters::put_scans(&mut tx, id, &day, count).await?;
            }
        }
        added += 1;
    }
    tx.commit().await?;
    Ok(added)
}

/// A fixed pseudo-random daily count around `busy`, busier in the first
/// weeks after a poster goes up.
fn demo_scans(poster: u64, back: u64, busy: i64) -> i64 {
    let mut z = ((poster << 32) | back).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 29;
    let fresh = if back > 90 { 2 } else { 1 };
    (z % (busy as u64 * 2 + 1)) as i64 * fresh / 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let code = new_code().unwrap();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        // Bytes past 247 would favour the first letters: they are skipped.
        let chars: String = code_chars(&[0, 30, 31, 247, 248, 255]).collect();
        assert_eq!(chars, "2Z2Z");
    }

    #[test]
    fn codes_are_read_in_any_case() {
        assert_eq!(normalise_code(" ab3xyz ").as_deref(), Some("AB3XYZ"));
        assert_eq!(normalise_code("AB3XY0"), None);
        assert_eq!(normalise_code("AB3XY"), None);
        assert_eq!(normalise_code("../../etc"), None);
    }

    #[test]
    fn a_referer_names_the_poster_it_came_from() {
        assert!(refers_to("https://xt.example.cn/p/AB3XYZ", "AB3XYZ"));
        assert!(refers_to("http://127.0.0.1:3000/p/ab3xyz?x=1", "AB3XYZ"));
        assert!(!refers_to("https://xt.example.cn/p/AB3XYW", "AB3XYZ"));
        assert!(!refers_to("https://xt.example.cn/t/gas-and-co", "AB3XYZ"));
        assert!(!refers_to("", "AB3XYZ"));
    }

    #[test]
    fn spots_are_checked() {
        assert_eq!(parse_spot("  文化广场 ").unwrap(), "文化广场");
        assert!(
            parse_spot(" ")
                .unwrap_err()
                .to_string()
                .contains("张贴位置")
        );
        assert!(parse_spot(&"栏".repeat(31)).is_err());
        assert!(parse_spot("一\n二").is_err());
        // Markup is text, escaped wherever it is shown.
        assert_eq!(
            parse_spot("\"><img onerror=alert(1)>").unwrap(),
            "\"><img onerror=alert(1)>"
        );
    }

    #[test]
    fn key_points_are_the_first_list_items_as_text() {
        let html = "<p>导语</p>\n<ol>\n<li>灶台边不放油、纸、布。</li>\n<li>不在<strong>楼道</strong>充电 &amp; 停车。</li>\n\
                    <li>三</li>\n<li>四</li>\n<li>五</li>\n<li>六</li>\n<li>七</li>\n</ol>";
        let points = key_points(html, 6);
        assert_eq!(points.len(), 6);
        assert_eq!(points[0], "灶台边不放油、纸、布。");
        assert_eq!(points[1], "不在楼道充电 & 停车。");
        assert_eq!(points[5], "六");
        assert!(key_points("<p>没有列表</p>", 6).is_empty());
    }

    #[test]
    fn points_shrink_to_fit_and_stay_legible() {
        let short: Vec<String> = (0..5).map(|_| "短句。".to_string()).collect();
        assert_eq!(points_size_mm(&short), 9.0);
        let long: Vec<String> = (0..6).map(|_| "长".repeat(45)).collect();
        let size = points_size_mm(&long);
        assert!((5.0..9.0).contains(&size), "{size}");
        let absurd: Vec<String> = (0..6).map(|_| "长".repeat(2000)).collect();
        assert_eq!(points_size_mm(&absurd), 3.5);
    }

    #[test]
    fn months_end_with_the_current_one() {
        assert_eq!(
            month_columns(date!(2026 - 02 - 15), 4),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
    }

    fn line(id: i64, place: &str, topic: &str, total: i64) -> PosterLine {
        PosterLine {
            poster: db::posters::Poster {
                id,
                code: format!("C{id}"),
                region_id: id,
                region_name: place.to_string(),
                spot: "宣传栏".to_string(),
                course_slug: topic.to_string(),
                created_at: 0,
            },
            total,
            recent: 0,
        }
    }

    #[test]
    fn scans_group_by_place_and_month() {
        let lines = [
            line(1, "窦庄村", "a", 10),
            line(2, "窦庄村", "b", 4),
            line(3, "嘉峰村", "a", 1),
        ];
        let scans = [
            (1, "2026-01-31".to_string(), 3),
            (2, "2026-02-01".to_string(), 2),
            (3, "2026-02-10".to_string(), 1),
            (1, "2025-06-01".to_string(), 9),
            (9, "2026-02-01".to_string(), 100),
        ];
        let months = ["2026-01".to_string(), "2026-02".to_string()];
        let rows = group(&lines, &scans, &months, "2026-02-01", &|l| {
            l.poster.region_name.clone()
        });
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].name.as_str(),
                rows[0].months.as_slice(),
                rows[0].recent,
                rows[0].total
            ),
            ("窦庄村", [3, 2].as_slice(), 2, 14)
        );
        assert_eq!(
            (
                rows[1].name.as_str(),
                rows[1].months.as_slice(),
                rows[1].recent,
                rows[1].total
            ),
            ("嘉峰村", [0, 1].as_slice(), 1, 1)
        );
    }

    #[test]
    fn daily_totals_fill_gaps_and_the_chart_draws_each_day() {
        let scans = [
            (1, "2026-02-10".to_string(), 2),
            (2, "2026-02-10".to_string(), 3),
            (1, "2026-02-08".to_string(), 1),
        ];
        let days = daily_totals(&scans, date!(2026 - 02 - 10), 3);
        assert_eq!(
            days,
            [
                ("2026-02-08".to_string(), 1),
                ("2026-02-09".to_string(), 0),
                ("2026-02-10".to_string(), 5)
            ]
        );
        let svg = daily_chart_svg(&days);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("共 6 次") && svg.contains(">02/10<"), "{svg}");
    }

    #[test]
    fn demo_scans_are_fixed_and_modest() {
        assert_eq!(demo_scans(1, 5, 4), demo_scans(1, 5, 4));
        assert!((0..120).all(|d| demo_scans(0, d, 8) <= 16));
        assert!((0..120).map(|d| demo_scans(0, d, 8)).sum::<i64>() > 100);
    }
}
