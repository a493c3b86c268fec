//! Server-rendered images: the certificate (培训合格证明) as SVG and PNG, QR
//! codes, and the SVG→PNG step that the village posters share.
//!
//! The SVG is the single source: the A4 print page inlines it and WeChat gets
//! the PNG rendered from it, so both carry the same layout. SVG has no line
//! wrapping and the SVG builders have no fonts at hand, so text is wrapped and
//! shrunk here from estimated advances (CJK glyphs are one em wide in every
//! CJK face; Latin is over-estimated), which keeps every line inside the card.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};
use skrifa::charmap::Charmap;

/// Where Debian's `fonts-noto-cjk` and `fonts-wqy-microhei` put their files.
pub const DEFAULT_FONT_DIRS: [&str; 2] = [
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/wqy",
];

/// Extra font directories (a `PATH`-style list), searched before the defaults
/// so an operator's fonts win over Debian's.
pub const FONT_DIR_ENV: &str = "XUETANG_FONT_DIR";

/// Families tried, in order, for sans-serif text and as the default family.
const SANS_FAMILIES: [&str; 2] = ["Noto Sans CJK SC", "WenQuanYi Micro Hei"];
/// Families tried, in order, for serif text; a sans face beats a tofu box.
const SERIF_FAMILIES: [&str; 3] = [
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
];
/// A face that draws all of these can set a certificate.
const CJK_PROBE: &str = "培训合格证明消防";

/// The same faces for browsers (Windows, macOS, Android) and for resvg, which
/// only has the Debian ones.
const SERIF: &str = "'Noto Serif CJK SC','Source Han Serif SC','Songti SC',SimSun,\
                     'Noto Sans CJK SC','WenQuanYi Micro Hei',serif";
const SANS: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',\
                    'WenQuanYi Micro Hei',sans-serif";

/// Largest side and area of a PNG: an A3 poster at 300 dpi fits, a typo in a
/// width cannot exhaust the server's memory.
const MAX_SIDE_PX: u32 = 10_000;
const MAX_PIXELS: u64 = 25_000_000;

#[derive(Debug, thiserror::Error)]
pub enum GraphicsError {
    #[error(
        "no font with Chinese glyphs in {searched}: run `make fonts` (installs Debian's \
         fonts-noto-cjk) or point {FONT_DIR_ENV} at a directory holding Noto Sans CJK"
    )]
    NoCjkFont { searched: String },
    #[error("invalid SVG: {0}")]
    Svg(#[from] usvg::Error),
    #[error(
        "cannot render a {width}×{height} px image (at most {MAX_SIDE_PX} px a side and {MAX_PIXELS} pixels)"
    )]
    Size { width: u32, height: u32 },
    #[error("PNG encoding failed: {0}")]
    Png(String),
    #[error("cannot encode the QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
}

/// The faces used to render text. Only the faces' names are kept in memory;
/// their files are memory-mapped while a face is read, never copied to the heap.
pub struct Fonts {
    db: Arc<fontdb::Database>,
    sans: String,
}

impl Fonts {
    /// The process-wide fonts, loaded on first use rather than at start-up.
    pub fn shared() -> Result<&'static Fonts, GraphicsError> {
        static SHARED: OnceLock<Fonts> = OnceLock::new();
        static LOADING: Mutex<()> = Mutex::new(());
        if let Some(fonts) = SHARED.get() {
            return Ok(fonts);
        }
        // One loader at a time, so concurrent first renders scan the disk once.
        // A failure is not kept: after `make fonts` the next render succeeds.
        let _loading = LOADING.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(fonts) = SHARED.get() {
            return Ok(fonts);
        }
        let fonts = Fonts::from_dirs(&font_dirs())?;
        Ok(SHARED.get_or_init(|| fonts))
    }

    /// Loads every face under `dirs` (recursively); missing directories are
    /// skipped. Fails unless some face can draw Chinese.
    pub fn from_dirs<P: AsRef<Path>>(dirs: &[P]) -> Result<Fonts, GraphicsError> {
        let mut db = fontdb::Database::new();
        for dir in dirs {
            db.load_fonts_dir(dir);
        }
        let no_font = || GraphicsError::NoCjkFont {
            searched: dirs
                .iter()
                .map(|dir| dir.as_ref().display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let sans = cjk_family(&db, &SANS_FAMILIES).ok_or_else(no_font)?;
        let serif = cjk_family(&db, &SERIF_FAMILIES).unwrap_or_else(|| sans.clone());
        db.set_sans_serif_family(sans.as_str());
        db.set_serif_family(serif);
        Ok(Fonts {
            db: Arc::new(db),
            sans,
        })
    }

    /// The characters of `text` that no loaded face can draw (each once, in
    /// order; whitespace ignored). resvg falls back across all faces, so these
    /// are exactly the ones that would come out as boxes.
    pub fn missing_glyphs(&self, text: &str) -> Vec<char> {
        let mut missing = Vec::new();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
        for face in self.db.faces() {
            if missing.is_empty() {
                break;
            }
            self.db.with_face_data(face.id, |data, index| {
                if let Ok(font) = skrifa::FontRef::from_index(data, index) {
                    let charmap = Charmap::new(&font);
                    missing.retain(|&c| !draws(&charmap, c));
                }
            });
        }
        missing
    }

    /// Renders `svg` on white, scaled to `width_px` wide (height keeps the
    /// aspect ratio), as PNG bytes.
    pub fn svg_to_png(&self, svg: &str, width_px: u32) -> Result<Vec<u8>, GraphicsError> {
        let options = usvg::Options {
            fontdb: Arc::clone(&self.db),
            font_family: self.sans.clone(),
            image_href_resolver: usvg::ImageHrefResolver {
                // Embedded data URLs only: a rendered SVG never reads the server's disk.
                resolve_string: Box::new(|_, _| None),
                ..usvg::ImageHrefResolver::default()
            },
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &options)?;
        let size = tree.size();
        let scale = width_px as f32 / size.width();
        let height = (size.height() * scale).round();
        let too_large = || GraphicsError::Size {
            width: width_px,
            height: height as u32,
        };
        if !(1.0..=MAX_SIDE_PX as f32).contains(&height)
            || !(1..=MAX_SIDE_PX).contains(&width_px)
            || u64::from(width_px) * height as u64 > MAX_PIXELS
        {
            return Err(too_large());
        }
        let mut pixmap = tiny_skia::Pixmap::new(width_px, height as u32).ok_or_else(too_large)?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        pixmap
            .encode_png()
            .map_err(|err| GraphicsError::Png(err.to_string()))
    }
}

/// `XUETANG_FONT_DIR` entries, then Debian's directories.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os(FONT_DIR_ENV)
        .map(|value| {
            std::env::split_paths(&value)
                .filter(|dir| !dir.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    dirs.extend(DEFAULT_FONT_DIRS.iter().map(PathBuf::from));
    dirs
}

/// The first of `preferred` that is loaded and draws Chinese, else the family
/// of any face that does.
fn cjk_family(db: &fontdb::Database, preferred: &[&str]) -> Option<String> {
    let covers = |face: &fontdb::FaceInfo| {
        db.with_face_data(face.id, |data, index| {
            skrifa::FontRef::from_index(data, index)
                .is_ok_and(|font| CJK_PROBE.chars().all(|c| draws(&Charmap::new(&font), c)))
        }) == Some(true)
    };
    let family_of = |face: &fontdb::FaceInfo| face.families.first().map(|(name, _)| name.clone());
    preferred
        .iter()
        .find_map(|&name| {
            db.faces()
                .find(|face| face.families.iter().any(|(family, _)| family == name) && covers(face))
                .and_then(family_of)
        })
        .or_else(|| db.faces().find(|face| covers(face)).and_then(family_of))
}

fn draws(charmap: &Charmap, c: char) -> bool {
    charmap
        .map(c)
        .is_some_and(|glyph| glyph != skrifa::GlyphId::NOTDEF)
}

/// Escapes text for XML element content and quoted attribute values. Control
/// characters that XML 1.0 forbids cannot be escaped, so they are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Modules of quiet zone around a QR code, as the standard asks.
const QUIET_ZONE: usize = 4;

/// The QR code for `url` (level Q, so a creased or smudged print still scans)
/// as a path in module units, quiet zone included: (side in modules, path data).
/// Each row's runs of dark modules are rectangles in one relative path, which
/// keeps it compact and leaves no anti-aliasing seams between modules.
fn qr_modules(url: &str) -> Result<(usize, String), GraphicsError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::Q)?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    let mut previous: Option<(usize, usize)> = None;
    for (row, line) in colors.chunks(width).enumerate() {
        let mut column = 0;
        while column < width {
            if line[column] != qrcode::Color::Dark {
                column += 1;
                continue;
            }
            let start = column;
            while column < width && line[column] == qrcode::Color::Dark {
                column += 1;
            }
            let (x, y) = (start + QUIET_ZONE, row + QUIET_ZONE);
            // After `z` the pen is back at the run's start, so the next run
            // moves relative to it.
            match previous {
                None => put(&mut path, format_args!("M{x} {y}")),
                Some((px, py)) => put(
                    &mut path,
                    format_args!("m{} {}", x as i64 - px as i64, y as i64 - py as i64),
                ),
            }
            let run = column - start;
            put(&mut path, format_args!("h{run}v1h-{run}z"));
            previous = Some((x, y));
        }
    }
    Ok((width + 2 * QUIET_ZONE, path))
}

/// An SVG fragment drawing the QR code for `url` with its top-left corner at
/// (`x`, `y`) and side `size`, quiet zone included, on a white square. Fails
/// only past a QR code's capacity (about 1,600 bytes at level Q).
pub fn qr_svg(url: &str, x: f64, y: f64, size: f64) -> Result<String, GraphicsError> {
    let (modules, path) = qr_modules(url)?;
    Ok(format!(
        r##"<g transform="translate({} {})"><rect width="{size}" height="{size}" fill="#fff"/><path transform="scale({})" fill="#000" d="{path}"/></g>"##,
        num(x),
        num(y),
        num(size / modules as f64),
        size = num(size),
    ))
}

/// A standalone SVG image of the QR code for `url`, `module_px` pixels a module.
pub fn qr_standalone_svg(url: &str, module_px: u32) -> Result<String, GraphicsError> {
    let (modules, path) = qr_modules(url)?;
    let side = modules as u64 * u64::from(module_px);
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" viewBox="0 0 {modules} {modules}"><rect width="{modules}" height="{modules}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

/// What a certificate image shows. All strings are plain text; they are
/// escaped here.
#[derive(Debug, Clone, Copy)]
pub struct CertificateCard<'a> {
    pub holder: &'a str,
    pub course: &'a str,
    pub serial: &'a str,
    /// Already formatted, e.g. "2026年11月28日".
    pub issued: &'a str,
    /// `None`: 长期有效.
    pub valid_until: Option<&'a str>,
    /// e.g. "嘉峰镇人民政府 · 消防学堂".
    pub issuer: &'a str,
    pub verify_url: &'a str,
    /// e.g. "已撤销", printed as a red stamp across the text; `None` while valid.
    pub status: Option<&'a str>,
}

const CARD_WIDTH: f64 = 1080.0;
/// A4's ratio: the print page and the PNG share one layout.
const CARD_HEIGHT: f64 = 1527.0;
const CENTER_X: f64 = CARD_WIDTH / 2.0;
/// The text column; the frame's ornaments end 60 px outside it.
const TEXT_LEFT: f64 = 150.0;
const TEXT_RIGHT: f64 = 930.0;
/// The band the 兹证明… paragraph is centred in.
const BODY_TOP: f64 = 330.0;
const BODY_BOTTOM: f64 = 720.0;
const BODY_SIZES: [f64; 7] = [46.0, 43.0, 40.0, 37.0, 34.0, 31.0, 28.0];
const BODY_LEADING: f64 = 1.8;
const FIELDS_TOP: f64 = 800.0;
const FIELD_STEP: f64 = 62.0;
const FIELD_SIZE: f64 = 32.0;
const QR_TOP: f64 = 1030.0;
const QR_SIZE: f64 = 320.0;
/// Longer names and course titles are cut with "…": a name this long is a
/// data error, and the paragraph still fits at the smallest size.
const MAX_HOLDER_CHARS: usize = 24;
const MAX_COURSE_CHARS: usize = 60;

const RED: &str = "#a61b1b";
const GOLD: &str = "#c9a227";
const INK: &str = "#1f1f1f";
const GREY: &str = "#5a5a5a";
const STAMP_RED: &str = "#d0021b";

/// The certificate as a self-contained portrait SVG, 1080 × 1527.
pub fn certificate_svg(card: &CertificateCard) -> Result<String, GraphicsError> {
    let holder = truncate_chars(card.holder.trim(), MAX_HOLDER_CHARS);
    let course = truncate_chars(card.course.trim(), MAX_COURSE_CHARS);
    let title = if holder.is_empty() {
        "培训合格证明".to_owned()
    } else {
        format!("培训合格证明 · {holder}")
    };
    let mut svg = String::with_capacity(16 * 1024);
    put(
        &mut svg,
        format_args!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{CARD_WIDTH}" height="{CARD_HEIGHT}" viewBox="0 0 {CARD_WIDTH} {CARD_HEIGHT}" role="img"><title>{}</title>"#,
            escape(&title)
        ),
    );
    put(
        &mut svg,
        format_args!(r##"<rect width="{CARD_WIDTH}" height="{CARD_HEIGHT}" fill="#fffdf6"/>"##),
    );
    frame(&mut svg);

    // Title: letter-spacing also trails the last glyph, so shift by half of it
    // to stay centred.
    let spacing = 16.0;
    put(
        &mut svg,
        format_args!(
            r#"<text x="{}" y="232" text-anchor="middle" font-family="{SERIF}" font-size="92" font-weight="700" letter-spacing="{spacing}" fill="{RED}">培训合格证明</text>"#,
            num(CENTER_X + spacing / 2.0)
        ),
    );
    put(
        &mut svg,
        format_args!(
            r#"<path d="M330 282H515M565 282H750" stroke="{GOLD}" stroke-width="2"/><path d="M540 272l10 10-10 10-10-10z" fill="{GOLD}"/>"#
        ),
    );

    body(&mut svg, &holder, &course);

    put(
        &mut svg,
        format_args!(
            r#"<path d="M{TEXT_LEFT} {}H{TEXT_RIGHT}" stroke="{GOLD}" stroke-width="1.5"/>"#,
            num(FIELDS_TOP - 56.0)
        ),
    );
    let fields = [
        ("证书编号", card.serial.trim()),
        ("发证单位", card.issuer.trim()),
        ("发证日期", card.issued.trim()),
        ("有效期至", card.valid_until.map_or("长期有效", str::trim)),
    ];
    for (row, (label, value)) in fields.into_iter().enumerate() {
        field(&mut svg, FIELDS_TOP + FIELD_STEP * row as f64, label, value);
    }

    svg.push_str(&qr_svg(
        card.verify_url,
        CENTER_X - QR_SIZE / 2.0,
        QR_TOP,
        QR_SIZE,
    )?);
    let caption_y = QR_TOP + QR_SIZE + 46.0;
    put(
        &mut svg,
        format_args!(
            r#"<text x="{CENTER_X}" y="{}" text-anchor="middle" font-family="{SANS}" font-size="30" fill="{INK}">扫码核验真伪</text>"#,
            num(caption_y)
        ),
    );
    let (url_size, url) = fit_line(card.verify_url.trim(), TEXT_RIGHT - TEXT_LEFT, 22.0, 12.0);
    put(
        &mut svg,
        format_args!(
            r#"<text x="{CENTER_X}" y="{}" text-anchor="middle" font-family="{SANS}" font-size="{}" fill="{GREY}">{}</text>"#,
            num(caption_y + 36.0),
            num(url_size),
            escape(&url)
        ),
    );

    if let Some(status) = card
        .status
        .map(str::trim)
        .filter(|status| !status.is_empty())
    {
        stamp(&mut svg, status);
    }
    svg.push_str("</svg>");
    Ok(svg)
}

/// A double rule with L-shaped corner ornaments.
fn frame(svg: &mut String) {
    let (outer, inner, ornament, arm) = (36.0, 58.0, 74.0, 64.0);
    put(
        svg,
        format_args!(
            r#"<rect x="{outer}" y="{outer}" width="{}" height="{}" fill="none" stroke="{RED}" stroke-width="10"/><rect x="{inner}" y="{inner}" width="{}" height="{}" fill="none" stroke="{GOLD}" stroke-width="2"/>"#,
            CARD_WIDTH - 2.0 * outer,
            CARD_HEIGHT - 2.0 * outer,
            CARD_WIDTH - 2.0 * inner,
            CARD_HEIGHT - 2.0 * inner
        ),
    );
    let (left, top, right, bottom) = (
        ornament,
        ornament,
        CARD_WIDTH - ornament,
        CARD_HEIGHT - ornament,
    );
    put(
        svg,
        format_args!(
            r#"<path d="M{left} {}V{top}H{}M{} {top}H{right}V{}M{right} {}V{bottom}H{}M{} {bottom}H{left}V{}" fill="none" stroke="{RED}" stroke-width="4"/>"#,
            top + arm,
            left + arm,
            right - arm,
            top + arm,
            bottom - arm,
            right - arm,
            left + arm,
            bottom - arm
        ),
    );
}

/// "兹证明 {holder} 完成「{course}」课程学习并通过考试。", the name bold and
/// underlined, wrapped with a two-em indent at the largest size that fits.
fn body(svg: &mut String, holder: &str, course: &str) {
    let width = TEXT_RIGHT - TEXT_LEFT;
    let pieces = {
        let mut pieces = Vec::new();
        push_text(&mut pieces, "兹证明", Ink::Plain);
        pieces.push(Piece::Gap(0.5));
        if !holder.is_empty() {
            pieces.push(Piece::Word {
                text: holder.to_owned(),
                em: em_width(holder),
                ink: Ink::Holder,
            });
        }
        pieces.push(Piece::Gap(0.5));
        push_text(&mut pieces, "完成「", Ink::Plain);
        push_text(&mut pieces, course, Ink::Plain);
        push_text(&mut pieces, "」课程学习并通过考试。", Ink::Plain);
        pieces
    };
    let indent = 2.0;
    let (size, lines) = BODY_SIZES
        .iter()
        .map(|&size| (size, wrap(&pieces, width / size, indent)))
        .find(|(size, lines)| lines.len() as f64 * size * BODY_LEADING <= BODY_BOTTOM - BODY_TOP)
        .unwrap_or_else(|| {
            let size = BODY_SIZES[BODY_SIZES.len() - 1];
            (size, wrap(&pieces, width / size, indent))
        });
    let leading = size * BODY_LEADING;
    let top = BODY_TOP + (BODY_BOTTOM - BODY_TOP - lines.len() as f64 * leading) / 2.0;
    put(
        svg,
        format_args!(
            r#"<g font-family="{SERIF}" font-size="{}" fill="{INK}">"#,
            num(size)
        ),
    );
    for (index, line) in lines.iter().enumerate() {
        // CJK glyphs sit about 0.38 em above the baseline: centre them in the line box.
        let baseline = top + leading * (index as f64 + 0.5) + 0.38 * size;
        let x = TEXT_LEFT + if index == 0 { indent * size } else { 0.0 };
        put(
            svg,
            format_args!(r#"<text x="{}" y="{}">"#, num(x), num(baseline)),
        );
        for span in line {
            svg.push_str("<tspan");
            if span.gap_em > 0.0 {
                put(svg, format_args!(r#" dx="{}""#, num(span.gap_em * size)));
            }
            if span.ink == Ink::Holder {
                svg.push_str(r#" font-weight="700" text-decoration="underline""#);
            }
            put(svg, format_args!(">{}</tspan>", escape(&span.text)));
        }
        svg.push_str("</text>");
    }
    svg.push_str("</g>");
}

/// One "标签：值" row; the value shrinks, then is cut, to stay in the column.
fn field(svg: &mut String, baseline: f64, label: &str, value: &str) {
    let value_x = TEXT_LEFT + 5.0 * FIELD_SIZE;
    let (size, value) = fit_line(value, TEXT_RIGHT - value_x, FIELD_SIZE, 22.0);
    put(
        svg,
        format_args!(
            r#"<text y="{y}" font-family="{SERIF}" font-size="{FIELD_SIZE}"><tspan x="{TEXT_LEFT}" fill="{GREY}">{label}：</tspan><tspan x="{}" font-size="{}" fill="{INK}">{}</tspan></text>"#,
            num(value_x),
            num(size),
            escape(&value),
            y = num(baseline)
        ),
    );
}

/// A tilted red double-ruled stamp over the paragraph, e.g. 已撤销.
fn stamp(svg: &mut String, status: &str) {
    let (size, status) = fit_line(status, 560.0, 120.0, 40.0);
    let spacing = size * 0.15;
    let text_width = em_width(&status) * size + spacing * status.chars().count() as f64;
    let (width, height) = (text_width + size * 0.8, size * 1.5);
    let center_y = (BODY_TOP + BODY_BOTTOM) / 2.0;
    let (x, y) = (CENTER_X - width / 2.0, center_y - height / 2.0);
    let inset = size * 0.1;
    put(
        svg,
        format_args!(
            r##"<g transform="rotate(-14 {CENTER_X} {cy})" opacity="0.9"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="#fff" fill-opacity="0.55" stroke="{STAMP_RED}" stroke-width="{outer}"/><rect x="{ix}" y="{iy}" width="{iw}" height="{ih}" rx="{r}" fill="none" stroke="{STAMP_RED}" stroke-width="{inner}"/><text x="{tx}" y="{ty}" text-anchor="middle" font-family="{SANS}" font-size="{size}" font-weight="700" letter-spacing="{spacing}" fill="{STAMP_RED}">{text}</text></g>"##,
            cy = num(center_y),
            x = num(x),
            y = num(y),
            w = num(width),
            h = num(height),
            r = num(size * 0.08),
            outer = num(size * 0.07),
            ix = num(x + inset),
            iy = num(y + inset),
            iw = num(width - 2.0 * inset),
            ih = num(height - 2.0 * inset),
            inner = num(size * 0.025),
            tx = num(CENTER_X + spacing / 2.0),
            ty = num(center_y + 0.38 * size),
            size = num(size),
            spacing = num(spacing),
            text = escape(&status)
        ),
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ink {
    Plain,
    /// The holder's name: bold and underlined.
    Holder,
}

/// A unit of line breaking: a word that is never split, or breakable space.
#[derive(Debug, Clone)]
enum Piece {
    Gap(f64),
    Word { text: String, em: f64, ink: Ink },
}

/// A run of text on a line, with the space before it.
struct Span {
    gap_em: f64,
    text: String,
    ink: Ink,
}

/// Breaks `text` where Chinese allows: between any two CJK characters, at
/// spaces, and around Latin words.
fn push_text(pieces: &mut Vec<Piece>, text: &str, ink: Ink) {
    let mut latin = String::new();
    let flush = |latin: &mut String, pieces: &mut Vec<Piece>| {
        if !latin.is_empty() {
            pieces.push(Piece::Word {
                em: em_width(latin),
                text: std::mem::take(latin),
                ink,
            });
        }
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut latin, pieces);
            pieces.push(Piece::Gap(char_em(' ')));
        } else if c.is_ascii_alphanumeric() || "-_./:%&+#@'".contains(c) {
            latin.push(c);
        } else {
            flush(&mut latin, pieces);
            pieces.push(Piece::Word {
                text: c.to_string(),
                em: char_em(c),
                ink,
            });
        }
    }
    flush(&mut latin, pieces);
}

/// Closing punctuation never starts a line, opening punctuation never ends one.
fn is_closing(text: &str) -> bool {
    text.chars().count() == 1
        && text
            .chars()
            .all(|c| "，。、；：！？）」』》〉】”’…·,.;:!?)]}".contains(c))
}

fn is_opening(text: &str) -> bool {
    text.chars().count() == 1 && text.chars().all(|c| "（「『《〈【“‘([{".contains(c))
}

/// Greedy line breaking into lines of at most `width_em`, the first indented.
/// A word wider than a line (a long name, a URL) is broken between characters.
fn wrap(pieces: &[Piece], width_em: f64, indent_em: f64) -> Vec<Vec<Span>> {
    let pieces: Vec<Piece> = pieces
        .iter()
        .flat_map(|piece| match piece {
            Piece::Word { text, em, ink } if *em > width_em => text
                .chars()
                .map(|c| Piece::Word {
                    text: c.to_string(),
                    em: char_em(c),
                    ink: *ink,
                })
                .collect(),
            _ => vec![piece.clone()],
        })
        .collect();
    // (gap before, text, width, ink) per word, merged into spans at the end.
    let mut lines: Vec<Vec<(f64, &str, f64, Ink)>> = Vec::new();
    let mut line: Vec<(f64, &str, f64, Ink)> = Vec::new();
    let mut used = indent_em;
    let mut gap = 0.0;
    for piece in &pieces {
        let (text, em, ink) = match piece {
            Piece::Gap(em) => {
                if !line.is_empty() {
                    gap += em;
                }
                continue;
            }
            Piece::Word { text, em, ink } => (text.as_str(), *em, *ink),
        };
        if line.is_empty() || used + gap + em <= width_em {
            used += gap + em;
            line.push((gap, text, em, ink));
            gap = 0.0;
            continue;
        }
        // Carry words to the next line so that it does not start with closing
        // punctuation and this one does not end with opening punctuation.
        let mut carry = Vec::new();
        if is_closing(text) {
            carry.extend(line.pop());
        }
        while line.last().is_some_and(|&(_, last, _, _)| is_opening(last)) {
            carry.extend(line.pop());
        }
        carry.reverse();
        if line.is_empty() {
            // Nothing left to break before: keep it all on this line.
            line = carry;
            used += gap + em;
            line.push((gap, text, em, ink));
            gap = 0.0;
            continue;
        }
        lines.push(std::mem::take(&mut line));
        if let Some(first) = carry.first_mut() {
            first.0 = 0.0;
        }
        line = carry;
        line.push((if line.is_empty() { 0.0 } else { gap }, text, em, ink));
        used = line.iter().map(|&(gap, _, em, _)| gap + em).sum();
        gap = 0.0;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|line| {
            let mut spans: Vec<Span> = Vec::new();
            for (gap, text, _, ink) in line {
                match spans.last_mut() {
                    Some(span) if span.ink == ink && gap == 0.0 => span.text.push_str(text),
                    _ => spans.push(Span {
                        gap_em: gap,
                        text: text.to_owned(),
                        ink,
                    }),
                }
            }
            spans
        })
        .collect()
}

/// One line of at most `max_px`: shrinks from `max_size` down to `min_size`,
/// then cuts the text with "…".
fn fit_line(text: &str, max_px: f64, max_size: f64, min_size: f64) -> (f64, String) {
    let em = em_width(text);
    if em * max_size <= max_px {
        return (max_size, text.to_owned());
    }
    let size = (max_px / em).floor();
    if size >= min_size {
        return (size, text.to_owned());
    }
    let budget = max_px / min_size - char_em('…');
    let mut used = 0.0;
    let mut cut: String = text
        .chars()
        .take_while(|&c| {
            used += char_em(c);
            used <= budget
        })
        .collect();
    cut.push('…');
    (min_size, cut)
}

fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Estimated advance in em. CJK faces set ideographs and full-width
/// punctuation at exactly one em; for Latin each class takes the widest
/// advance among Noto Sans/Serif CJK SC (bold included) and WenQuanYi, so
/// lines never overflow.
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.3,
        'W' => 1.1,
        'M' | 'm' | '@' | '%' => 1.02,
        'w' => 0.9,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.4,
        'A'..='Z' | '&' => 0.86,
        'a'..='z' => 0.7,
        '0'..='9' => 0.6,
        c if c.is_ascii() => 0.65,
        _ => 1.0,
    }
}

fn em_width(text: &str) -> f64 {
    text.chars().map(char_em).sum()
}

fn put(out: &mut String, args: fmt::Arguments) {
    out.write_fmt(args)
        .expect("writing to a String cannot fail");
}

/// SVG numbers without float noise: at most two decimals, no trailing zeros.
fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFY_URL: &str = "https://xt.example.cn/v/abcdEFGH1234xyz9";
    /// Thirty characters.
    const LONG_COURSE: &str = "消防控制室值班员岗位职责与火灾自动报警系统操作实务及应急处置";

    fn card<'a>(holder: &'a str, course: &'a str) -> CertificateCard<'a> {
        CertificateCard {
            holder,
            course,
            serial: "XT-2026-000123",
            issued: "2026年11月28日",
            valid_until: Some("2029年11月27日"),
            issuer: "嘉峰镇人民政府 · 消防学堂",
            verify_url: VERIFY_URL,
            status: None,
        }
    }

    fn fonts() -> &'static Fonts {
        Fonts::shared().expect("CJK fonts are installed (`make fonts`)")
    }

    fn render(card: &CertificateCard) -> image::GrayImage {
        let svg = certificate_svg(card).expect("certificate SVG");
        let png = fonts().svg_to_png(&svg, 1080).expect("PNG");
        image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .expect("PNG decodes")
            .to_luma8()
    }

    /// Pixels darker than mid-grey in the rows `top..bottom` and columns `left..right`.
    fn ink(image: &image::GrayImage, (left, top, right, bottom): (u32, u32, u32, u32)) -> usize {
        (top..bottom)
            .flat_map(|y| (left..right).map(move |x| (x, y)))
            .filter(|&(x, y)| image.get_pixel(x, y).0[0] < 128)
            .count()
    }

    fn decode_qr(image: &image::GrayImage) -> Vec<String> {
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
            image.width() as usize,
            image.height() as usize,
            |x, y| image.get_pixel(x as u32, y as u32).0[0],
        );
        prepared
            .detect_grids()
            .iter()
            .map(|grid| grid.decode().expect("QR decodes").1)
            .collect()
    }

    #[test]
    fn escape_covers_markup_and_drops_forbidden_controls() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
        assert_eq!(escape("王\u{0}小\u{1b}明\n"), "王小明\n");
    }

    #[test]
    fn certificate_escapes_every_field() {
        let hostile = "<script>alert(1)</script>";
        let svg = certificate_svg(&CertificateCard {
            serial: hostile,
            issuer: hostile,
            verify_url: "https://xt.example.cn/v/\"><script>",
            status: Some(hostile),
            ..card(hostile, hostile)
        })
        .unwrap();
        assert!(!svg.to_lowercase().contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // Still well-formed: resvg parses it.
        fonts().svg_to_png(&svg, 200).unwrap();
    }

    #[test]
    fn certificate_text_and_defaults() {
        let svg = certificate_svg(&CertificateCard {
            valid_until: None,
            ..card("王小明", "消防安全常识")
        })
        .unwrap();
        // The text as read, whichever lines and spans it was split into.
        let text: String = svg
            .split('<')
            .filter_map(|tag| tag.split_once('>'))
            .map(|(_, text)| text)
            .collect();
        for expected in [
            "培训合格证明",
            "兹证明王小明完成「消防安全常识」课程学习并通过考试。",
            "证书编号：XT-2026-000123",
            "发证单位：嘉峰镇人民政府 · 消防学堂",
            "发证日期：2026年11月28日",
            "有效期至：长期有效",
            "扫码核验真伪",
            VERIFY_URL,
        ] {
            assert!(text.contains(expected), "missing {expected} in {text}");
        }
        assert!(
            svg.contains("Noto Sans CJK SC")
                && svg.contains("Noto Serif CJK SC")
                && svg.contains("WenQuanYi Micro Hei")
        );
        assert!(!svg.contains("已撤销"));
        let revoked = certificate_svg(&CertificateCard {
            status: Some("已撤销"),
            ..card("王小明", "消防安全常识")
        })
        .unwrap();
        assert!(revoked.contains(">已撤销</text>"));
    }

    #[test]
    fn png_has_the_card_size_and_a_qr_with_the_verify_url() {
        let image = render(&card("王小明", "消防安全常识"));
        assert_eq!(image.dimensions(), (1080, 1527));
        assert_eq!(decode_qr(&image), [VERIFY_URL]);
    }

    #[test]
    fn revoked_card_still_scans() {
        let image = render(&CertificateCard {
            status: Some("已撤销"),
            ..card("王小明", LONG_COURSE)
        });
        assert_eq!(decode_qr(&image), [VERIFY_URL]);
    }

    #[test]
    fn the_name_is_drawn() {
        let band = (
            TEXT_LEFT as u32 - 20,
            BODY_TOP as u32,
            TEXT_RIGHT as u32 + 20,
            BODY_BOTTOM as u32,
        );
        let with_name = ink(&render(&card("王", "消防安全常识")), band);
        let without = ink(&render(&card("", "消防安全常识")), band);
        // A bold 王 at 46 px is several hundred dark pixels.
        assert!(
            with_name > without + 200,
            "name added {} dark pixels",
            with_name as i64 - without as i64
        );
    }

    #[test]
    fn long_course_and_names_stay_inside_the_card() {
        assert_eq!(LONG_COURSE.chars().count(), 30);
        let (long_name, longest_course) = ("长".repeat(40), "课".repeat(200));
        let cases = [
            card("王小明", LONG_COURSE),
            card("阿卜杜热合曼·买买提艾力", LONG_COURSE),
            card(&long_name, &longest_course),
            card(
                "Maximilian Wolfgang Montgomery",
                "Fire Safety Management Essentials WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
            ),
        ];
        for case in &cases {
            let image = render(case);
            // Between the text column and the frame, beside the paragraph and the rows.
            let right_margin = (
                TEXT_RIGHT as u32 + 8,
                BODY_TOP as u32,
                1012,
                FIELDS_TOP as u32 + 200,
            );
            let left_margin = (
                66,
                BODY_TOP as u32,
                TEXT_LEFT as u32 - 8,
                FIELDS_TOP as u32 + 200,
            );
            assert_eq!(
                ink(&image, right_margin),
                0,
                "right margin inked for {case:?}"
            );
            assert_eq!(
                ink(&image, left_margin),
                0,
                "left margin inked for {case:?}"
            );
            // The paragraph ends above the rule before the rows.
            let below_body = (
                TEXT_LEFT as u32,
                BODY_BOTTOM as u32,
                TEXT_RIGHT as u32,
                FIELDS_TOP as u32 - 60,
            );
            assert_eq!(
                ink(&image, below_body),
                0,
                "paragraph overflows for {case:?}"
            );
            assert_eq!(decode_qr(&image), [VERIFY_URL]);
        }
    }

    #[test]
    fn wrapping_keeps_punctuation_rules() {
        let mut pieces = Vec::new();
        push_text(&mut pieces, "一二三「四五六」七", Ink::Plain);
        // Four em a line: 「 may not end line one, 」 may not start line three.
        let lines: Vec<String> = wrap(&pieces, 4.0, 0.0)
            .iter()
            .map(|line| line.iter().map(|span| span.text.as_str()).collect())
            .collect();
        assert_eq!(lines, ["一二三", "「四五", "六」七"]);
        for line in &lines {
            assert!(
                !line.starts_with('」') && !line.ends_with('「'),
                "{lines:?}"
            );
        }
    }

    #[test]
    fn fit_line_shrinks_then_cuts() {
        assert_eq!(
            fit_line("证书", 100.0, 30.0, 10.0),
            (30.0, "证书".to_owned())
        );
        assert_eq!(
            fit_line("证书编号", 100.0, 30.0, 10.0),
            (25.0, "证书编号".to_owned())
        );
        let (size, text) = fit_line(&"长".repeat(20), 100.0, 30.0, 20.0);
        assert_eq!((size, text.as_str()), (20.0, "长长长长…"));
    }

    #[test]
    fn missing_glyphs_reports_only_what_no_face_draws() {
        let fonts = fonts();
        // Rare name characters that Noto Sans/Serif CJK cover (checked with
        // fc-list :charset=…); 䶮, 𠇔 and 𬍛 are missing from WenQuanYi.
        for name in [
            "刘䶮",
            "王堃",
            "张喆",
            "李昇",
            "陈𠇔",
            "高龑",
            "赵𬍛",
            "Li Na 李娜",
        ] {
            assert!(fonts.missing_glyphs(name).is_empty(), "{name}");
        }
        assert_eq!(
            fonts.missing_glyphs("王\u{E000}明\u{E000} \u{E001}"),
            ['\u{E000}', '\u{E001}']
        );
    }

    #[test]
    fn wenquanyi_alone_lacks_extension_characters() {
        let fonts = Fonts::from_dirs(&["/nonexistent/fonts", "/usr/share/fonts/truetype/wqy"])
            .expect("fonts-wqy-microhei is installed");
        assert_eq!(fonts.missing_glyphs("刘䶮 王堃"), ['䶮']);
    }

    #[test]
    fn no_cjk_font_is_an_error_naming_make_fonts() {
        let Err(err) = Fonts::from_dirs(&["/nonexistent/fonts"]) else {
            panic!("loaded fonts from nowhere")
        };
        let message = err.to_string();
        assert!(
            message.contains("make fonts") && message.contains("fonts-noto-cjk"),
            "{message}"
        );
    }

    #[test]
    fn standalone_qr_scans() {
        let svg = qr_standalone_svg(VERIFY_URL, 8).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(r#"width="328""#),
            "{svg}"
        );
        let png = fonts().svg_to_png(&svg, 328).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(decode_qr(&image), [VERIFY_URL]);
    }

    #[test]
    fn qr_fragment_is_one_path_behind_a_white_square() {
        let fragment = qr_svg(VERIFY_URL, 10.0, 20.5, 300.0).unwrap();
        assert!(
            fragment.starts_with(r##"<g transform="translate(10 20.5)"><rect width="300" height="300" fill="#fff"/>"##),
            "{fragment}"
        );
        assert_eq!(fragment.matches("<path").count(), 1);
        let too_long = "x".repeat(4000);
        assert!(matches!(
            qr_svg(&too_long, 0.0, 0.0, 100.0),
            Err(GraphicsError::Qr(_))
        ));
    }

    #[test]
    fn svg_to_png_scales_and_refuses_absurd_sizes() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect x="0" y="0" width="50" height="50" fill="#000"/></svg>"##;
        let image = image::load_from_memory(&fonts().svg_to_png(svg, 300).unwrap())
            .unwrap()
            .to_luma8();
        assert_eq!(image.dimensions(), (300, 150));
        assert_eq!(image.get_pixel(10, 10).0[0], 0);
        // The background is white, not transparent.
        assert_eq!(image.get_pixel(290, 140).0[0], 255);
        assert!(matches!(
            fonts().svg_to_png(svg, 0),
            Err(GraphicsError::Size { .. })
        ));
        assert!(matches!(
            fonts().svg_to_png(svg, 20_000),
            Err(GraphicsError::Size { .. })
        ));
        assert!(matches!(
            fonts().svg_to_png("<svg", 100),
            Err(GraphicsError::Svg(_))
        ));
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(540.0), "540");
        assert_eq!(num(7.317_073), "7.32");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(20.5), "20.5");
    }
}
