//! Rampart's system model: the documented format (YAML or JSON), parsing with
//! source positions, and validation that reports every problem at once.
//!
//! Invariant: this crate does no IO and knows nothing of threats; it turns
//! text into a [`Model`] and says what is wrong with it.

pub mod date;
pub mod diagnostic;
pub mod located;
pub mod parse;
pub mod policy;
pub mod pretty_json;
pub mod types;
pub mod validate;

pub use date::Date;
pub use diagnostic::{Diagnostic, Severity};
pub use located::{Located, Position};
pub use parse::{Syntax, parse_model};
pub use types::*;
pub use validate::{Vocabulary, validate, validate_tracking_file};

/// The JSON Schema of the model format, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Model);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
