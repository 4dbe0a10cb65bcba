//! The JSON output: the analysis as the engine produced it, with a format
//! version so consumers can detect changes. Documented in docs/json-output.md.

use std::io::{self, Write};

use std::collections::{BTreeMap, BTreeSet};

use rampart_engine::Analysis;
use rampart_kb::KnowledgeBase;
use rayon::prelude::*;
use serde::Serialize;

use self::erased::Pretty as _;

use crate::Origin;

/// Version of the JSON output's shape; bumped on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
    model_file: &'a str,
}

/// Threats serialized per parallel task; large enough to amortise the task,
/// small enough to keep both cores busy to the end.
const THREATS_PER_CHUNK: usize = 1024;
/// Chunks serialized before they are written out.
const CHUNKS_PER_WINDOW: usize = 4;

/// Writes the document exactly as `serde_json::to_writer_pretty` would, but
/// serializes the threats — nearly all of the bytes — on every core: each
/// chunk is pretty-printed on its own and indented to its place in the array.
/// What the library says about each rule that raised a threat: written once
/// here instead of on every threat (a large model raises the same rule
/// thousands of times).
#[derive(Serialize)]
pub struct RuleInfo<'k> {
    pub title: &'k str,
    pub description: &'k str,
    pub stride: &'k [rampart_kb::Stride],
    pub cwe: &'k [u32],
    pub capec: &'k [u32],
    pub attack: &'k [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub owasp_llm: &'k [String],
    pub likelihood: u8,
    pub impact: u8,
    pub references: &'k [String],
    pub countermeasures: Vec<CountermeasureInfo<'k>>,
}

#[derive(Serialize)]
pub struct CountermeasureInfo<'k> {
    pub id: &'k str,
    pub name: &'k str,
    pub description: &'k str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guidance: Option<&'k str>,
    pub nist_800_53: &'k [String],
    pub asvs: &'k [String],
    pub iso_27001: &'k [String],
    pub pci_dss: &'k [String],
}

/// The `rules` section: every rule that raised a threat, by id.
pub fn fired_rules<'k>(analysis: &Analysis, kb: &'k KnowledgeBase) -> BTreeMap<&'k str, RuleInfo<'k>> {
    let fired: BTreeSet<usize> = analysis.threats.iter().map(|threat| threat.rule_index).collect();
    fired
        .into_iter()
        .map(|index| {
            let rule = &kb.threats[index];
            let countermeasures = rule
                .countermeasures
                .iter()
                .map(|&c| {
                    let c = &kb.countermeasures[c];
                    CountermeasureInfo {
                        id: &c.id,
                        name: &c.name,
                        description: &c.description,
                        guidance: c.guidance.as_deref(),
                        nist_800_53: &c.nist_800_53,
                        asvs: &c.asvs,
                        iso_27001: &c.iso_27001,
                        pci_dss: &c.pci_dss,
                    }
                })
                .collect();
            let info = RuleInfo {
                title: &rule.title,
                description: &rule.description,
                stride: &rule.stride,
                cwe: &rule.cwe,
                capec: &rule.capec,
                attack: &rule.attack,
                owasp_llm: &rule.owasp_llm,
                likelihood: rule.likelihood,
                impact: rule.impact,
                references: &rule.references,
                countermeasures,
            };
            (rule.id.as_str(), info)
        })
        .collect()
}

pub fn render(analysis: &Analysis, kb: &KnowledgeBase, origin: &Origin, out: &mut dyn Write) -> io::Result<()> {
    let tool = Tool { name: "rampart", version: &origin.tool_version, model_file: &origin.model_path };
    let field = |out: &mut dyn Write, name: &str, value: &dyn erased::Pretty| -> io::Result<()> {
        write!(out, "  {}: ", serde_json::to_string(name).map_err(io::Error::other)?)?;
        out.write_all(&value.pretty_indented(1)?)?;
        out.write_all(b",\n")
    };
    out.write_all(b"{\n")?;
    field(out, "rampart_json", &JSON_FORMAT_VERSION)?;
    field(out, "tool", &tool)?;
    field(out, "model", &analysis.model)?;
    field(out, "summary", &analysis.summary)?;
    if analysis.threats.is_empty() {
        out.write_all(b"  \"threats\": [],\n")?;
    } else {
        out.write_all(b"  \"threats\": [")?;
        // A window of chunks at a time, so memory stays bounded whatever the
        // size of the analysis. Separators go before each element, so the
        // last one needs no special case.
        let window_size = THREATS_PER_CHUNK * CHUNKS_PER_WINDOW;
        // The same buffers serve every window: memory is touched once, not
        // once per window (fresh pages are costly, and buffers freed on another
        // thread than the one that filled them are slow to be reused).
        let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); CHUNKS_PER_WINDOW];
        for (window_index, window) in analysis.threats.chunks(window_size).enumerate() {
            let filled: io::Result<()> =
                buffers.par_iter_mut().zip(window.par_chunks(THREATS_PER_CHUNK)).enumerate().try_for_each(
                    |(chunk_index, (buffer, chunk))| {
                        buffer.clear();
                        let first = window_index * window_size + chunk_index * THREATS_PER_CHUNK;
                        for (offset, threat) in chunk.iter().enumerate() {
                            buffer.extend_from_slice(if first + offset == 0 { b"\n    " } else { b",\n    " });
                            threat.write_pretty_indented(buffer, 2)?;
                        }
                        Ok(())
                    },
                );
            filled?;
            let used = window.len().div_ceil(THREATS_PER_CHUNK);
            for buffer in &buffers[..used] {
                out.write_all(buffer)?;
            }
        }
        out.write_all(b"\n  ],\n")?;
    }
    write!(out, "  \"rules\": ")?;
    out.write_all(&fired_rules(analysis, kb).pretty_indented(1)?)?;
    out.write_all(b",\n")?;
    write!(out, "  \"warnings\": ")?;
    out.write_all(&analysis.warnings.pretty_indented(1)?)?;
    out.write_all(b"\n}\n")
}

mod erased {
    use std::io::{self, Write};

    use serde::Serialize;
    use serde_json::ser::Formatter;

    /// serde_json's pretty layout (two-space indent), starting `depth` levels
    /// deep, so a value serialized alone lines up with its place in the whole
    /// document. serde_json's own `PrettyFormatter` always starts at the left
    /// margin, hence this small copy of its rules.
    struct Indented {
        depth: usize,
        has_value: bool,
    }

    impl Indented {
        fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
            for _ in 0..self.depth {
                writer.write_all(b"  ")?;
            }
            Ok(())
        }
    }

    impl Formatter for Indented {
        fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
            self.depth += 1;
            self.has_value = false;
            writer.write_all(b"[")
        }

        fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
            self.depth -= 1;
            if self.has_value {
                writer.write_all(b"\n")?;
                self.indent(writer)?;
            }
            writer.write_all(b"]")
        }

        fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
            writer.write_all(if first { b"\n" } else { b",\n" })?;
            self.indent(writer)
        }

        fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
            self.has_value = true;
            Ok(())
        }

        fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
            self.depth += 1;
            self.has_value = false;
            writer.write_all(b"{")
        }

        fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
            self.depth -= 1;
            if self.has_value {
                writer.write_all(b"\n")?;
                self.indent(writer)?;
            }
            writer.write_all(b"}")
        }

        fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
            writer.write_all(if first { b"\n" } else { b",\n" })?;
            self.indent(writer)
        }

        fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
            writer.write_all(b": ")
        }

        fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
            self.has_value = true;
            Ok(())
        }
    }

    /// Pretty JSON of a value placed at `depth` levels of nesting.
    pub trait Pretty {
        fn pretty_indented(&self, depth: usize) -> io::Result<Vec<u8>> {
            let mut buffer = Vec::new();
            self.write_pretty_indented(&mut buffer, depth)?;
            Ok(buffer)
        }

        fn write_pretty_indented(&self, buffer: &mut Vec<u8>, depth: usize) -> io::Result<()>;
    }

    impl<T: Serialize + ?Sized> Pretty for T {
        fn write_pretty_indented(&self, buffer: &mut Vec<u8>, depth: usize) -> io::Result<()> {
            let formatter = Indented { depth, has_value: false };
            let mut serializer = serde_json::Serializer::with_formatter(buffer, formatter);
            self.serialize(&mut serializer).map_err(io::Error::other)
        }
    }
}

#[cfg(test)]
mod tests {
    /// The chunked writer produces exactly what serde_json would for the
    /// whole document (checked on a real analysis in the CLI tests too).
    #[test]
    fn indentation_matches_serde_pretty() {
        use super::erased::Pretty;
        let value = serde_json::json!({"a": [1, {"b": "x\ny"}], "c": {}});
        let whole = serde_json::to_string_pretty(&serde_json::json!({"k": value})).unwrap();
        let piece = String::from_utf8(value.pretty_indented(1).unwrap()).unwrap();
        assert_eq!(whole, format!("{{\n  \"k\": {piece}\n}}"));
    }
}
