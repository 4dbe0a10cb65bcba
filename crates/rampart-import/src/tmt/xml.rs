//! A small element tree read from a `.tm7` file with quick-xml's streaming
//! reader, keeping each element's byte offset so that errors and warnings can
//! point at a line and column.
//!
//! The Threat Modeling Tool writes WCF DataContractSerializer XML, whose
//! namespace prefixes (`a:`, `b:`, `i:`) change from file to file for the same
//! element. Names are therefore kept without their prefix. The embedded
//! knowledge base (the threat generation template) is most of a file's bytes
//! and is skipped while reading, never built into the tree.

use std::borrow::Cow;

use quick_xml::encoding::Decoder;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::reader::Reader;
use rampart_model::{Diagnostic, Position};

/// Deeper nesting than this is not a Threat Modeling Tool file; refusing it
/// keeps a hostile input from exhausting the stack when the tree is dropped.
const MAX_DEPTH: usize = 200;

/// The top-level element that holds the embedded template.
pub(super) const KNOWLEDGE_BASE: &str = "KnowledgeBase";

/// One XML element.
#[derive(Debug, Default)]
pub(super) struct Element {
    /// Local name, without namespace prefix.
    pub name: String,
    /// Attributes by local name (`type` for `i:type`, `nil` for `i:nil`).
    pub attributes: Vec<(String, String)>,
    /// The text directly inside the element, entities resolved.
    pub text: String,
    pub children: Vec<Element>,
    /// Byte offset of the element's `<` in the source text.
    pub offset: usize,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    /// The children called `name`.
    pub fn children_named<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children.iter().filter(move |child| child.name == name)
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// Whether the element is written as `i:nil="true"`: the serializer's null.
    pub fn is_nil(&self) -> bool {
        self.attribute("nil") == Some("true")
    }

    /// The trimmed text of the child called `name`, if it has any.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).filter(|child| !child.is_nil()).map(|child| child.text.trim()).filter(|text| !text.is_empty())
    }
}

/// A parsed file: the root element, and where the skipped knowledge base was.
#[derive(Debug)]
pub(super) struct Document {
    pub root: Element,
    pub knowledge_base: Option<usize>,
}

/// Turns byte offsets into 1-based line and column (in characters).
#[derive(Debug)]
pub(super) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        Lines { text, starts }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = match self.text.get(start..offset) {
            Some(prefix) => prefix.chars().count(),
            None => offset - start,
        };
        Position::new(u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column + 1).unwrap_or(u32::MAX))
    }
}

/// Reads `text` into an element tree, skipping the knowledge base.
pub(super) fn parse(text: &str, lines: &Lines<'_>) -> Result<Document, Diagnostic> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut knowledge_base = None;
    let fail = |offset: u64, message: String| Diagnostic::error(lines.position(offset as usize), message);
    loop {
        let offset = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|error| fail(reader.error_position(), format!("not well-formed XML: {error}")))?;
        match event {
            Event::Start(start) => {
                if stack.len() == 1 && local_name(&start) == KNOWLEDGE_BASE {
                    let name = start.name().as_ref().to_vec();
                    reader.read_to_end(QName(&name)).map_err(|error| {
                        fail(reader.error_position(), format!("not well-formed XML in <{KNOWLEDGE_BASE}>: {error}"))
                    })?;
                    knowledge_base = Some(offset as usize);
                    continue;
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(offset, format!("elements are nested deeper than {MAX_DEPTH} levels")));
                }
                stack.push(element(&start, offset, lines, reader.decoder())?);
            }
            Event::Empty(start) => {
                let element = element(&start, offset, lines, reader.decoder())?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => set_root(&mut root, element, lines)?,
                }
            }
            Event::End(_) => {
                // `check_end_names` makes the reader reject an unmatched end tag.
                if let Some(done) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => set_root(&mut root, done, lines)?,
                    }
                }
            }
            Event::Text(content) => {
                let decoded = content.decode().map_err(|error| fail(offset, format!("text is not UTF-8: {error}")))?;
                append_text(&mut stack, &decoded, offset, lines)?;
            }
            Event::CData(content) => {
                let decoded = content.decode().map_err(|error| fail(offset, format!("text is not UTF-8: {error}")))?;
                append_text(&mut stack, &decoded, offset, lines)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    reference.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    reference.decode().ok().and_then(|name| resolve_xml_entity(&name)).map(str::to_string)
                };
                let Some(resolved) = resolved else {
                    let written = String::from_utf8_lossy(&reference);
                    return Err(fail(offset, format!("unknown entity reference `&{written};`")));
                };
                append_text(&mut stack, &resolved, offset, lines)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Diagnostic::error(
            lines.position(open.offset),
            format!("element <{}> is not closed before the end of the file", open.name),
        ));
    }
    match root {
        Some(root) => Ok(Document { root, knowledge_base }),
        None => Err(Diagnostic::error(
            Position::new(1, 1),
            "expected a Threat Modeling Tool model (XML with a <ThreatModel> element), found no XML element",
        )),
    }
}

fn set_root(root: &mut Option<Element>, element: Element, lines: &Lines<'_>) -> Result<(), Diagnostic> {
    if root.is_some() {
        return Err(Diagnostic::error(
            lines.position(element.offset),
            format!("a second top-level element <{}> after the end of the document", element.name),
        ));
    }
    *root = Some(element);
    Ok(())
}

fn append_text(stack: &mut [Element], text: &str, offset: u64, lines: &Lines<'_>) -> Result<(), Diagnostic> {
    match stack.last_mut() {
        Some(current) => {
            current.text.push_str(text);
            Ok(())
        }
        None if text.trim_start_matches('\u{feff}').trim().is_empty() => Ok(()),
        None => Err(Diagnostic::error(
            lines.position(offset as usize),
            "expected a Threat Modeling Tool model (XML starting with <ThreatModel>), found text outside any element",
        )),
    }
}

fn local_name<'a>(start: &'a BytesStart<'_>) -> Cow<'a, str> {
    String::from_utf8_lossy(start.local_name().into_inner())
}

/// `decoder` rather than `unescape_value`: that method exists only while no
/// crate in the build turns on quick-xml's `encoding` feature.
fn element(start: &BytesStart<'_>, offset: u64, lines: &Lines<'_>, decoder: Decoder) -> Result<Element, Diagnostic> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| {
            Diagnostic::error(lines.position(offset as usize), format!("malformed attribute: {error}"))
        })?;
        let key = String::from_utf8_lossy(attribute.key.local_name().into_inner()).into_owned();
        let value = attribute.decode_and_unescape_value(decoder).map_err(|error| {
            Diagnostic::error(lines.position(offset as usize), format!("malformed attribute `{key}`: {error}"))
        })?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element {
        name: local_name(start).into_owned(),
        attributes,
        text: String::new(),
        children: Vec::new(),
        offset: offset as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let lines = Lines::new("ab\ncdé\nf");
        assert_eq!(lines.position(0), Position::new(1, 1));
        assert_eq!(lines.position(3), Position::new(2, 1));
        assert_eq!(lines.position(7), Position::new(2, 4));
        assert_eq!(lines.position(8), Position::new(3, 1));
        assert_eq!(lines.position(100), Position::new(3, 2));
    }

    #[test]
    fn prefixes_are_dropped_entities_resolved_and_the_knowledge_base_skipped() {
        let text = "<ThreatModel xmlns:a=\"x\"><a:Key i:nil=\"true\">A &amp; B&#33;</a:Key>\n<KnowledgeBase><Big/></KnowledgeBase></ThreatModel>";
        let lines = Lines::new(text);
        let document = parse(text, &lines).unwrap_or_else(|error| panic!("{error}"));
        let key = document.root.child("Key").map(|key| (key.text.as_str(), key.is_nil()));
        assert_eq!(key, Some(("A & B!", true)));
        assert!(document.root.child(KNOWLEDGE_BASE).is_none());
        assert_eq!(document.knowledge_base.map(|offset| lines.position(offset)), Some(Position::new(2, 1)));
    }

    #[test]
    fn mismatched_tags_are_reported_where_they_are() {
        let text = "<ThreatModel>\n  <A></B>\n</ThreatModel>";
        let error = parse(text, &Lines::new(text)).err().map(|error| (error.at.line, error.message));
        assert!(matches!(&error, Some((2, message)) if message.contains("not well-formed")), "{error:?}");
    }
}
