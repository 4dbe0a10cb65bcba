//! An Excel workbook (rust_xlsxwriter): sheets Summary, Threats and
//! Countermeasures. Text goes in as string cells, never as formulas, so the
//! CSV formula guard is not needed here.

use std::io::{self, Write};

use rampart_engine::{Analysis, SeverityCounts};
use rampart_kb::KnowledgeBase;
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};

use super::{Cell, Table};

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        text.to_string()
    } else {
        let mut clipped: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
        clipped.push('…');
        clipped
    }
}

fn severity_format(label: &str) -> Option<Format> {
    let (background, font) = match label {
        "critical" => (0x9C0006, 0xFFFFFF),
        "high" => (0xF4B084, 0x000000),
        "medium" => (0xFFEB9C, 0x000000),
        "low" => (0xC6EFCE, 0x000000),
        _ => return None,
    };
    Some(Format::new().set_background_color(Color::RGB(background)).set_font_color(Color::RGB(font)))
}

fn write_table(
    sheet: &mut Worksheet,
    header: &[&str],
    rows: &[Vec<Cell>],
    coloured: &[usize],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (column, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *name, &bold)?;
    }
    let mut widths: Vec<usize> = header.iter().map(|name| name.len()).collect();
    for (index, row) in rows.iter().enumerate() {
        let line = index as u32 + 1;
        for (column, cell) in row.iter().enumerate() {
            let col = column as u16;
            match cell {
                Cell::Number(number) => {
                    sheet.write_number(line, col, *number)?;
                    widths[column] = widths[column].max(6);
                }
                Cell::Text(text) => {
                    let format = if coloured.contains(&column) { severity_format(text) } else { None };
                    match format {
                        Some(format) => sheet.write_string_with_format(line, col, clip(text), &format)?,
                        None => sheet.write_string(line, col, clip(text))?,
                    };
                    widths[column] = widths[column].max(text.chars().count());
                }
            }
        }
    }
    for (column, width) in widths.into_iter().enumerate() {
        sheet.set_column_width(column as u16, (width + 2).min(60) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, header.len().saturating_sub(1) as u16)?;
    Ok(())
}

fn write_summary(sheet: &mut Worksheet, analysis: &Analysis) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let summary = &analysis.summary;
    sheet.write_string_with_format(0, 0, "Model", &bold)?;
    sheet.write_string(0, 1, clip(analysis.model.name))?;
    sheet.write_string_with_format(1, 0, "Threats", &bold)?;
    sheet.write_number(1, 1, summary.threats as f64)?;

    let header = ["severity", "unresolved (current)", "all (inherent)", "all (current)"];
    for (column, name) in header.iter().enumerate() {
        sheet.write_string_with_format(3, column as u16, *name, &bold)?;
    }
    let count = |counts: &SeverityCounts, label: &str| match label {
        "critical" => counts.critical,
        "high" => counts.high,
        "medium" => counts.medium,
        _ => counts.low,
    } as f64;
    for (offset, label) in ["critical", "high", "medium", "low"].into_iter().enumerate() {
        let row = 4 + offset as u32;
        match severity_format(label) {
            Some(format) => sheet.write_string_with_format(row, 0, label, &format)?,
            None => sheet.write_string(row, 0, label)?,
        };
        sheet.write_number(row, 1, count(&summary.unresolved, label))?;
        sheet.write_number(row, 2, count(&summary.inherent, label))?;
        sheet.write_number(row, 3, count(&summary.current, label))?;
    }

    sheet.write_string_with_format(9, 0, "status", &bold)?;
    sheet.write_string_with_format(9, 1, "threats", &bold)?;
    for (offset, (status, count)) in summary.by_status.iter().enumerate() {
        let row = 10 + offset as u32;
        sheet.write_string(row, 0, status)?;
        sheet.write_number(row, 1, *count as f64)?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 16)?;
    sheet.set_column_width(3, 16)?;
    Ok(())
}

fn workbook(analysis: &Analysis, kb: &KnowledgeBase) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    write_summary(workbook.add_worksheet().set_name("Summary")?, analysis)?;
    let (header, rows) = super::table(Table::Threats, analysis, kb);
    write_table(workbook.add_worksheet().set_name("Threats")?, header, &rows, &super::SEVERITY_COLUMNS)?;
    let (header, rows) = super::table(Table::Countermeasures, analysis, kb);
    write_table(workbook.add_worksheet().set_name("Countermeasures")?, header, &rows, &[])?;
    workbook.save_to_buffer()
}

/// Writes the workbook. It is assembled in memory first: XLSX is a zip
/// archive, which cannot be streamed to a pipe.
pub fn render(analysis: &Analysis, kb: &KnowledgeBase, out: &mut dyn Write) -> io::Result<()> {
    let bytes = workbook(analysis, kb).map_err(io::Error::other)?;
    out.write_all(&bytes)
}
