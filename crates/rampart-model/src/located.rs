//! `Located<T>`: a value with the position it was written at in the model file.
//!
//! Positions drive error messages and SARIF locations. YAML sources carry them
//! (through `serde_saphyr::Spanned`); JSON sources parsed by `serde_json` do not,
//! so there the position is unknown (line 0) and callers fall back to the
//! enclosing element's line found by [`crate::parse`].

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 1-based line and column in a source text. Line 0 means "unknown".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const UNKNOWN: Position = Position { line: 0, column: 0 };

    pub fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }

    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, Default)]
pub struct Located<T> {
    pub value: T,
    pub at: Position,
}

impl<T> Located<T> {
    /// A value built in code (an importer, a generator), with no source position.
    pub fn synthetic(value: T) -> Self {
        Located { value, at: Position::UNKNOWN }
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    // Two values are equal whatever file positions they came from.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Located<T> {}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl From<&str> for Located<String> {
    fn from(s: &str) -> Self {
        Located::synthetic(s.to_string())
    }
}

impl From<String> for Located<String> {
    fn from(s: String) -> Self {
        Located::synthetic(s)
    }
}

impl Located<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `Spanned` records the node's position when the deserializer is
        // serde-saphyr's and reports an unknown location for any other one.
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let line = u32::try_from(spanned.referenced.line()).unwrap_or(u32::MAX);
        let column = u32::try_from(spanned.referenced.column()).unwrap_or(u32::MAX);
        Ok(Located { value: spanned.value, at: Position { line, column } })
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}
