//! What each fuzz target checks. The targets in `fuzz_targets/` call these
//! functions, and `app/tests/fuzz_corpus.rs` includes this file as a module
//! to replay every corpus file and crash reproducer on stable Rust, so the
//! properties are asserted in both places. Every function takes arbitrary
//! bytes and panics only when a property fails.

use std::collections::{HashMap, HashSet};

use app::content::{self, Problem};
use app::domain::credential::{CredentialNumber, Level};
use app::domain::date::add_months;
use app::domain::{CreditCode, Phone, Post};
use app::quiz::exam::{self, DrawRule, ExamRules};
use app::quiz::gift::{self, Kind, Question};
use app::roster::{self, ParsedRoster, RosterFileError, Sheet};
use encoding_rs::GB18030;
use time::Date;

/// Cells right of this column are dropped by the roster reader.
const ROSTER_COLUMNS: usize = 100;
/// Rows past this are refused by the roster reader before the header is known.
const ROSTER_SHEET_ROWS: usize = roster::decode::MAX_DATA_ROWS + 1_000;
/// The header must start within this many rows.
const ROSTER_HEADER_ROWS: usize = 10;

/// GIFT banks: `gift::parse` never panics; problems point at lines of the
/// text; a parsed bank is consistent (one right single-choice option, right
/// weights summing to 100, unique ids); full marks are reachable; drawing
/// every question takes each once; and writing the bank out (`xuetang export
/// gift`) parses back to the same questions.
pub fn gift(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count();
    let bank = match gift::parse(text) {
        Ok(bank) => bank,
        Err(problems) => {
            assert!(!problems.is_empty());
            for (line, message) in &problems {
                assert!(
                    (1..=lines).contains(line),
                    "problem on line {line} of {lines}: {message}"
                );
            }
            return;
        }
    };
    let mut ids = HashSet::new();
    for q in &bank {
        assert!(ids.insert(q.id.as_str()), "duplicate id {:?}", q.id);
        assert!((1..=lines).contains(&q.line), "question on line {}", q.line);
        for (what, value) in [
            ("id", &q.id),
            ("category", &q.category),
            ("stem", &q.stem),
            ("explanation", &q.explanation),
        ] {
            assert!(!value.is_empty(), "question {:?} has an empty {what}", q.id);
        }
        check_question(q);
    }
    check_draw(&bank);

    let written = gift::write(&bank);
    let again = gift::parse(&written)
        .unwrap_or_else(|p| panic!("the exported bank does not parse: {p:?}\n{written}"));
    assert_eq!(again.len(), bank.len(), "{written}");
    for (back, q) in again.into_iter().zip(&bank) {
        let back = Question {
            line: q.line,
            ..back
        };
        assert_eq!(&back, q, "export changed a question:\n{written}");
    }
}

fn check_question(q: &Question) {
    let full_marks: Vec<usize> = match &q.kind {
        Kind::Single(choices) => {
            assert!(choices.len() >= 2);
            let right: Vec<usize> = (0..choices.len())
                .filter(|&i| choices[i].is_right())
                .collect();
            assert_eq!(right.len(), 1, "{q:?}");
            right
        }
        Kind::Multiple(choices) => {
            let right: Vec<usize> = (0..choices.len())
                .filter(|&i| choices[i].is_right())
                .collect();
            assert!(right.len() >= 2, "{q:?}");
            let sum: f64 = right.iter().map(|&i| choices[i].weight).sum();
            assert!((sum - 100.0).abs() <= 0.05, "right weights sum to {sum}");
            right
        }
        Kind::TrueFalse { answer, .. } => vec![if *answer { 0 } else { 1 }],
    };
    if let Kind::Single(choices) | Kind::Multiple(choices) = &q.kind {
        for (i, choice) in choices.iter().enumerate() {
            assert!(!choice.text.is_empty());
            let score = exam::score(q, &vec![i]);
            assert!((0.0..=1.0).contains(&score), "option {i} scores {score}");
        }
    }
    let score = exam::score(q, &full_marks);
    assert!(
        (0.9995..=1.0).contains(&score),
        "the right answers score {score}: {q:?}"
    );
    assert_eq!(exam::score(q, &Vec::new()), 0.0);
}

/// Rules asking for the whole bank draw every question exactly once, with
/// each question's options in some order.
fn check_draw(bank: &[Question]) {
    let rules = ExamRules {
        pass_mark: 60,
        minutes: 30,
        attempts_per_day: 3,
        draw: ["single", "multiple", "truefalse"]
            .into_iter()
            .map(|kind| DrawRule {
                kind: kind.to_string(),
                count: bank.len(),
                category: None,
            })
            .collect(),
    };
    let mut state = 0x9e37_79b9_u64;
    let drawn = exam::draw(bank, &rules, &mut |below| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % below
    });
    assert_eq!(drawn.len(), bank.len());
    let ids: HashSet<&str> = drawn.iter().map(|d| d.question.id.as_str()).collect();
    assert_eq!(ids.len(), bank.len());
    for d in &drawn {
        let options = match &d.question.kind {
            Kind::Single(c) | Kind::Multiple(c) => c.len(),
            Kind::TrueFalse { .. } => 0,
        };
        let mut order = d.order.clone();
        order.sort_unstable();
        assert_eq!(order, (0..options).collect::<Vec<_>>());
    }
}

/// Lesson and tip files, checked one file at a time as the content loader
/// checks them (front matter, fields, Markdown), and the about page's
/// Markdown: no panic, every problem on a line of the file, and no HTML in
/// the output other than the tags the Markdown renderer writes itself.
pub fn content(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (lesson, problems) = content::check_lesson(text);
    check_problems(text, &problems);
    if let Some(lesson) = lesson {
        check_html(&lesson.html);
    }
    let (tip, problems) = content::check_tip(text);
    check_problems(text, &problems);
    if let Some(tip) = tip {
        check_html(&tip.html);
    }
    check_html(&app::markdown::render(text));
}

fn check_problems(text: &str, problems: &[Problem]) {
    // One past the last line: an empty body starts after the closing +++.
    let last = text.lines().count() + 1;
    for p in problems {
        assert!(
            (1..=last).contains(&p.line),
            "{p} (the file has {last} lines)"
        );
    }
}

/// Tags the Markdown renderer writes for the extensions content uses.
const RENDERED_TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Every `<` in the output opens (or closes) a tag the renderer writes:
/// raw HTML from the source never comes through, escaped or not.
fn check_html(html: &str) {
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        assert!(
            RENDERED_TAGS.contains(&name.as_str()),
            "unexpected markup at byte {i}: {:?}",
            html[i..].chars().take(40).collect::<String>()
        );
    }
}

/// Roster files as uploaded: any bytes through `read_sheet` and
/// `parse_roster` without panic, with a well-formed grid and a consistent
/// validation result. Valid UTF-8 text is also re-encoded as UTF-8 with a
/// BOM, UTF-16LE and UTF-16BE with BOMs, and GB18030 (when those bytes are
/// not themselves valid UTF-8): every encoding must read to the same grid.
pub fn roster_csv(data: &[u8]) {
    let plain = read_roster("名册.csv", data);
    // The .xls name only changes how HTML and binary files are refused:
    // text under that name whose first cell opens with `<` is taken for the
    // HTML table many systems export as .xls.
    let as_xls = roster::read_sheet("名册.xls", data);
    if let Ok(sheet) = &plain {
        let html_like = sheet
            .rows
            .iter()
            .find_map(|row| row.iter().find(|cell| !cell.is_empty()))
            .is_some_and(|cell| cell.starts_with('<'));
        if !(html_like && as_xls == Err(RosterFileError::LegacyXls)) {
            assert_eq!(as_xls, plain);
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A leading U+FEFF in the text would itself be read as a BOM; bytes that
    // open like a workbook are read as one, whatever else they are.
    if text.starts_with('\u{feff}')
        || data.starts_with(b"PK\x03\x04")
        || data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
    {
        return;
    }
    let mut encodings = vec![
        (
            "UTF-8 with BOM",
            [b"\xEF\xBB\xBF".as_slice(), data].concat(),
        ),
        ("UTF-16LE", utf16(text, true)),
        ("UTF-16BE", utf16(text, false)),
    ];
    let (gb, _, unmappable) = GB18030.encode(text);
    let gb_round_trips = GB18030.decode_without_bom_handling(&gb).0 == text;
    // GB18030 bytes that are also valid UTF-8 (or start like a BOM) are read
    // as UTF-8 by design: the bytes alone cannot tell.
    if !unmappable
        && gb_round_trips
        && std::str::from_utf8(&gb).is_err()
        && encoding_rs::Encoding::for_bom(&gb).is_none()
    {
        encodings.push(("GB18030", gb.into_owned()));
    }
    for (name, bytes) in encodings {
        assert_eq!(
            roster::read_sheet("名册.csv", &bytes),
            plain,
            "{name} reads differently"
        );
    }
}

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

/// Reads and validates one roster file, checking the invariants of both steps.
fn read_roster(filename: &str, bytes: &[u8]) -> Result<Sheet, RosterFileError> {
    let sheet = roster::read_sheet(filename, bytes);
    if let Ok(sheet) = &sheet {
        check_sheet(sheet);
        if let Ok(parsed) = roster::parse_roster(sheet) {
            check_roster(sheet, &parsed);
        }
    }
    sheet
}

/// The roster reader's trimming: whitespace, zero-width space and BOM.
fn clean_cell(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}'))
}

fn check_sheet(sheet: &Sheet) {
    assert!(!sheet.rows.is_empty());
    assert!(sheet.rows.len() <= ROSTER_SHEET_ROWS);
    assert!(
        sheet.rows.last().is_some_and(|r| !r.is_empty()),
        "trailing empty row"
    );
    for row in &sheet.rows {
        assert!(row.len() <= ROSTER_COLUMNS);
        assert!(
            row.last().is_none_or(|c| !c.is_empty()),
            "trailing empty cell"
        );
        for cell in row {
            assert_eq!(clean_cell(cell), cell, "cell not trimmed");
        }
    }
}

fn check_roster(sheet: &Sheet, parsed: &ParsedRoster) {
    assert!((1..=ROSTER_HEADER_ROWS).contains(&parsed.header_row));
    assert!(parsed.rows.len() <= roster::decode::MAX_DATA_ROWS);
    let mut previous = parsed.header_row;
    let mut phones = HashMap::new();
    for row in &parsed.rows {
        assert!(row.row > previous && row.row <= sheet.rows.len());
        previous = row.row;
        let has = |field| row.problems.iter().any(|p| p.field == field);
        assert_eq!(row.name.is_empty(), has(roster::Field::Name), "{row:?}");
        match &row.phone {
            Some(phone) => {
                assert_eq!(Phone::parse(&row.phone_raw).as_ref(), Ok(phone));
                let first = *phones.entry(phone.clone()).or_insert(row.row);
                assert_eq!(first != row.row, has(roster::Field::Phone), "{row:?}");
            }
            None => assert!(has(roster::Field::Phone), "{row:?}"),
        }
        assert_eq!(row.post.is_none(), has(roster::Field::Post), "{row:?}");
        if let Some(date) = &row.start_date {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let parsed =
                Date::parse(date, format).unwrap_or_else(|e| panic!("start date {date:?}: {e}"));
            assert_eq!(&parsed.format(format).unwrap(), date);
        }
    }
    let problems = parsed.rows.iter().any(|r| !r.problems.is_empty());
    assert_eq!(parsed.is_importable(), !parsed.rows.is_empty() && !problems);
}

/// XLSX rosters. Input starting like a ZIP file is read as an uploaded
/// workbook (any bytes, no panic, same invariants as CSV). Anything else is
/// a recipe for a workbook, written with rust_xlsxwriter (text, numbers,
/// dates, booleans, formulas, merged ranges, hidden sheets) and read back:
/// it must never be reported corrupt, and every text, number, date and
/// boolean cell of the first visible sheet must read as Excel shows it.
pub fn roster_xlsx(data: &[u8]) {
    if data.starts_with(b"PK\x03\x04") {
        let _ = read_roster("名册.xlsx", data);
        return;
    }
    let recipe = xlsx::Recipe::from_bytes(data);
    let Some(bytes) = recipe.workbook() else {
        return;
    };
    let sheet = read_roster("名册.xlsx", &bytes);
    recipe.check(&sheet);
}

mod xlsx {
    use super::{ROSTER_COLUMNS, ROSTER_SHEET_ROWS, RosterFileError, Sheet, clean_cell};
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    use std::collections::HashMap;

    /// Header texts, posts, phones, dates and names from real rosters, so
    /// recipes reach the validation of people rows quickly.
    const WORDS: &[&str] = &[
        "姓名",
        "手机号",
        "岗位",
        "入职日期",
        "序号",
        "备注",
        "部门",
        "基本信息",
        "任职信息",
        "嘉峰宾馆员工花名册",
        "手机号（必填）",
        "*姓名",
        "员工姓名",
        "联系电话",
        "职务",
        "入职时间",
        "员工",
        "消防控制室值班员",
        "微型消防站队员",
        "消防安全管理人",
        "消防安全责任人",
        "operator",
        "保安",
        "13812345678",
        "139 8765 4321",
        "+86 150 3678 1245",
        "008613912345678",
        "1.38123E+10",
        "1381234567",
        "12012345678",
        "2024-03-01",
        "2024/5/20",
        "2023年7月1日",
        "20240301",
        "2024-02-30",
        "2024-3-1 08:30:00",
        "张伟",
        " 王芳 ",
        "\u{3000}李娜\u{a0}",
        "\u{200b}赵敏",
        "",
    ];

    /// Where a cell's text is known, what the reader must return for it.
    enum Expected {
        Text(String),
        Unknown,
    }

    enum Value {
        Text(String),
        Number(f64),
        Date(u16, u8, u8),
        Bool(bool),
        Formula(String),
    }

    enum Op {
        Write {
            row: u32,
            col: u16,
            value: Value,
        },
        Merge {
            rows: (u32, u32),
            cols: (u16, u16),
            text: String,
        },
        AddSheet {
            hidden: bool,
        },
    }

    pub struct Recipe {
        ops: Vec<Op>,
    }

    struct Bytes<'a>(&'a [u8]);

    impl Bytes<'_> {
        fn byte(&mut self) -> Option<u8> {
            let (&first, rest) = self.0.split_first()?;
            self.0 = rest;
            Some(first)
        }

        fn take(&mut self, n: usize) -> &[u8] {
            let (head, rest) = self.0.split_at(n.min(self.0.len()));
            self.0 = rest;
            head
        }

        /// Mostly the first rows (where the header is), sometimes far down.
        fn row(&mut self) -> Option<u32> {
            let b = self.byte()?;
            Some(if b < 240 {
                u32::from(b % 24)
            } else {
                let hi = self.byte()?;
                let lo = self.byte()?;
                u32::from(u16::from_be_bytes([hi, lo]))
            })
        }

        /// Mostly the first columns, sometimes past the reader's limit.
        fn col(&mut self) -> Option<u16> {
            let b = self.byte()?;
            Some(if b < 200 {
                u16::from(b % 8)
            } else {
                u16::from(b - 200) * 2
            })
        }

        fn text(&mut self) -> Option<String> {
            let b = self.byte()?;
            Some(if b < 128 {
                WORDS[usize::from(b) % WORDS.len()].to_string()
            } else {
                let len = usize::from(b - 128);
                String::from_utf8_lossy(self.take(len)).into_owned()
            })
        }

        fn number(&mut self) -> Option<f64> {
            let kind = self.byte()?;
            let raw = self.take(8);
            let mut b = [0u8; 8];
            b[..raw.len()].copy_from_slice(raw);
            let low = [b[0], b[1], b[2], b[3]];
            Some(match kind % 3 {
                // A mobile number typed into a General column.
                0 => 13_000_000_000.0 + f64::from(u32::from_le_bytes(low)),
                1 => f64::from(i32::from_le_bytes(low)) / 100.0,
                _ => f64::from_le_bytes(b),
            })
        }
    }

    impl Recipe {
        /// At most 64 operations, each from a few bytes.
        pub fn from_bytes(data: &[u8]) -> Recipe {
            let mut input = Bytes(data);
            let mut ops = Vec::new();
            while ops.len() < 64 {
                let Some(op) = Self::op(&mut input) else {
                    break;
                };
                ops.push(op);
            }
            Recipe { ops }
        }

        fn op(input: &mut Bytes<'_>) -> Option<Op> {
            let code = input.byte()?;
            let (row, col) = match code % 8 {
                7 => (0, 0),
                _ => (input.row()?, input.col()?),
            };
            let value = match code % 8 {
                0 | 1 => Value::Text(input.text()?),
                2 => Value::Number(input.number()?),
                3 => {
                    let year = 1901 + u16::from(input.byte()?) % 200;
                    let month = 1 + input.byte()? % 12;
                    let day = 1 + input.byte()? % 28;
                    Value::Date(year, month, day)
                }
                4 => Value::Bool(code & 0x80 != 0),
                5 => Value::Formula(format!("={}+1", input.byte()?)),
                6 => {
                    let size = input.byte()?;
                    let text = input.text()?;
                    return Some(Op::Merge {
                        rows: (row, row + u32::from(size & 3)),
                        cols: (col, col + u16::from(size >> 2 & 3)),
                        text,
                    });
                }
                _ => {
                    return Some(Op::AddSheet {
                        hidden: code & 0x80 != 0,
                    });
                }
            };
            Some(Op::Write { row, col, value })
        }

        /// The workbook, or None when rust_xlsxwriter refuses the recipe
        /// as a whole (a failed single write is simply skipped).
        pub fn workbook(&self) -> Option<Vec<u8>> {
            let mut workbook = Workbook::new();
            let date = Format::new().set_num_format("yyyy-mm-dd");
            let mut sheets = 1;
            let mut merged = Vec::new();
            workbook.add_worksheet();
            for op in &self.ops {
                let sheet = workbook.worksheet_from_index(sheets - 1).ok()?;
                match op {
                    Op::Write { row, col, value } => {
                        let _ = match value {
                            Value::Text(s) => sheet.write_string(*row, *col, s).map(|_| ()),
                            Value::Number(n) => sheet.write_number(*row, *col, *n).map(|_| ()),
                            Value::Date(y, m, d) => ExcelDateTime::from_ymd(*y, *m, *d)
                                .and_then(|dt| {
                                    sheet.write_datetime_with_format(*row, *col, dt, &date)
                                })
                                .map(|_| ()),
                            Value::Bool(b) => sheet.write_boolean(*row, *col, *b).map(|_| ()),
                            Value::Formula(f) => {
                                sheet.write_formula(*row, *col, f.as_str()).map(|_| ())
                            }
                        };
                    }
                    Op::Merge { rows, cols, text } => {
                        // rust_xlsxwriter 0.102 panics on a range overlapping
                        // one it refused before (worksheet.rs:5047), so a
                        // recipe never merges over an earlier merge; our own
                        // export merges one fixed title range.
                        let overlaps = merged.iter().any(|(r, c): &((u32, u32), (u16, u16))| {
                            rows.0 <= r.1 && r.0 <= rows.1 && cols.0 <= c.1 && c.0 <= cols.1
                        });
                        if !overlaps {
                            merged.push((*rows, *cols));
                            let _ = sheet.merge_range(
                                rows.0,
                                cols.0,
                                rows.1,
                                cols.1,
                                text,
                                &Format::new(),
                            );
                        }
                    }
                    Op::AddSheet { hidden } => {
                        merged.clear();
                        if *hidden {
                            sheet.set_hidden(true);
                        }
                        workbook.add_worksheet();
                        sheets += 1;
                    }
                }
            }
            workbook.save_to_buffer().ok()
        }

        /// The cells of the first sheet, as the reader must return them.
        fn expected(&self) -> HashMap<(u32, u16), Expected> {
            let mut cells = HashMap::new();
            for op in &self.ops {
                match op {
                    // rust_xlsxwriter ignores an empty string (Excel keeps
                    // no empty text cell): the cell keeps what it had.
                    Op::Write {
                        value: Value::Text(s),
                        ..
                    } if s.is_empty() => {}
                    Op::Write { row, col, value } => {
                        let expected = match value {
                            Value::Text(s) => Expected::Text(s.clone()),
                            // Adding 0.0 turns -0.0 into 0.0, which a
                            // spreadsheet does not tell apart.
                            Value::Number(n) if n.is_finite() => {
                                Expected::Text((n + 0.0).to_string())
                            }
                            Value::Date(y, m, d) => Expected::Text(format!("{y:04}-{m:02}-{d:02}")),
                            Value::Bool(b) => {
                                Expected::Text(if *b { "TRUE" } else { "FALSE" }.to_string())
                            }
                            _ => Expected::Unknown,
                        };
                        cells.insert((*row, *col), expected);
                    }
                    // A refused merge (overlapping another) may not have
                    // written anything: the cells it covers are unknown.
                    Op::Merge { rows, cols, .. } => {
                        for row in rows.0..=rows.1 {
                            for col in cols.0..=cols.1 {
                                cells.insert((row, col), Expected::Unknown);
                            }
                        }
                    }
                    Op::AddSheet { .. } => break,
                }
            }
            cells
        }

        pub fn check(&self, read: &Result<Sheet, RosterFileError>) {
            // Only the first sheet is modelled; it is the one read unless
            // hidden.
            let first_hidden = self.ops.iter().find_map(|op| match op {
                Op::AddSheet { hidden } => Some(*hidden),
                _ => None,
            });
            let expected = self.expected();
            let known = |at: &(u32, u16)| match expected.get(at) {
                Some(Expected::Text(s)) if usize::from(at.1) < ROSTER_COLUMNS => {
                    Some(clean_cell(s))
                }
                _ => None,
            };
            match read {
                Ok(sheet) if first_hidden != Some(true) => {
                    for at in expected.keys() {
                        if let Some(want) = known(at) {
                            let got = sheet
                                .rows
                                .get(at.0 as usize)
                                .and_then(|r| r.get(usize::from(at.1)))
                                .map_or("", String::as_str);
                            assert_eq!(got, want, "cell at row {} column {}", at.0, at.1);
                        }
                    }
                }
                Ok(_) => {}
                Err(RosterFileError::TooManyRows { .. }) => {}
                Err(RosterFileError::Empty) if first_hidden != Some(true) => {
                    assert!(
                        expected
                            .keys()
                            .all(|at| known(at).is_none_or(str::is_empty)),
                        "a sheet with text read as empty"
                    );
                }
                Err(RosterFileError::Empty) => {}
                Err(e) => panic!("a workbook written by rust_xlsxwriter read as {e:?}"),
            }
            if first_hidden != Some(true)
                && expected.keys().any(|at| {
                    at.0 as usize >= ROSTER_SHEET_ROWS && known(at).is_some_and(|s| !s.is_empty())
                })
            {
                assert!(
                    matches!(read, Err(RosterFileError::TooManyRows { .. })),
                    "a sheet past the row limit was read"
                );
            }
        }
    }
}

/// The validated domain types: no parser panics; whatever parses is in
/// normal form and parses again to itself; a credit code's check character
/// verifies (computed here independently, and any 17 characters of the
/// alphabet get exactly one check character that makes them valid);
/// `add_months` moves by whole months and clamps the day.
pub fn domain(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        domain_text(text);
    }
    if let [a, b, c, d, e, f, g, h, ..] = *data {
        check_add_months(
            i32::from_le_bytes([a, b, c, d]),
            i32::from_le_bytes([e, f, g, h]),
        );
    }
}

fn domain_text(text: &str) {
    if let Ok(phone) = Phone::parse(text) {
        let digits = phone.as_str();
        assert!(digits.len() == 11 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(digits.starts_with('1'));
        assert_eq!(Phone::parse(digits).as_ref(), Ok(&phone));
        assert_eq!(Phone::parse(&format!("+86 {digits}")).as_ref(), Ok(&phone));
        assert_eq!(phone.to_string(), digits);
        assert_eq!(
            phone.masked(),
            format!("{}****{}", &digits[..3], &digits[7..])
        );
    }

    match CreditCode::parse(text) {
        Ok(code) => {
            let s = code.as_str();
            assert_eq!(s.len(), 18);
            let values = credit_values(s).expect("a parsed code uses the alphabet");
            assert_eq!(credit_check(&values[..17]), values[17], "{s}");
            assert_eq!(
                CreditCode::parse(&s.to_ascii_lowercase()).as_ref(),
                Ok(&code)
            );
            assert_eq!(code.to_string(), s);
        }
        Err(_) => {
            // Complete the first 17 characters the alphabet knows with their
            // check character: that code must be accepted, and no other
            // last character may be.
            let body: String = text
                .chars()
                .map(|c| c.to_ascii_uppercase())
                .filter(|&c| CREDIT_ALPHABET.contains(c))
                .take(17)
                .collect();
            if body.len() == 17 {
                let values = credit_values(&body).expect("alphabet characters");
                let check = credit_check(&values);
                for (i, last) in CREDIT_ALPHABET.chars().enumerate() {
                    let candidate = format!("{body}{last}");
                    assert_eq!(
                        CreditCode::parse(&candidate).is_ok(),
                        i == check,
                        "{candidate}"
                    );
                }
            }
        }
    }

    if let Ok(post) = Post::parse(text) {
        assert_eq!(Post::parse(post.label()), Ok(post));
        assert_eq!(Post::parse(post.code()), Ok(post));
        assert_eq!(post.to_string(), post.label());
    }
    if let Ok(level) = Level::parse(text) {
        assert_eq!(Level::from_number(i64::from(level.number())), Some(level));
        assert_eq!(Level::parse(&level.number().to_string()), Ok(level));
    }
    if let Ok(number) = CredentialNumber::parse(text) {
        let s = number.as_str();
        assert!((6..=40).contains(&s.len()));
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        );
        assert_eq!(CredentialNumber::parse(s).as_ref(), Ok(&number));
    }
    if let Some(audience) = app::model::Audience::parse(text) {
        assert_eq!(audience.code(), text);
    }
}

/// GB 32100-2015's 31 characters in value order.
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn credit_values(code: &str) -> Option<Vec<usize>> {
    code.chars().map(|c| CREDIT_ALPHABET.find(c)).collect()
}

/// The check character's value: weights 3^i mod 31, then 31 − sum mod 31.
fn credit_check(values: &[usize]) -> usize {
    let mut weight = 1;
    let mut sum = 0;
    for &v in values {
        sum += v * weight;
        weight = weight * 3 % 31;
    }
    (31 - sum % 31) % 31
}

fn check_add_months(day: i32, months: i32) {
    let first = Date::MIN.to_julian_day();
    let span = Date::MAX.to_julian_day() - first + 1;
    let Ok(start) = Date::from_julian_day(first + day.rem_euclid(span)) else {
        return;
    };
    let end = add_months(start, months);
    if months >= 0 {
        assert!(end >= start, "{start} + {months} months = {end}");
    } else {
        assert!(end <= start, "{start} + {months} months = {end}");
    }
    if end == Date::MIN || end == Date::MAX {
        return;
    }
    let index = |d: Date| i64::from(d.year()) * 12 + i64::from(u8::from(d.month()));
    assert_eq!(
        index(end) - index(start),
        i64::from(months),
        "{start} + {months} months = {end}"
    );
    assert_eq!(
        end.day(),
        start.day().min(end.month().length(end.year())),
        "{start} + {months} months = {end}"
    );
}
