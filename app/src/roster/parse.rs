//! Finds the header in a decoded sheet and validates every person row,
//! collecting all problems at once so an admin can fix the file in one go.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::decode::{MAX_DATA_ROWS, RosterFileError, Sheet};
use crate::domain::{Phone, Post};

/// Title rows ("某某单位员工花名册") and group headers may sit above the
/// header; it must start within this many rows.
const HEADER_SEARCH_ROWS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Phone,
    Post,
    StartDate,
}

impl Field {
    /// Header texts people use for each column, after [`normalise_header`].
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["姓名", "名字", "员工姓名", "人员姓名"],
            Field::Phone => &["手机号", "手机", "手机号码", "联系电话", "电话", "联系方式"],
            Field::Post => &["岗位", "职务", "岗位名称", "职位"],
            Field::StartDate => &["入职日期", "入职时间", "上岗日期", "到岗日期"],
        }
    }

    fn of_header(text: &str) -> Option<Field> {
        let text = normalise_header(text);
        [Field::Name, Field::Phone, Field::Post, Field::StartDate]
            .into_iter()
            .find(|field| field.aliases().contains(&text.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub field: Field,
    /// Chinese, self-contained; the row number is in [`RosterRow::row`].
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    /// Spreadsheet row number, 1-based.
    pub row: usize,
    /// Trimmed, as typed.
    pub name: String,
    /// As typed.
    pub phone_raw: String,
    /// Some when valid.
    pub phone: Option<Phone>,
    /// Some when valid; a blank cell (or no 岗位 column) means 员工.
    pub post: Option<Post>,
    /// "YYYY-MM-DD" when given and valid; None when blank.
    pub start_date: Option<String>,
    /// Empty means importable.
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedRoster {
    /// Spreadsheet row number of the header, 1-based.
    pub header_row: usize,
    pub rows: Vec<RosterRow>,
    /// Header texts of columns that are not read (序号, 部门, 备注 …).
    pub ignored_columns: Vec<String>,
}

impl ParsedRoster {
    pub fn problem_count(&self) -> usize {
        self.rows.iter().map(|r| r.problems.len()).sum()
    }

    /// True when there is someone to import and nothing to fix.
    pub fn is_importable(&self) -> bool {
        !self.rows.is_empty() && self.problem_count() == 0
    }
}

pub fn parse_roster(sheet: &Sheet) -> Result<ParsedRoster, RosterFileError> {
    let header = find_header(sheet).ok_or(RosterFileError::NoHeader)?;
    let mut rows = Vec::new();
    let mut first_row_of_phone: HashMap<Phone, usize> = HashMap::new();
    for (index, cells) in sheet.rows.iter().enumerate().skip(header.data_start) {
        let cell = |col: Option<usize>| -> &str {
            col.and_then(|c| cells.get(c)).map_or("", String::as_str)
        };
        let name = cell(Some(header.name));
        let phone_raw = cell(Some(header.phone));
        let post_raw = cell(header.post);
        let date_raw = cell(header.start_date);
        if [name, phone_raw, post_raw, date_raw]
            .iter()
            .all(|c| c.is_empty())
        {
            continue;
        }
        if rows.len() == MAX_DATA_ROWS {
            return Err(RosterFileError::TooManyRows {
                limit: MAX_DATA_ROWS,
            });
        }
        let row = index + 1;
        let mut problems = Vec::new();
        let mut problem = |field, message: String| problems.push(Problem { field, message });

        if name.is_empty() {
            problem(Field::Name, "姓名不能为空".to_string());
        }

        let phone = if looks_scientific(phone_raw) {
            problem(
                Field::Phone,
                "手机号被 Excel 显示成了科学计数法，请把该列设置为文本后重新填写".to_string(),
            );
            None
        } else {
            match Phone::parse(phone_raw) {
                Ok(phone) => {
                    if let Some(first) = first_row_of_phone.get(&phone) {
                        problem(Field::Phone, format!("手机号与第 {first} 行重复"));
                    } else {
                        first_row_of_phone.insert(phone.clone(), row);
                    }
                    Some(phone)
                }
                Err(e) => {
                    problem(Field::Phone, e.to_string());
                    None
                }
            }
        };

        let post = if post_raw.is_empty() {
            Some(Post::Employee)
        } else {
            match Post::parse(post_raw) {
                Ok(post) => Some(post),
                Err(e) => {
                    problem(Field::Post, e.to_string());
                    None
                }
            }
        };

        let start_date = if date_raw.is_empty() {
            None
        } else {
            match parse_date(date_raw) {
                Ok(date) => Some(date),
                Err(DateError::Unrecognised) => {
                    problem(
                        Field::StartDate,
                        format!("入职日期“{date_raw}”无法识别，请写成 2024-03-01"),
                    );
                    None
                }
                Err(DateError::Impossible) => {
                    problem(
                        Field::StartDate,
                        format!("入职日期“{date_raw}”不存在，请检查月份和日期"),
                    );
                    None
                }
            }
        };

        rows.push(RosterRow {
            row,
            name: name.to_string(),
            phone_raw: phone_raw.to_string(),
            phone,
            post,
            start_date,
            problems,
        });
    }
    Ok(ParsedRoster {
        header_row: header.row + 1,
        rows,
        ignored_columns: header.ignored_columns,
    })
}

/// Where the header is and which column holds each field (0-based).
struct Header {
    row: usize,
    data_start: usize,
    name: usize,
    phone: usize,
    post: Option<usize>,
    start_date: Option<usize>,
    ignored_columns: Vec<String>,
}

/// The header is the first row (among the first few) naming both 姓名 and
/// 手机号. Two-row headers are common in Chinese rosters: a group header
/// ("基本信息") over some columns while others are merged vertically. A
/// merged cell keeps its text only in its top cell, so a field missing from
/// the header row is also looked for in the row above (vertical merge) and
/// in the row below when that row holds nothing but header texts (the
/// header row itself was the group row).
fn find_header(sheet: &Sheet) -> Option<Header> {
    let text = |row: usize, col: usize| -> &str {
        sheet
            .rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    };
    let row = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|cells| {
            let fields: Vec<Field> = cells.iter().filter_map(|c| Field::of_header(c)).collect();
            fields.contains(&Field::Name) && fields.contains(&Field::Phone)
        })?;
    let below_is_header = sheet.rows.get(row + 1).is_some_and(|cells| {
        let mut texts = cells.iter().filter(|c| !c.is_empty()).peekable();
        texts.peek().is_some() && texts.all(|c| Field::of_header(c).is_some())
    });
    let width = [Some(row), row.checked_sub(1), Some(row + 1)]
        .into_iter()
        .flatten()
        .filter_map(|r| sheet.rows.get(r).map(Vec::len))
        .max()
        .unwrap_or(0);

    let mut columns: Vec<(Field, usize)> = Vec::new();
    let mut ignored_columns = Vec::new();
    for col in 0..width {
        let own = text(row, col);
        let above = row.checked_sub(1).map_or("", |r| text(r, col));
        let below = if below_is_header {
            text(row + 1, col)
        } else {
            ""
        };
        // Vertically merged header cells keep their text in the row above.
        let candidates = [own, below, if own.is_empty() { above } else { "" }];
        let found = candidates
            .iter()
            .find_map(|t| Field::of_header(t).map(|field| (field, *t)));
        let label = match found {
            Some((field, _)) if !columns.iter().any(|(f, _)| *f == field) => {
                columns.push((field, col));
                None
            }
            // A second column for a field already found: the first wins.
            Some((_, label)) => Some(label),
            None => candidates.into_iter().find(|t| !t.is_empty()),
        };
        if let Some(label) = label {
            ignored_columns.push(label.to_string());
        }
    }
    let column_of = |field: Field| columns.iter().find(|(f, _)| *f == field).map(|(_, c)| *c);
    Some(Header {
        row,
        data_start: if below_is_header { row + 2 } else { row + 1 },
        name: column_of(Field::Name)?,
        phone: column_of(Field::Phone)?,
        post: column_of(Field::Post),
        start_date: column_of(Field::StartDate),
        ignored_columns,
    })
}

/// Drops whitespace, parenthesised notes ("手机号（必填）") and the "*"
/// that templates put on required columns.
fn normalise_header(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ if depth > 0 || c.is_whitespace() => {}
            _ => out.push(c),
        }
    }
    out.trim_matches(['*', '＊']).to_string()
}

/// "1.38123E+10": what Excel shows for a long number in a General column;
/// the digits beyond the sixth are already lost.
fn looks_scientific(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    [whole, fraction, exponent]
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

#[derive(Debug, PartialEq)]
enum DateError {
    Unrecognised,
    /// Well-formed but not on the calendar (2024-02-30).
    Impossible,
}

/// Accepts 2024-03-01, 2024-3-1, 2024/3/1, 2024.3.1, 2024年3月1日 and
/// 20240301 (Excel date cells arrive as "YYYY-MM-DD" from decode), with an
/// optional time after a space; returns zero-padded "YYYY-MM-DD".
fn parse_date(text: &str) -> Result<String, DateError> {
    let date = match text.split_once(' ') {
        Some((date, time))
            if time.contains(':')
                && time.trim().bytes().all(|b| b.is_ascii_digit() || b == b':') =>
        {
            date
        }
        _ => text,
    };
    let parts: Vec<&str> = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        vec![&date[..4], &date[4..6], &date[6..]]
    } else if let Some(rest) = date.strip_suffix('日') {
        rest.split(['年', '月']).collect()
    } else {
        ['-', '/', '.']
            .into_iter()
            .map(|sep| date.split(sep).collect::<Vec<_>>())
            .find(|parts| parts.len() == 3)
            .unwrap_or_default()
    };
    let [year, month, day] = parts.as_slice() else {
        return Err(DateError::Unrecognised);
    };
    let number = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        if lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse::<u16>().ok()
        } else {
            None
        }
    };
    let (Some(year), Some(month), Some(day)) = (
        number(year, 4..=4),
        number(month, 1..=2),
        number(day, 1..=2),
    ) else {
        return Err(DateError::Unrecognised);
    };
    let month = Month::try_from(month as u8).map_err(|_| DateError::Impossible)?;
    let date = Date::from_calendar_date(year.into(), month, day as u8)
        .map_err(|_| DateError::Impossible)?;
    Ok(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::decode::read_sheet;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    fn parse_csv(text: &str) -> ParsedRoster {
        parse_roster(&read_sheet("名册.csv", text.as_bytes()).unwrap()).unwrap()
    }

    /// (row, [messages]) for every row with problems.
    fn problems(roster: &ParsedRoster) -> Vec<(usize, Vec<&str>)> {
        roster
            .rows
            .iter()
            .filter(|r| !r.problems.is_empty())
            .map(|r| {
                (
                    r.row,
                    r.problems.iter().map(|p| p.message.as_str()).collect(),
                )
            })
            .collect()
    }

    fn phones(roster: &ParsedRoster) -> Vec<Option<&str>> {
        roster
            .rows
            .iter()
            .map(|r| r.phone.as_ref().map(Phone::as_str))
            .collect()
    }

    #[test]
    fn reads_a_clean_roster() {
        let roster = parse_csv(
            "序号,姓名,手机号,岗位,入职日期\n\
             1,张伟,13812345678,消防控制室值班员,2024-03-01\n\
             2,王芳,13912345678,,\n",
        );
        assert_eq!(roster.header_row, 1);
        assert_eq!(roster.ignored_columns, vec!["序号"]);
        assert!(roster.is_importable());
        assert_eq!(
            roster.rows[0],
            RosterRow {
                row: 2,
                name: "张伟".into(),
                phone_raw: "13812345678".into(),
                phone: Some(Phone::parse("13812345678").unwrap()),
                post: Some(Post::ControlRoomOperator),
                start_date: Some("2024-03-01".into()),
                problems: vec![],
            }
        );
        assert_eq!(roster.rows[1].post, Some(Post::Employee));
        assert_eq!(roster.rows[1].start_date, None);
    }

    #[test]
    fn columns_in_any_order_with_aliases_and_decorated_headers() {
        let roster = parse_csv(
            "备注,联系电话（必填）,岗位名称,人员姓名*,部门,到岗 日期,电话\n\
             夜班,150 1234 5678,微型消防站队员,李娜,客房部,2024/3/1,13812345678\n",
        );
        let row = &roster.rows[0];
        assert_eq!(row.name, "李娜");
        assert_eq!(row.phone.as_ref().unwrap().as_str(), "15012345678");
        assert_eq!(row.post, Some(Post::FireStationMember));
        assert_eq!(row.start_date.as_deref(), Some("2024-03-01"));
        // A second phone column loses to the first.
        assert_eq!(roster.ignored_columns, vec!["备注", "部门", "电话"]);
    }

    #[test]
    fn skips_title_and_blank_rows_before_the_header_and_between_rows() {
        let roster = parse_csv(
            "嘉峰宾馆员工花名册,,\n\
             ,,\n\
             \n\
             姓名,手机号,岗位\n\
             张伟,13812345678,员工\n\
             ,,\n\
             \n\
             王芳,13912345678,员工\n\
             ,,\n",
        );
        assert_eq!(roster.header_row, 4);
        assert_eq!(
            roster.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            vec![5, 8]
        );
        assert!(roster.is_importable());
    }

    #[test]
    fn rows_with_only_ignored_columns_filled_are_skipped() {
        let roster = parse_csv("序号,姓名,手机号,备注\n1,张伟,13812345678,\n2,,,\n3,,,离职\n");
        assert_eq!(roster.rows.len(), 1);
    }

    #[test]
    fn no_header_within_the_first_ten_rows() {
        let err = parse_roster(&sheet(&[&["名字", "岗位"], &["张伟", "员工"]])).unwrap_err();
        assert_eq!(err, RosterFileError::NoHeader);
        assert_eq!(
            err.to_string(),
            "未找到表头：表格中需要有“姓名”和“手机号”两列"
        );
        let mut rows: Vec<&[&str]> = vec![&["说明"]; 10];
        rows.push(&["姓名", "手机号"]);
        assert_eq!(parse_roster(&sheet(&rows)), Err(RosterFileError::NoHeader));
        rows.remove(0);
        assert_eq!(parse_roster(&sheet(&rows)).unwrap().header_row, 10);
    }

    #[test]
    fn header_split_over_two_rows_by_merged_cells() {
        // Group row above the header; 序号 and 岗位 merged vertically, so
        // their text is only in the group row.
        let roster = parse_roster(&sheet(&[
            &["序号", "基本信息", "", "岗位"],
            &["", "姓名", "手机号", ""],
            &["1", "张伟", "13812345678", "消防安全管理人"],
        ]))
        .unwrap();
        assert_eq!(roster.header_row, 2);
        assert_eq!(roster.rows[0].post, Some(Post::SafetyManager));
        assert_eq!(roster.ignored_columns, vec!["序号"]);

        // Mirrored: 姓名 and 手机号 merged vertically, group "任职信息" over
        // 岗位 and 入职日期 in the row below.
        let roster = parse_roster(&sheet(&[
            &["姓名", "手机号", "任职信息", ""],
            &["", "", "岗位", "入职日期"],
            &["张伟", "13812345678", "消防安全责任人", "2024-3-1"],
        ]))
        .unwrap();
        assert_eq!(roster.rows.len(), 1);
        assert_eq!(roster.rows[0].row, 3);
        assert_eq!(roster.rows[0].post, Some(Post::SafetyPrincipal));
        assert_eq!(roster.rows[0].start_date.as_deref(), Some("2024-03-01"));
    }

    #[test]
    fn phones_with_spaces_country_code_and_dashes() {
        let roster = parse_csv(
            "姓名,手机号\n\
             甲,138 1234 5678\n\
             乙,+86 139-1234-5678\n\
             丙,0086 15012345678\n\
             丁,186-1234-5678\n",
        );
        assert!(roster.is_importable());
        assert_eq!(
            phones(&roster),
            vec![
                Some("13812345678"),
                Some("13912345678"),
                Some("15012345678"),
                Some("18612345678")
            ]
        );
        assert_eq!(roster.rows[0].phone_raw, "138 1234 5678");
    }

    #[test]
    fn duplicate_phones_name_the_first_row() {
        let roster = parse_csv(
            "姓名,手机号\n\
             张伟,138 1234 5678\n\
             王芳,13912345678\n\
             李娜,+8613812345678\n\
             赵敏,138-1234-5678\n",
        );
        assert_eq!(
            problems(&roster),
            vec![
                (4, vec!["手机号与第 2 行重复"]),
                (5, vec!["手机号与第 2 行重复"])
            ]
        );
        assert_eq!(roster.problem_count(), 2);
        assert!(!roster.is_importable());
        // The phone is still recognised, so the UI can show it.
        assert_eq!(phones(&roster)[2], Some("13812345678"));
    }

    #[test]
    fn invalid_blank_and_scientific_phones() {
        let roster = parse_csv(
            "姓名,手机号\n\
             甲,1381234567\n\
             乙,\n\
             丙,1.38123E+10\n\
             丁,12012345678\n\
             戊,1381234567a\n\
             己,1E10\n",
        );
        assert_eq!(
            problems(&roster),
            vec![
                (2, vec!["手机号应为 11 位，实际 10 位"]),
                (3, vec!["手机号不能为空"]),
                (
                    4,
                    vec!["手机号被 Excel 显示成了科学计数法，请把该列设置为文本后重新填写"]
                ),
                (5, vec!["手机号号段 120 无效"]),
                (6, vec!["手机号只能包含数字"]),
                (
                    7,
                    vec!["手机号被 Excel 显示成了科学计数法，请把该列设置为文本后重新填写"]
                ),
            ]
        );
        assert!(roster.rows.iter().all(|r| r.phone.is_none()));
    }

    #[test]
    fn blank_name_and_unknown_post() {
        let roster = parse_csv(
            "姓名,手机号,岗位\n\
             ,13812345678,保安\n\
             王芳,13912345678,operator\n",
        );
        assert_eq!(
            problems(&roster),
            vec![(
                2,
                vec![
                    "姓名不能为空",
                    "未知岗位“保安”（可选：员工、消防控制室值班员、微型消防站队员、消防安全管理人、消防安全责任人）"
                ]
            )]
        );
        let fields: Vec<Field> = roster.rows[0].problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec![Field::Name, Field::Post]);
        assert_eq!(roster.rows[0].post, None);
        assert_eq!(roster.rows[1].post, Some(Post::ControlRoomOperator));
    }

    #[test]
    fn every_date_format() {
        for input in [
            "2024-03-01",
            "2024-3-1",
            "2024/3/1",
            "2024/03/01",
            "2024.3.1",
            "2024年3月1日",
            "2024年03月01日",
            "20240301",
            "2024-03-01 00:00:00",
            "2024/3/1 8:30",
        ] {
            assert_eq!(parse_date(input).as_deref(), Ok("2024-03-01"), "{input}");
        }
        assert_eq!(parse_date("2024-12-31").as_deref(), Ok("2024-12-31"));
        assert_eq!(parse_date("2024-02-29").as_deref(), Ok("2024-02-29"));
    }

    #[test]
    fn rejects_unrecognised_and_impossible_dates() {
        for input in [
            "3/1/2024",
            "2024-03",
            "24-3-1",
            "2024-3/1",
            "2024年3月",
            "三月一日",
            "45352",
            "2024-003-01",
            "2024-03-01 下午",
        ] {
            assert_eq!(parse_date(input), Err(DateError::Unrecognised), "{input}");
        }
        for input in [
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "20240431",
        ] {
            assert_eq!(parse_date(input), Err(DateError::Impossible), "{input}");
        }
        let roster = parse_csv(
            "姓名,手机号,入职日期\n\
             张伟,13812345678,2024-02-30\n\
             王芳,13912345678,去年三月\n",
        );
        assert_eq!(
            problems(&roster),
            vec![
                (2, vec!["入职日期“2024-02-30”不存在，请检查月份和日期"]),
                (3, vec!["入职日期“去年三月”无法识别，请写成 2024-03-01"]),
            ]
        );
        assert_eq!(roster.rows[0].problems[0].field, Field::StartDate);
    }

    #[test]
    fn header_only_is_not_importable() {
        let roster = parse_csv("姓名,手机号\n");
        assert!(roster.rows.is_empty());
        assert!(!roster.is_importable());
    }

    #[test]
    fn refuses_more_than_the_data_row_limit() {
        let mut text = String::from("姓名,手机号\n");
        for _ in 0..MAX_DATA_ROWS {
            text.push_str("张伟,13812345678\n");
        }
        assert_eq!(parse_csv(&text).rows.len(), MAX_DATA_ROWS);
        text.push_str("王芳,13912345678\n");
        assert_eq!(
            parse_roster(&read_sheet("a.csv", text.as_bytes()).unwrap()),
            Err(RosterFileError::TooManyRows {
                limit: MAX_DATA_ROWS
            })
        );
    }

    #[test]
    fn header_normalisation() {
        assert_eq!(normalise_header(" 手机号（必填）＊"), "手机号");
        assert_eq!(normalise_header("*姓 名(请填写身份证上的姓名)"), "姓名");
        assert_eq!(normalise_header("入职\u{3000}日期"), "入职日期");
    }

    #[test]
    fn reads_utf16_and_gbk_files_end_to_end() {
        let text = "岗位\t手机号\t姓名\r\n员工\t13812345678\t张伟\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let roster = parse_roster(&read_sheet("名册.txt", &utf16).unwrap()).unwrap();
        assert_eq!(roster.rows[0].name, "张伟");
        assert!(roster.is_importable());

        let (gbk, _, _) = encoding_rs::GBK.encode("手机号,姓名\n13912345678,王芳\n");
        let roster = parse_roster(&read_sheet("名册.csv", &gbk).unwrap()).unwrap();
        assert_eq!(roster.rows[0].name, "王芳");
    }

    #[test]
    fn reads_xlsx_with_merged_title_group_header_and_numeric_phones() {
        use rust_xlsxwriter::{Format, FormatAlign, Workbook};
        let mut workbook = Workbook::new();
        let title = Format::new().set_bold().set_align(FormatAlign::Center);
        let ws = workbook.add_worksheet();
        ws.merge_range(0, 0, 0, 4, "嘉峰宾馆员工花名册", &title)
            .unwrap();
        ws.write_string(1, 0, "序号").unwrap();
        ws.merge_range(1, 1, 1, 2, "基本信息", &title).unwrap();
        ws.merge_range(1, 3, 1, 4, "任职信息", &title).unwrap();
        for (col, text) in [(1, "姓名"), (2, "手机号"), (3, "岗位"), (4, "入职日期")] {
            ws.write(2, col, text).unwrap();
        }
        ws.write(3, 0, 1).unwrap();
        ws.write(3, 1, "张伟").unwrap();
        ws.write(3, 2, 13812345678_f64).unwrap();
        ws.write(3, 3, "消防控制室值班员").unwrap();
        ws.write(4, 0, 2).unwrap();
        ws.write(4, 1, "王芳").unwrap();
        ws.write(4, 2, "+86 139 1234 5678").unwrap();
        ws.write(5, 0, 3).unwrap();
        ws.write(5, 1, "李娜").unwrap();
        ws.write(5, 2, 13812345678_f64).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();

        let roster = parse_roster(&read_sheet("名册.xlsx", &bytes).unwrap()).unwrap();
        assert_eq!(roster.header_row, 3);
        assert_eq!(roster.ignored_columns, vec!["序号"]);
        assert_eq!(
            phones(&roster),
            vec![
                Some("13812345678"),
                Some("13912345678"),
                Some("13812345678")
            ]
        );
        assert_eq!(roster.rows[0].phone_raw, "13812345678");
        assert_eq!(roster.rows[0].post, Some(Post::ControlRoomOperator));
        assert_eq!(problems(&roster), vec![(6, vec!["手机号与第 4 行重复"])]);
    }

    #[test]
    fn fixtures_parse_as_documented() {
        macro_rules! fixture {
            ($name:literal) => {
                parse_roster(
                    &read_sheet(
                        $name,
                        include_bytes!(concat!("../../../server/tests/fixtures/rosters/", $name)),
                    )
                    .unwrap(),
                )
                .unwrap()
            };
        }
        let rows = |roster: &ParsedRoster| roster.rows.iter().map(|r| r.row).collect::<Vec<_>>();
        let scientific = "手机号被 Excel 显示成了科学计数法，请把该列设置为文本后重新填写";

        let good_csv = fixture!("good_utf8.csv");
        assert!(good_csv.is_importable());
        assert_eq!(good_csv.header_row, 1);
        assert_eq!(rows(&good_csv), vec![2, 3, 4, 5, 6, 7]);
        assert_eq!(good_csv.ignored_columns, vec!["序号"]);
        let dates: Vec<Option<&str>> = good_csv
            .rows
            .iter()
            .map(|r| r.start_date.as_deref())
            .collect();
        assert_eq!(
            dates,
            vec![
                Some("2021-01-04"),
                Some("2022-03-15"),
                Some("2024-03-01"),
                Some("2024-05-20"),
                Some("2023-07-01"),
                None
            ]
        );

        let good_xlsx = fixture!("good.xlsx");
        assert!(good_xlsx.is_importable());
        assert_eq!(good_xlsx.header_row, 2);
        assert_eq!(rows(&good_xlsx), vec![3, 4, 5, 6, 7]);
        assert_eq!(good_xlsx.rows[0].start_date.as_deref(), Some("2021-01-04"));
        assert_eq!(good_xlsx.rows[3].start_date, None);
        assert_eq!(good_xlsx.rows[2].post, Some(Post::ControlRoomOperator));

        let gbk = fixture!("gbk_with_errors.csv");
        assert_eq!(gbk.header_row, 1);
        assert_eq!(rows(&gbk), vec![2, 3, 4, 6, 7]);
        assert_eq!(gbk.rows[0].name, "张伟");
        assert_eq!(
            problems(&gbk),
            vec![
                (3, vec!["手机号应为 11 位，实际 10 位"]),
                (
                    4,
                    vec![
                        "未知岗位“保安”（可选：员工、消防控制室值班员、微型消防站队员、消防安全管理人、消防安全责任人）"
                    ]
                ),
                (6, vec!["姓名不能为空"]),
            ]
        );
        assert_eq!(gbk.problem_count(), 3);

        let merged = fixture!("merged_header.xlsx");
        assert_eq!(merged.header_row, 3);
        assert_eq!(rows(&merged), vec![4, 5, 6, 7, 8]);
        assert_eq!(merged.ignored_columns, vec!["序号"]);
        assert_eq!(
            phones(&merged),
            vec![
                Some("13812345678"),
                Some("13987654321"),
                Some("15036781245"),
                Some("13812345678"),
                Some("18655120937")
            ]
        );
        assert_eq!(merged.rows[0].phone_raw, "13812345678");
        assert_eq!(merged.rows[0].start_date.as_deref(), Some("2023-05-01"));
        assert_eq!(problems(&merged), vec![(7, vec!["手机号与第 4 行重复"])]);

        let duplicates = fixture!("duplicates_and_spaces.csv");
        assert_eq!(rows(&duplicates), vec![2, 3, 4, 5, 6]);
        assert_eq!(
            problems(&duplicates),
            vec![(3, vec!["手机号与第 2 行重复"]), (4, vec![scientific])]
        );
        assert_eq!(duplicates.problem_count(), 2);
    }
}
