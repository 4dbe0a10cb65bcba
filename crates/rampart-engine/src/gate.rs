//! The CI gate: which threats fail a build.

use crate::analysis::{Analysis, ThreatInstance};
use crate::risk::Severity;

/// Threats that fail a build at `threshold`: unresolved (open, in progress,
/// or accepted past expiry) with a current severity at or above it.
pub fn failing<'a, 'k, 'm>(analysis: &'a Analysis<'k, 'm>, threshold: Severity) -> Vec<&'a ThreatInstance<'k, 'm>> {
    analysis.threats.iter().filter(|t| t.is_unresolved() && t.current.severity >= threshold).collect()
}
