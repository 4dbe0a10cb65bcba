//! CSV (RFC 4180): comma-separated, CRLF line endings, a field quoted when it
//! holds a comma, a quote or a line break, quotes doubled inside.
//!
//! These files are opened in spreadsheets, which run a cell that starts with
//! `=`, `+`, `-` or `@` as a formula (CSV injection): such text cells, and
//! those starting with a tab or carriage return, are prefixed with `'` so they
//! show as text. Numbers are written as numbers.

use std::io::{self, Write};

use rampart_engine::Analysis;
use rampart_kb::KnowledgeBase;

use super::{Cell, Table};

/// Text a spreadsheet shows as typed: a leading `'` disarms formula triggers.
pub fn guard_formula(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// One field, quoted if RFC 4180 requires it.
pub fn quote(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

fn write_record<'a>(
    out: &mut dyn Write,
    fields: impl IntoIterator<Item = std::borrow::Cow<'a, str>>,
) -> io::Result<()> {
    let mut line = String::new();
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        line.push_str(&quote(&field));
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

fn write_cells(out: &mut dyn Write, cells: &[Cell]) -> io::Result<()> {
    write_record(
        out,
        cells.iter().map(|cell| match cell {
            Cell::Text(text) => guard_formula(text).into_owned().into(),
            Cell::Number(number) => number.to_string().into(),
        }),
    )
}

/// Writes `table` as CSV with a header row.
pub fn render(table: Table, analysis: &Analysis, kb: &KnowledgeBase, out: &mut dyn Write) -> io::Result<()> {
    match table {
        Table::Threats => {
            write_record(out, super::THREAT_COLUMNS.iter().map(|&c| c.into()))?;
            // Row by row: a large analysis is never held as text whole.
            for threat in &analysis.threats {
                write_cells(out, &super::threat_row(threat))?;
            }
        }
        Table::Countermeasures => {
            write_record(out, super::COUNTERMEASURE_COLUMNS.iter().map(|&c| c.into()))?;
            for row in super::countermeasure_rows(analysis, kb) {
                write_cells(out, &row)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[Cell]) -> String {
        let mut out = Vec::new();
        write_cells(&mut out, cells).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_only_what_rfc_4180_requires() {
        assert_eq!(quote("plain text"), "plain text");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote("cr\rhere"), "\"cr\rhere\"");
        assert_eq!(quote(""), "");
    }

    #[test]
    fn records_end_with_crlf_and_keep_numbers_plain() {
        let cells = [Cell::Text("web → db".into()), Cell::Number(2.5), Cell::Number(4.0), Cell::Text("x, y".into())];
        assert_eq!(record(&cells), "web → db,2.5,4,\"x, y\"\r\n");
    }

    #[test]
    fn formula_triggers_are_disarmed() {
        for (given, expected) in [
            ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tindent", "'\tindent"),
            ("safe = text", "safe = text"),
            ("", ""),
        ] {
            assert_eq!(guard_formula(given), expected);
        }
        // Guarded first, then quoted: the quote and comma still round-trip.
        assert_eq!(record(&[Cell::Text("=1,\"2\"".into())]), "\"'=1,\"\"2\"\"\"\r\n");
        // Numbers are not text and are never prefixed.
        assert_eq!(record(&[Cell::Number(-1.0)]), "-1\r\n");
    }
}
