//! Prints diagnostics the way compilers do: the message, the file position,
//! the offending source line with a caret, and the help.
//!
//! Written by hand because it is twenty lines; a diagnostics crate would
//! bring more than it saves here.

use std::fmt::Write;

use rampart_model::{Diagnostic, Severity};

pub fn render(path: &str, source: &str, diagnostic: &Diagnostic) -> String {
    let mut out = String::new();
    let label = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{label}: {}", diagnostic.message);
    let at = diagnostic.at;
    if at.is_known() {
        let _ = writeln!(out, "  --> {path}:{}:{}", at.line, at.column);
        if let Some(line) = source.lines().nth(at.line as usize - 1) {
            let number = at.line.to_string();
            let gutter = " ".repeat(number.len());
            let shown: String = line.chars().take(200).collect();
            let caret_offset = (at.column as usize).saturating_sub(1).min(shown.chars().count());
            let _ = writeln!(out, "{gutter} |\n{number} | {shown}\n{gutter} | {}^", " ".repeat(caret_offset));
        }
    } else {
        let _ = writeln!(out, "  --> {path}");
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}
