//! Coverage reports as files: `.csv` (UTF-8 with a BOM, so Excel in Chinese
//! Windows opens it right) and `.xlsx`, from the same `CoverageReport` the
//! dashboard and the print page show.

use app::model::{Cell, CoverageReport, CoverageRow};
use app::routes::admin::coverage::COLUMNS;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

fn percent(cell: &Cell) -> String {
    cell.percent_text()
}

fn headline_rows(r: &CoverageReport) -> Vec<Vec<String>> {
    r.headlines
        .iter()
        .map(|f| {
            vec![
                f.label.clone(),
                percent(&f.cell),
                f.cell.num.to_string(),
                f.cell.den.to_string(),
                f.target_percent
                    .map(|t| format!("{t:.1}%"))
                    .unwrap_or_default(),
                f.due.clone().unwrap_or_default(),
                f.gap.to_string(),
                match f.on_track {
                    Some(true) => "正常".to_string(),
                    Some(false) => "落后".to_string(),
                    None => "—".to_string(),
                },
            ]
        })
        .collect()
}

const HEADLINE_HEAD: [&str; 8] = [
    "指标",
    "比率",
    "达标",
    "应计",
    "目标",
    "目标期限",
    "差距",
    "进度",
];

fn table_head(first: &str) -> Vec<String> {
    let mut head = vec![first.to_string()];
    for c in COLUMNS {
        head.push(c.to_string());
        head.push(format!("{c}（达标/应计）"));
    }
    head
}

fn table_rows(rows: &[CoverageRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            let mut line = vec![r.name.clone()];
            for c in &r.cells {
                line.push(percent(c));
                line.push(format!("{}/{}", c.num, c.den));
            }
            line
        })
        .collect()
}

fn month_rows(r: &CoverageReport) -> Vec<CoverageRow> {
    r.monthly
        .iter()
        .map(|m| CoverageRow {
            name: m.month.clone(),
            link: None,
            cells: m.cells.clone(),
        })
        .collect()
}

/// A sheet (or CSV block): its name, header and rows.
type Section = (&'static str, Vec<String>, Vec<Vec<String>>);

fn sections(r: &CoverageReport) -> Vec<Section> {
    vec![
        (
            "总体情况",
            HEADLINE_HEAD.iter().map(|s| s.to_string()).collect(),
            headline_rows(r),
        ),
        ("按村", table_head("村（社区）"), table_rows(&r.by_region)),
        ("按行业", table_head("行业"), table_rows(&r.by_industry)),
        ("按单位", table_head("单位"), table_rows(&r.by_unit)),
        ("逐月", table_head("月份"), table_rows(&month_rows(r))),
    ]
}

/// A CSV cell that a spreadsheet shows and never runs: text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (a unit named
/// `=HYPERLINK(…)`) would be read as a formula, so it gets a leading
/// apostrophe. Plain numbers such as a negative gap stay numbers. (The
/// `.xlsx` files need nothing: their cells are written as strings.)
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    let number = cell.strip_prefix(['-', '+']).is_some_and(|digits| {
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

pub fn csv(r: &CoverageReport, title: &str) -> Vec<u8> {
    fn write(out: &mut Vec<u8>, rows: &[Vec<String>]) {
        let mut w = ::csv::WriterBuilder::new().flexible(true).from_writer(out);
        for row in rows {
            // Writing into a Vec cannot fail.
            let _ = w.write_record(row.iter().map(|cell| inert(cell).into_owned()));
        }
        let _ = w.flush();
    }
    let mut out = "\u{feff}".as_bytes().to_vec();
    write(
        &mut out,
        &[
            vec![title.to_string()],
            vec![format!("统计截至 {}", r.as_of)],
        ],
    );
    for (name, head, rows) in sections(r) {
        // A blank line between sections.
        out.push(b'\n');
        let mut block = vec![vec![name.to_string()], head];
        block.extend(rows);
        write(&mut out, &block);
    }
    out
}

pub fn xlsx(r: &CoverageReport, title: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, head, rows) in sections(r) {
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        sheet.write_string_with_format(0, 0, title, &bold)?;
        sheet.write_string(1, 0, format!("统计截至 {}", r.as_of))?;
        for (c, h) in head.iter().enumerate() {
            sheet.write_string_with_format(3, c as u16, h, &bold)?;
        }
        for (i, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet.write_string(4 + i as u32, c as u16, value)?;
            }
        }
        sheet.set_column_width(0, 22)?;
        sheet.set_freeze_panes(4, 1)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_in_csv_cells_are_shown_not_run() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"点我\")",
            "+1+1",
            "-1+cmd|' /C calc'!A0",
            "@SUM(A1:A9)",
            "\t=1",
            "-",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"));
        }
        for plain in ["嘉峰宾馆", "85.0%", "-3", "+2", "12/40", "", "—"] {
            assert_eq!(inert(plain), plain);
        }
    }
}
