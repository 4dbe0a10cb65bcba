//! Rampart's knowledge base: the vocabulary models use, the component
//! catalog, countermeasures mapped to standards, and threat rules written as
//! data. [`compile`] checks every rule against the vocabulary when the library
//! loads and turns it into an indexed form the engine evaluates quickly.
//!
//! Invariant: no IO. Library files come in as [`Source`]s (the shipped library
//! is embedded at build time; a team's own directories are read by the CLI).

mod compile;
mod custom;
pub mod describe;
pub mod docs;
pub mod files;
mod library;
pub mod stats;

pub use compile::{KbError, Source, compile};
pub use library::*;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The files of the library shipped with Rampart.
pub fn builtin_sources() -> Vec<Source> {
    EMBEDDED
        .iter()
        .map(|(path, text)| Source { path: path.to_string(), text: text.to_string(), root: "kb".to_string(), layer: 0 })
        .collect()
}

/// The library shipped with Rampart, compiled.
pub fn builtin() -> Result<KnowledgeBase, Vec<KbError>> {
    compile(&builtin_sources())
}
