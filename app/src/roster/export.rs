//! Writes a unit's roster as an .xlsx that admins can edit and upload again.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::domain::Post;

pub struct ExportRow {
    pub name: String,
    pub phone: String,
    pub post: Post,
    /// "YYYY-MM-DD".
    pub start_date: String,
    /// "YYYY-MM-DD" for people who have left.
    pub end_date: Option<String>,
}

/// Header texts and column widths (in Excel character units; a Chinese
/// character counts about two).
const COLUMNS: [(&str, f64); 5] = [
    ("姓名", 12.0),
    ("手机号", 16.0),
    ("岗位", 20.0),
    ("入职日期", 13.0),
    ("离职日期", 13.0),
];
const TITLE_ROW: u32 = 0;
const HEADER_ROW: u32 = 1;

/// One sheet "名册": a title row with the unit's name, then the header
/// (bold, frozen with the title) and one row per person. The import reads it
/// back unchanged: its header search skips the title row.
pub fn write_roster_xlsx(unit_name: &str, rows: &[ExportRow]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let bold = Format::new().set_bold();
    // Text format: phones typed into new rows stay text too, so Excel never
    // turns them into numbers or scientific notation.
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    let sheet = workbook.add_worksheet();
    sheet.set_name("名册")?;
    sheet.merge_range(
        TITLE_ROW,
        0,
        TITLE_ROW,
        COLUMNS.len() as u16 - 1,
        &format!("{unit_name}人员名册"),
        &title,
    )?;
    for (col, (header, width)) in (0u16..).zip(COLUMNS) {
        sheet.set_column_width(col, width)?;
        sheet.write_string_with_format(HEADER_ROW, col, header, &bold)?;
    }
    sheet.set_column_format(1, &text)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;

    for (row, person) in (HEADER_ROW + 1..).zip(rows) {
        sheet.write_string(row, 0, &person.name)?;
        sheet.write_string_with_format(row, 1, &person.phone, &text)?;
        sheet.write_string(row, 2, person.post.label())?;
        write_date(sheet, row, 3, &person.start_date, &date)?;
        if let Some(end_date) = &person.end_date {
            write_date(sheet, row, 4, end_date, &date)?;
        }
    }
    workbook.save_to_buffer()
}

/// A real Excel date (so admins can sort and filter), or the text as given
/// if it is not a "YYYY-MM-DD" date.
fn write_date(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    value: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    match ExcelDateTime::parse_from_str(value) {
        Ok(date) => sheet.write_datetime_with_format(row, col, date, format)?,
        Err(_) => sheet.write_string(row, col, value)?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{parse_roster, read_sheet};

    fn person(name: &str, phone: &str, post: Post, start: &str, end: Option<&str>) -> ExportRow {
        ExportRow {
            name: name.into(),
            phone: phone.into(),
            post,
            start_date: start.into(),
            end_date: end.map(Into::into),
        }
    }

    #[test]
    fn round_trips_through_the_importer() {
        let people = vec![
            person(
                "张伟",
                "13812345678",
                Post::SafetyPrincipal,
                "2021-01-04",
                None,
            ),
            person(
                "王芳",
                "13912345678",
                Post::ControlRoomOperator,
                "2024-03-01",
                Some("2025-06-30"),
            ),
            person(
                "欧阳娜娜",
                "19912345678",
                Post::Employee,
                "2024-12-31",
                None,
            ),
            person(
                "李娜",
                "15012345678",
                Post::FireStationMember,
                "2023-07-15",
                None,
            ),
            person(
                "赵敏",
                "18612345678",
                Post::SafetyManager,
                "2022-02-28",
                None,
            ),
        ];
        let bytes = write_roster_xlsx("嘉峰宾馆", &people).unwrap();
        let sheet = read_sheet("名册.xlsx", &bytes).unwrap();
        assert_eq!(sheet.rows[0][0], "嘉峰宾馆人员名册");
        assert_eq!(sheet.rows[3][4], "2025-06-30");

        let roster = parse_roster(&sheet).unwrap();
        assert!(roster.is_importable());
        assert_eq!(roster.header_row, 2);
        assert_eq!(roster.ignored_columns, vec!["离职日期"]);
        assert_eq!(roster.rows.len(), people.len());
        for (row, person) in roster.rows.iter().zip(&people) {
            assert_eq!(row.name, person.name);
            assert_eq!(row.phone_raw, person.phone);
            assert_eq!(row.phone.as_ref().unwrap().as_str(), person.phone);
            assert_eq!(row.post, Some(person.post));
            assert_eq!(row.start_date.as_deref(), Some(person.start_date.as_str()));
        }
    }

    #[test]
    fn empty_roster_still_has_a_header() {
        let bytes = write_roster_xlsx("嘉峰宾馆", &[]).unwrap();
        let roster = parse_roster(&read_sheet("名册.xlsx", &bytes).unwrap()).unwrap();
        assert!(roster.rows.is_empty());
        assert_eq!(roster.header_row, 2);
    }

    #[test]
    fn odd_dates_are_kept_as_text() {
        let people = [person("张伟", "13812345678", Post::Employee, "不详", None)];
        let bytes = write_roster_xlsx("嘉峰宾馆", &people).unwrap();
        assert_eq!(read_sheet("名册.xlsx", &bytes).unwrap().rows[2][3], "不详");
    }
}
