//! Turns an uploaded roster file (XLSX or delimited text in whatever
//! encoding Chinese Excel/WPS wrote it) into a grid of trimmed text cells.

use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use encoding_rs::{Encoding, GB18030};

/// Most people one upload may contain.
pub const MAX_DATA_ROWS: usize = 5_000;

/// Rows past this index are refused while reading, before the header is
/// known, so a huge file never sits in memory. The slack over
/// [`MAX_DATA_ROWS`] leaves room for title rows and blank rows; the exact
/// limit is checked on data rows in `parse`.
const MAX_SHEET_ROWS: usize = MAX_DATA_ROWS + 1_000;

/// Cells further right are dropped: no roster has this many columns, and a
/// stray far-right cell must not make every row 16,384 cells wide.
const MAX_COLUMNS: usize = 100;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Compound File Binary: legacy .xls, WPS .et, and password-protected .xlsx.
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

/// Cells as text; rows[0] is spreadsheet row 1 (so row numbers shown to
/// people = index + 1). Trailing empty rows are dropped; rows may differ in
/// length.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sheet {
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RosterFileError {
    #[error("文件是空的")]
    Empty,
    #[error("不支持 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV")]
    LegacyXls,
    #[error("该 Excel 文件设置了打开密码，请取消密码后重新上传")]
    PasswordProtected,
    #[error("无法读取该 Excel 文件，请确认文件未损坏")]
    CorruptXlsx,
    #[error("无法识别文件内容，请上传 .xlsx 或 CSV 格式的名册")]
    Unreadable,
    #[error("人员过多：每次最多导入 {limit} 人，请分批上传")]
    TooManyRows { limit: usize },
    #[error("未找到表头：表格中需要有“姓名”和“手机号”两列")]
    NoHeader,
}

/// Reads the first visible worksheet of an XLSX file, or a CSV/TSV text
/// file. The content decides the format; the file name only tells a legacy
/// binary workbook (.xls) from a password-protected .xlsx, which look alike.
pub fn read_sheet(filename: &str, bytes: &[u8]) -> Result<Sheet, RosterFileError> {
    if bytes.is_empty() {
        return Err(RosterFileError::Empty);
    }
    let extension = filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let sheet = if bytes.starts_with(ZIP_MAGIC) {
        read_xlsx(bytes)?
    } else if bytes.starts_with(CFB_MAGIC) {
        return Err(if matches!(extension.as_str(), "xlsx" | "xlsm") {
            RosterFileError::PasswordProtected
        } else {
            RosterFileError::LegacyXls
        });
    } else {
        let text = decode_text(bytes)?;
        // Many systems export an HTML table named .xls; it is not a CSV.
        if extension == "xls" && text.trim_start().starts_with('<') {
            return Err(RosterFileError::LegacyXls);
        }
        read_delimited(&text)?
    };
    if sheet.rows.is_empty() {
        return Err(RosterFileError::Empty);
    }
    Ok(sheet)
}

/// Collects cells into a dense grid, keeping only non-empty ones so trailing
/// blank rows and cells never materialise.
#[derive(Default)]
struct GridBuilder {
    rows: Vec<Vec<String>>,
}

impl GridBuilder {
    fn put(&mut self, row: usize, col: usize, raw: &str) -> Result<(), RosterFileError> {
        let value = clean_cell(raw);
        if value.is_empty() || col >= MAX_COLUMNS {
            return Ok(());
        }
        if row >= MAX_SHEET_ROWS {
            return Err(RosterFileError::TooManyRows {
                limit: MAX_DATA_ROWS,
            });
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            cells.resize_with(col + 1, String::new);
        }
        cells[col] = value;
        Ok(())
    }

    fn finish(self) -> Sheet {
        Sheet { rows: self.rows }
    }
}

/// Trims, treating ideographic and no-break spaces (and the zero-width
/// characters pasted in from web pages) as whitespace.
fn clean_cell(raw: &str) -> String {
    raw.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}'))
        .to_string()
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, RosterFileError> {
    let corrupt = |_| RosterFileError::CorruptXlsx;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let Some(name) = workbook
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
    else {
        return Err(RosterFileError::Empty);
    };
    // Streamed cell by cell so the row limit applies before a huge sheet is
    // held in memory.
    let mut cells = workbook.worksheet_cells_reader(&name).map_err(corrupt)?;
    let mut grid = GridBuilder::default();
    while let Some(cell) = cells.next_cell().map_err(corrupt)? {
        let (row, col) = cell.get_position();
        grid.put(row as usize, col as usize, &cell_text(cell.get_value()))?;
    }
    Ok(grid.finish())
}

/// Renders a cell the way a person reads it in Excel for the fields we use.
fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            format!("{year:04}-{month:02}-{day:02}")
        }
        DataRef::DateTime(duration) => number_text(duration.as_f64()),
        DataRef::Error(e) => e.to_string(),
    }
}

/// Rust's `Display` for f64 prints integral values without ".0" and never
/// switches to scientific notation, which is exactly what a phone number
/// stored as a number needs (13812345678.0 → "13812345678").
fn number_text(value: f64) -> String {
    value.to_string()
}

/// Decodes text as Chinese Excel and WPS save it: a BOM decides (UTF-8,
/// UTF-16LE/BE for "Unicode text"); without one, UTF-8 if valid, else
/// GB18030 (a superset of GBK, the "ANSI" code page of Chinese Windows).
fn decode_text(bytes: &[u8]) -> Result<String, RosterFileError> {
    let text = if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(RosterFileError::Unreadable);
        }
        text.into_owned()
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        text.to_string()
    } else {
        let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
        if had_errors {
            return Err(RosterFileError::Unreadable);
        }
        text.into_owned()
    };
    // NUL never occurs in text: this is a binary file or BOM-less UTF-16.
    if text.contains('\0') {
        return Err(RosterFileError::Unreadable);
    }
    Ok(text)
}

fn read_delimited(text: &str) -> Result<Sheet, RosterFileError> {
    // One line ending, so blank lines are exactly "\n" below (and old Mac
    // Excel's bare "\r" ends rows too).
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut grid = GridBuilder::default();
    let mut record = csv::StringRecord::new();
    let mut row = 0;
    loop {
        let start = reader.position().byte() as usize;
        // The input is a valid &str and the reader does no I/O, so this
        // cannot fail; map it anyway rather than panic.
        if !reader
            .read_record(&mut record)
            .map_err(|_| RosterFileError::Unreadable)?
        {
            break;
        }
        // The csv crate skips blank lines, but Excel shows each as a row:
        // count the ones consumed before this record to keep row numbers.
        row += text.as_bytes()[start..]
            .iter()
            .take_while(|&&b| b == b'\n')
            .count();
        for (col, field) in record.iter().enumerate() {
            grid.put(row, col, field)?;
        }
        row += 1;
    }
    Ok(grid.finish())
}

/// Picks the delimiter that appears on the most of the first records (then
/// the most often), so commas inside a tab-separated 备注 column do not
/// win. Quoted text is not counted. Full-width "，" is prose, never a
/// delimiter.
fn detect_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];
    const SAMPLE_RECORDS: usize = 20;
    // Per candidate: (records containing it, total occurrences).
    let mut scores = [(0usize, 0usize); CANDIDATES.len()];
    let mut in_record = [false; CANDIDATES.len()];
    let mut in_quotes = false;
    let mut records = 0;
    for byte in text.bytes() {
        match byte {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                in_record = [false; CANDIDATES.len()];
                records += 1;
                if records == SAMPLE_RECORDS {
                    break;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == byte) {
                    if !in_record[i] {
                        in_record[i] = true;
                        scores[i].0 += 1;
                    }
                    scores[i].1 += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if scores[i] > scores[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn rows(sheet: &Sheet) -> Vec<Vec<&str>> {
        sheet
            .rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect()
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            let pair = if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        bytes
    }

    #[test]
    fn reads_utf8_with_and_without_bom() {
        let text = "姓名,手机号\n张伟,13812345678\n";
        let expected = vec![vec!["姓名", "手机号"], vec!["张伟", "13812345678"]];
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(rows(&read_sheet("a.csv", &with_bom).unwrap()), expected);
        assert_eq!(
            rows(&read_sheet("a.csv", text.as_bytes()).unwrap()),
            expected
        );
    }

    #[test]
    fn reads_gbk_bytes() {
        let (bytes, _, unmappable) =
            encoding_rs::GBK.encode("姓名,手机号,岗位\r\n王芳,13912345678,员工\r\n");
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(
            rows(&read_sheet("名册.csv", &bytes).unwrap()),
            vec![
                vec!["姓名", "手机号", "岗位"],
                vec!["王芳", "13912345678", "员工"]
            ]
        );
    }

    #[test]
    fn reads_gb18030_only_characters() {
        // 𠮷 is outside GBK; GB18030 encodes it in four bytes.
        let (bytes, _, unmappable) = GB18030.encode("姓名,手机号\n吉𠮷,13812345678\n");
        assert!(!unmappable);
        assert_eq!(
            read_sheet("a.csv", &bytes).unwrap().rows[1][0],
            "吉𠮷".to_string()
        );
    }

    #[test]
    fn reads_utf16_unicode_text_tab_separated() {
        let text = "姓名\t手机号\t备注\r\n李娜\t13812345678\t前台, 夜班\r\n";
        let expected = vec![
            vec!["姓名", "手机号", "备注"],
            vec!["李娜", "13812345678", "前台, 夜班"],
        ];
        assert_eq!(
            rows(&read_sheet("名册.txt", &utf16(text, true)).unwrap()),
            expected
        );
        assert_eq!(
            rows(&read_sheet("名册.txt", &utf16(text, false)).unwrap()),
            expected
        );
    }

    #[test]
    fn detects_semicolon_and_ignores_full_width_comma() {
        let sheet = read_sheet(
            "a.csv",
            "姓名;手机号;备注\n刘洋;13812345678;白班，兼职\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows(&sheet)[1], vec!["刘洋", "13812345678", "白班，兼职"]);
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        let text = "姓名,手机号,备注\n\"张;伟\",13812345678,\"a;b;c;d\"\n";
        let sheet = read_sheet("a.csv", text.as_bytes()).unwrap();
        assert_eq!(rows(&sheet)[1], vec!["张;伟", "13812345678", "a;b;c;d"]);
    }

    #[test]
    fn keeps_row_numbers_across_blank_lines_and_trims_whitespace() {
        let text = "花名册\n\n姓名,手机号\n\u{3000}张伟\u{a0}, 13812345678 \n\n \t,\u{3000}\n赵敏,13912345678\n\n\n";
        let sheet = read_sheet("a.csv", text.as_bytes()).unwrap();
        assert_eq!(
            rows(&sheet),
            vec![
                vec!["花名册"],
                vec![],
                vec!["姓名", "手机号"],
                vec!["张伟", "13812345678"],
                vec![],
                vec![],
                vec!["赵敏", "13912345678"],
            ]
        );
    }

    #[test]
    fn blank_lines_count_with_any_line_ending() {
        let expected = vec![vec!["姓名"], vec![], vec!["张伟"], vec![], vec!["王芳"]];
        for text in [
            "姓名\n\n张伟\n\n王芳",
            "姓名\r\n\r\n张伟\r\n\r\n王芳\r\n",
            "姓名\r\r张伟\r\r王芳\r",
        ] {
            assert_eq!(
                rows(&read_sheet("a.csv", text.as_bytes()).unwrap()),
                expected
            );
        }
    }

    #[test]
    fn quoted_multi_line_cell_is_one_row() {
        let text = "姓名,手机号,备注\n张伟,13812345678,\"第一行\n第二行\"\n赵敏,13912345678,\n";
        let sheet = read_sheet("a.csv", text.as_bytes()).unwrap();
        assert_eq!(sheet.rows.len(), 3);
        assert_eq!(sheet.rows[1][2], "第一行\n第二行");
        assert_eq!(sheet.rows[2][0], "赵敏");
    }

    #[test]
    fn rejects_empty_and_blank_files() {
        assert_eq!(read_sheet("a.csv", b""), Err(RosterFileError::Empty));
        assert_eq!(
            read_sheet("a.csv", b"\xEF\xBB\xBF \r\n,,\r\n"),
            Err(RosterFileError::Empty)
        );
        assert_eq!(RosterFileError::Empty.to_string(), "文件是空的");
    }

    #[test]
    fn rejects_legacy_xls() {
        let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        cfb.resize(512, 0);
        let err = read_sheet("名册.xls", &cfb).unwrap_err();
        assert_eq!(err, RosterFileError::LegacyXls);
        assert_eq!(
            err.to_string(),
            "不支持 .xls 格式，请在 Excel 中另存为 .xlsx 或 CSV"
        );
        // Content decides, whatever the name says.
        assert_eq!(
            read_sheet("名册.csv", &cfb),
            Err(RosterFileError::LegacyXls)
        );
        assert_eq!(
            read_sheet("名册.xlsx", &cfb),
            Err(RosterFileError::PasswordProtected)
        );
        // An HTML table saved as .xls by some export tools.
        assert_eq!(
            read_sheet(
                "名册.xls",
                b"<html><table><tr><td>x</td></tr></table></html>"
            ),
            Err(RosterFileError::LegacyXls)
        );
    }

    #[test]
    fn rejects_binary_garbage() {
        assert_eq!(
            read_sheet("a.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(RosterFileError::Unreadable)
        );
        assert_eq!(
            read_sheet("a.csv", b"\xFF\xFF\xFF\x80"),
            Err(RosterFileError::Unreadable)
        );
    }

    #[test]
    fn rejects_corrupt_xlsx_without_library_details() {
        let err = read_sheet("a.xlsx", b"PK\x03\x04 this is not a zip").unwrap_err();
        assert_eq!(err, RosterFileError::CorruptXlsx);
        assert_eq!(err.to_string(), "无法读取该 Excel 文件，请确认文件未损坏");
    }

    #[test]
    fn refuses_files_far_over_the_row_limit() {
        let mut text = String::from("姓名,手机号\n");
        for i in 0..MAX_SHEET_ROWS {
            text.push_str(&format!("员工{i},13812345678\n"));
        }
        let err = read_sheet("a.csv", text.as_bytes()).unwrap_err();
        assert_eq!(err, RosterFileError::TooManyRows { limit: 5000 });
        assert_eq!(
            err.to_string(),
            "人员过多：每次最多导入 5000 人，请分批上传"
        );
    }

    #[test]
    fn reads_xlsx_numbers_dates_and_merged_cells() {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("yyyy/m/d");
        let sheet = workbook.add_worksheet();
        sheet
            .merge_range(0, 0, 0, 3, "嘉峰宾馆员工花名册", &bold)
            .unwrap();
        for (col, title) in ["姓名", "手机号", "入职日期", "备注"].iter().enumerate() {
            sheet.write_string(2, col as u16, *title).unwrap();
        }
        sheet.write_string(3, 0, " 张伟 ").unwrap();
        sheet.write_number(3, 1, 13812345678.0).unwrap();
        sheet
            .write_datetime_with_format(3, 2, ExcelDateTime::from_ymd(2024, 3, 1).unwrap(), &date)
            .unwrap();
        sheet.write_boolean(3, 3, true).unwrap();
        sheet.write_number(4, 1, 19912345678.0).unwrap();
        sheet.write_number(4, 3, 2.5).unwrap();
        sheet.write_number(4, 4, 123456789012345678.0).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();

        let sheet = read_sheet("名册.xlsx", &bytes).unwrap();
        assert_eq!(
            rows(&sheet),
            vec![
                vec!["嘉峰宾馆员工花名册"],
                vec![],
                vec!["姓名", "手机号", "入职日期", "备注"],
                vec!["张伟", "13812345678", "2024-03-01", "TRUE"],
                vec!["", "19912345678", "", "2.5", "123456789012345680"],
            ]
        );
    }

    #[test]
    fn reads_first_visible_worksheet() {
        let mut workbook = Workbook::new();
        workbook
            .add_worksheet()
            .set_name("下拉选项")
            .unwrap()
            .write_string(0, 0, "员工")
            .unwrap()
            .set_hidden(true);
        workbook.add_worksheet().write_string(0, 0, "姓名").unwrap();
        workbook.worksheet_from_index(1).unwrap().set_active(true);
        let bytes = workbook.save_to_buffer().unwrap();
        assert_eq!(
            rows(&read_sheet("a.xlsx", &bytes).unwrap()),
            vec![vec!["姓名"]]
        );
    }

    #[test]
    fn numbers_never_use_scientific_notation() {
        assert_eq!(number_text(13812345678.0), "13812345678");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(0.5), "0.5");
    }
}
