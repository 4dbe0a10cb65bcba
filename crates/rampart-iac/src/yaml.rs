//! YAML documents as trees that remember where each node was written.
//!
//! Built from the event stream of `saphyr-parser` rather than a ready-made
//! document type, for three reasons: every node keeps its line and column
//! (mapping keys too, so a compose service points at its `web:` line); the
//! tree is built without recursion, with the nesting depth and the total size
//! of alias expansions bounded, so hostile input ends in an error instead of a
//! stack overflow or an exhausted memory; and tags (`!Ref`, `!Sub`) are kept
//! for the CloudFormation importer to come.
//!
//! Scalars keep their text as written. Kubernetes and compose read almost
//! every value as text (`5432`, `"5432"` and `5432.0` name different things
//! only to a YAML library), so resolving them to numbers is left to the
//! few places that need it.

use std::borrow::Cow;
use std::collections::HashMap;

use rampart_model::{Diagnostic, Position};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Nesting deeper than this is an error: the deepest real documents (the
/// OpenAPI schemas of large CustomResourceDefinitions) stay well below it,
/// and it keeps the recursive drop and clone of a tree far from the end of
/// the stack.
pub(crate) const MAX_DEPTH: usize = 512;

/// Aliases may copy at most this many nodes per file (the "billion laughs"
/// document expands a few lines into billions).
const MAX_ALIAS_NODES: usize = 100_000;

/// One YAML node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    /// Where the node starts: line and column, both 1-based.
    pub at: Position,
    /// The tag, as written (`!Ref`), when it is not one of YAML's own.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A scalar's text; `plain` when it was written without quotes, so that
    /// `true`, `null` and `~` mean what YAML says only then.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in the order written; keys are nodes for their position.
    Map(Vec<(Node, Node)>),
}

static EMPTY_SEQ: [Node; 0] = [];
static EMPTY_MAP: [(Node, Node); 0] = [];

impl Node {
    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The key node and value under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries().iter().find(|(k, _)| k.str() == Some(key)).map(|(k, v)| (k, v))
    }

    /// The value at the end of a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A scalar's text, whatever its type (`8080`, `true` and `"x"` alike);
    /// `None` for collections and for null.
    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain } if !(*plain && is_null(text)) => Some(text),
            _ => None,
        }
    }

    /// A string value, trimmed, when it is not empty.
    pub fn text(&self) -> Option<&str> {
        self.str().map(str::trim).filter(|text| !text.is_empty())
    }

    /// A boolean: YAML's `true`/`false`, or the strings `"true"`/`"false"`
    /// that compose files often quote.
    pub fn bool(&self) -> Option<bool> {
        match self.str()?.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A sequence's items; empty for anything else.
    pub fn seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &EMPTY_SEQ,
        }
    }

    /// A mapping's entries; empty for anything else.
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &EMPTY_MAP,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// Whether the node is null (`~`, `null`, an empty value).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null(text))
    }

    /// How many nodes the subtree holds.
    fn size(&self) -> usize {
        let mut count = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            count += 1;
            match &node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => stack.extend(items),
                Value::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            }
        }
        count
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// One document of a (possibly multi-document) YAML file.
#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub root: Node,
    /// The template path of a `# Source: chart/templates/x.yaml` comment
    /// right before the document, as `helm template` writes.
    pub helm_source: Option<String>,
}

/// Parses every document of `text`. Warnings (duplicate keys) come back with
/// the documents; a syntax error ends the parse.
pub(crate) fn parse(text: &str) -> Result<(Vec<Document>, Vec<Diagnostic>), Diagnostic> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|error| {
            let marker = error.marker();
            Diagnostic::error(position(marker.line(), marker.col()), error.info().to_string())
        })?;
        builder.on_event(event, span)?;
    }
    let mut documents = builder.documents;
    attach_helm_sources(text, &mut documents);
    Ok((documents, builder.warnings))
}

fn position(line: usize, col: usize) -> Position {
    let convert = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Position::new(convert(line).max(1), convert(col).saturating_add(1))
}

enum Frame {
    Seq { node: Node, anchor: usize },
    Map { node: Node, anchor: usize, key: Option<Node> },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    documents: Vec<Document>,
    warnings: Vec<Diagnostic>,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        let at = position(span.start.line(), span.start.col());
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
            Event::DocumentEnd => {
                // Anchors do not reach across documents.
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain && tag.is_none();
                let node = Node { value: Value::Scalar { text: text.into_owned(), plain }, at, tag: tag_text(tag) };
                self.insert(node, anchor)?;
            }
            Event::Alias(anchor) => {
                let Some(target) = self.anchors.get(&anchor) else {
                    return Err(Diagnostic::error(at, "alias to an anchor that is not defined before it"));
                };
                self.alias_nodes += target.size();
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(Diagnostic::error(
                        at,
                        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes; the file is refused"),
                    ));
                }
                let node = Node { at, ..target.clone() };
                self.insert(node, 0)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.push(Frame::Seq { node: Node { value: Value::Seq(Vec::new()), at, tag: tag_text(tag) }, anchor })?;
            }
            Event::MappingStart(anchor, tag) => {
                let node = Node { value: Value::Map(Vec::new()), at, tag: tag_text(tag) };
                self.push(Frame::Map { node, anchor, key: None })?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (mut node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { node, anchor }) => (node, anchor),
                    Some(Frame::Map { node, anchor, .. }) => (node, anchor),
                    None => return Err(Diagnostic::error(at, "the end of a collection that was never started")),
                };
                apply_merge_keys(&mut node);
                self.insert(node, anchor)?;
            }
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            let at = match &frame {
                Frame::Seq { node, .. } | Frame::Map { node, .. } => node.at,
            };
            return Err(Diagnostic::error(at, format!("the document nests deeper than {MAX_DEPTH} levels")));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn insert(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(Document { root: node, helm_source: None }),
            Some(Frame::Seq { node: seq, .. }) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map { node: map, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(key_node) => {
                    if let Value::Map(entries) = &mut map.value {
                        let duplicate = key_node
                            .str()
                            .filter(|k| *k != "<<")
                            .and_then(|k| entries.iter().position(|(existing, _)| existing.str() == Some(k)));
                        match duplicate {
                            Some(index) => {
                                let first = entries[index].0.at.line;
                                self.warnings.push(Diagnostic::warning(
                                    key_node.at,
                                    format!(
                                        "duplicate key `{}` (first on line {first}); the last value is used",
                                        key_node.str().unwrap_or_default()
                                    ),
                                ));
                                entries[index] = (key_node, node);
                            }
                            None => entries.push((key_node, node)),
                        }
                    }
                }
            },
        }
        Ok(())
    }
}

fn tag_text(tag: Option<Cow<'_, saphyr_parser::Tag>>) -> Option<String> {
    let tag = tag?;
    // `!!str`, `!!int`... are YAML's own and say nothing the text does not.
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        return None;
    }
    Some(format!("{}{}", tag.handle, tag.suffix))
}

/// Applies YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`), which compose
/// files use with `x-` extension fields: keys written in the mapping win
/// over merged ones, and earlier merged mappings over later ones.
fn apply_merge_keys(node: &mut Node) {
    let Value::Map(entries) = &mut node.value else { return };
    if !entries.iter().any(|(key, _)| is_merge_key(key)) {
        return;
    }
    let (merges, mut own): (Vec<_>, Vec<_>) =
        std::mem::take(entries).into_iter().partition(|(key, _)| is_merge_key(key));
    for (_, value) in merges {
        let sources: Vec<Node> = match value.value {
            Value::Map(_) => vec![value],
            Value::Seq(items) => items,
            Value::Scalar { .. } => Vec::new(),
        };
        for source in sources {
            if let Value::Map(merged) = source.value {
                for (key, value) in merged {
                    if !own.iter().any(|(existing, _)| existing.str() == key.str()) {
                        own.push((key, value));
                    }
                }
            }
        }
    }
    *entries = own;
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.value, Value::Scalar { text, plain: true } if text == "<<")
}

/// Gives each document the path of the `# Source:` comment that precedes it
/// (the comment belongs to the first document starting after it).
fn attach_helm_sources(text: &str, documents: &mut [Document]) {
    let mut next = 0;
    for (index, line) in text.lines().enumerate() {
        let Some(path) = line.strip_prefix("# Source:").map(str::trim).filter(|p| !p.is_empty()) else {
            continue;
        };
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        while next < documents.len() && documents[next].root.at.line <= line {
            next += 1;
        }
        if let Some(document) = documents.get_mut(next) {
            document.helm_source = Some(path.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let (mut documents, warnings) = parse(text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(documents.len(), 1);
        documents.remove(0).root
    }

    #[test]
    fn nodes_keep_line_and_column() {
        let root = one("kind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\n");
        assert_eq!(root.at, Position::new(1, 1));
        let (key, name) = root.get("metadata").unwrap().entry("name").unwrap();
        assert_eq!(key.at, Position::new(3, 3));
        assert_eq!(name.at, Position::new(3, 9));
        assert_eq!(name.str(), Some("web"));
        assert_eq!(root.path(&["metadata", "labels", "app"]).unwrap().at, Position::new(4, 17));
    }

    #[test]
    fn scalars_keep_their_text_and_nulls_are_none() {
        let root = one("a: 5432\nb: \"true\"\nc: ~\nd:\ne: TRUE\nf: 'null'\n");
        assert_eq!(root.get("a").unwrap().str(), Some("5432"));
        assert_eq!(root.get("b").unwrap().bool(), Some(true));
        assert_eq!(root.get("c").unwrap().str(), None);
        assert!(root.get("d").unwrap().is_null());
        assert_eq!(root.get("e").unwrap().bool(), Some(true));
        assert_eq!(root.get("f").unwrap().str(), Some("null"));
    }

    #[test]
    fn documents_are_split_and_helm_sources_attached() {
        let text = "---\n# Source: shop/templates/web.yaml\nkind: Service\n---\n# Source: shop/templates/db.yaml\n\
                    kind: StatefulSet\n---\n---\nkind: ConfigMap\n";
        let (documents, _) = parse(text).unwrap();
        let sources: Vec<Option<&str>> = documents.iter().map(|d| d.helm_source.as_deref()).collect();
        // The empty document between `---` and `---` is a null one.
        assert_eq!(sources, [Some("shop/templates/web.yaml"), Some("shop/templates/db.yaml"), None, None]);
        assert!(documents[2].root.is_null());
        assert_eq!(documents[1].root.at.line, 6);
    }

    #[test]
    fn merge_keys_and_aliases_are_resolved() {
        let text =
            "x-common: &common\n  restart: always\n  image: base\nservices:\n  web:\n    <<: *common\n    image: web\n";
        let root = one(text);
        let web = root.path(&["services", "web"]).unwrap();
        assert_eq!(web.get("image").unwrap().str(), Some("web"));
        assert_eq!(web.get("restart").unwrap().str(), Some("always"));
        assert!(web.get("<<").is_none());
    }

    #[test]
    fn tags_are_kept() {
        let root = one("bucket: !Ref Bucket\nplain: !!str 12\n");
        assert_eq!(root.get("bucket").unwrap().tag.as_deref(), Some("!Ref"));
        assert_eq!(root.get("plain").unwrap().tag, None);
    }

    #[test]
    fn duplicate_keys_warn_and_keep_the_last_value() {
        let (documents, warnings) = parse("name: a\nname: b\n").unwrap();
        assert_eq!(documents[0].root.get("name").unwrap().str(), Some("b"));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].at, Position::new(2, 1));
        assert!(warnings[0].message.contains("first on line 1"), "{}", warnings[0].message);
    }

    #[test]
    fn syntax_errors_say_where_and_what() {
        let error = parse("kind: Service\nmetadata:\n  name: [web\n").unwrap_err();
        assert_eq!(error.at.line, 4);
        assert!(error.message.contains("expected"), "{}", error.message);
        let error = parse("a: 1\n b: 2\n").unwrap_err();
        assert_eq!(error.at, Position::new(2, 3));
    }

    #[test]
    fn hostile_documents_are_refused_with_an_error() {
        // The parser bounds flow nesting itself; block nesting is bounded here.
        let deep_flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse(&deep_flow).unwrap_err().message, "recursion limit exceeded");
        let deep_block = format!("{}x\n", "- ".repeat(10_000));
        let error = parse(&deep_block).unwrap_err();
        assert_eq!((error.at.line, error.message.as_str()), (1, "the document nests deeper than 512 levels"));
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, previous) in ["b", "c", "d", "e", "f", "g"].iter().zip(["a", "b", "c", "d", "e", "f"]) {
            laughs.push_str(&format!("{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"));
        }
        assert!(parse(&laughs).unwrap_err().message.contains("aliases expand"));
    }
}
