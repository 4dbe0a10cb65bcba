//! Living threat models: what changed between two analyses of a model
//! ([`diff`]) and which threats or gaps a CI policy refuses ([`policy`]).
//!
//! Invariant: pure, like the engine — analyses and text in, a diff or a list
//! of violations out; reading files, running git and choosing exit codes are
//! the command line's business.

pub mod diff;
pub mod drift;
pub mod policy;

pub use diff::{Change, Diff, ThreatRef, diff};
pub use policy::{Policy, Violation, evaluate};
