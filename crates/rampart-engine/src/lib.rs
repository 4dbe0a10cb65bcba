//! Rampart's threat engine. [`analyze`] binds a validated model to a compiled
//! knowledge base, evaluates every rule against every subject in parallel, and
//! scores each threat found.
//!
//! Invariants: a pure function of its inputs — no IO, no global state, no
//! clock (the caller passes today's date); the same model and library always
//! give the same threats, ids and order.

/// The maps of ids built for every model analysed: foldhash (seeded per
/// map) hashes short ids several times faster than std's SipHash, which was
/// a tenth of the time spent binding facts and comparing footprints.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

mod adopt;
mod analysis;
mod evaluate;
mod facts;
mod footprint;
pub mod gate;
pub mod risk;

pub use adopt::{AdoptedThreat, adopt_library_threats};
pub use analysis::*;
pub use footprint::{Footprint, SubjectKey};
pub use risk::{Risk, Severity};
