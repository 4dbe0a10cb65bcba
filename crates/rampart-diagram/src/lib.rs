//! Data-flow diagrams of a Rampart model, drawn from its analysis.
//!
//! Trust boundaries become nested clusters, elements are drawn by their
//! catalog category (actor, process, data store, external system) and
//! coloured by the worst current severity of their unresolved threats, and
//! flows are labelled with their protocol and data, dashed red when
//! unencrypted and marked when unauthenticated. A flow never passes over an
//! element box other than its own two ends, and enters or leaves a boundary
//! only where it must unless going around is far longer (see `route`). A
//! label never covers an element, a boundary's title or another label:
//! one that fits nowhere becomes a numbered marker, listed in a key under
//! the legend. Three
//! outputs: a self-contained SVG laid out here (with dagre-rs), and
//! Graphviz DOT and Mermaid text for documentation sites that draw their
//! own.
//!
//! **Invariant:** pure and deterministic, like the rest of the core: the
//! same model, analysis and options give byte-identical output.

mod flows;
mod layout;
mod route;
mod scene;
mod svg;
mod text;

use rampart_engine::Analysis;
use rampart_kb::KnowledgeBase;
use rampart_model::Model;

pub use scene::check;
pub use svg::escape;

/// Which part of the model to draw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// Everything.
    #[default]
    All,
    /// One trust boundary, its nested boundaries and their elements.
    Boundary(String),
    /// The elements at most `hops` flows away from one element, in either
    /// direction, with the boundaries around them.
    Around { id: String, hops: usize },
}

/// How to draw.
#[derive(Clone, Debug, Default)]
pub struct Options<'k> {
    /// The library the model was analysed with: gives each element kind its
    /// category (and so its shape) and each protocol whether it encrypts.
    /// Without it, shapes and encryption are guessed from the names.
    pub kb: Option<&'k KnowledgeBase>,
    pub view: View,
}

/// A self-contained SVG document. Ids a view names that the model lacks
/// give an empty diagram; [`check`] them first.
pub fn svg(model: &Model, analysis: &Analysis, options: &Options) -> String {
    svg::render(&scene::Scene::build(model, analysis, options))
}

/// Graphviz DOT: boundaries as `cluster_` subgraphs.
pub fn dot(model: &Model, analysis: &Analysis, options: &Options) -> String {
    text::dot(&scene::Scene::build(model, analysis, options))
}

/// A Mermaid flowchart: boundaries as subgraphs.
pub fn mermaid(model: &Model, analysis: &Analysis, options: &Options) -> String {
    text::mermaid(&scene::Scene::build(model, analysis, options))
}

#[cfg(test)]
mod tests;
