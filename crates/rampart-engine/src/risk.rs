//! Risk scoring: likelihood × impact, each on a 1–5 scale.
//!
//! Inherent risk assumes no control is in place; current risk applies the
//! countermeasures the model declares. Every adjustment is written down as a
//! factor, so a reader can check the arithmetic and argue with it.

use rampart_kb::{Stride, Threat};
use rampart_model::Rating;
use serde::Serialize;

/// A severity band, from the least to the most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Bands of the 1–25 score.
    pub fn from_score(score: f32) -> Severity {
        if score >= 20.0 {
            Severity::Critical
        } else if score >= 12.0 {
            Severity::High
        } else if score >= 6.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Risk {
    /// 1 (rare) to 5 (almost certain); fractional once controls apply.
    pub likelihood: f32,
    /// 1 (negligible) to 5 (severe).
    pub impact: u8,
    /// likelihood × impact, 1 to 25.
    pub score: f32,
    pub severity: Severity,
}

impl Risk {
    fn new(likelihood: f32, impact: u8) -> Risk {
        let likelihood = (likelihood * 10.0).round() / 10.0;
        let score = (likelihood * f32::from(impact) * 10.0).round() / 10.0;
        Risk { likelihood, impact, score, severity: Severity::from_score(score) }
    }
}

/// What the engine knows about a threat's target that moves its risk.
/// One step of the scoring, kept as data and put into words only when an
/// output is written: a large model has hundreds of thousands of threats.
#[derive(Clone, Debug, PartialEq)]
pub enum RiskFactor<'k, 'm> {
    Base {
        likelihood: u8,
        impact: u8,
    },
    Exposed,
    InternalOnly,
    Unauthenticated,
    /// Threat intelligence names the threat on this target.
    Intelligence(String),
    /// The impact moved by the most sensitive data involved.
    Sensitivity {
        adjustment: i8,
        asset: &'m str,
        dimension: &'static str,
        rating: Rating,
    },
    NoData,
    /// A countermeasure in place cuts the current likelihood.
    Control {
        id: &'k str,
        reduction: f32,
    },
}

impl std::fmt::Display for RiskFactor<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RiskFactor::Base { likelihood, impact } => {
                write!(f, "base likelihood {likelihood} and impact {impact} from the rule")
            }
            RiskFactor::Exposed => f.write_str("likelihood +1: reachable from a less trusted zone"),
            RiskFactor::InternalOnly => f.write_str("likelihood -1: reachable only from its own or more trusted zones"),
            RiskFactor::Unauthenticated => f.write_str("likelihood +1: less trusted callers need no authentication"),
            RiskFactor::Intelligence(item) => write!(f, "likelihood +1: exploited in the wild according to {item}"),
            RiskFactor::Sensitivity { adjustment, asset, dimension, rating } => {
                let label = format!("{rating:?}").to_lowercase();
                write!(f, "impact {adjustment:+}: `{asset}` has {dimension} `{label}`")
            }
            RiskFactor::NoData => f.write_str("impact unchanged: no data declared on the target"),
            RiskFactor::Control { id, reduction } => {
                write!(f, "current likelihood -{:.0}%: `{id}` in place", reduction * 100.0)
            }
        }
    }
}

impl Serialize for RiskFactor<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

pub struct Context<'k, 'm> {
    /// Reachable from a less trusted zone (or the internet).
    pub exposed: bool,
    /// Reachable only from its own zone or more trusted ones.
    pub internal_only: bool,
    /// Reachable from a less trusted zone without authentication.
    pub unauthenticated: bool,
    /// The most sensitive rating of the data involved, on the dimensions the
    /// threat's STRIDE categories harm; `None` when no data is declared.
    /// (rating, asset id, dimension).
    pub sensitivity: Option<(Rating, &'m str, &'static str)>,
    /// (name, likelihood reduction) of each countermeasure in place.
    pub controls_present: Vec<(&'k str, f32)>,
    /// The intelligence that names this threat on this target, if any.
    pub intel: Option<String>,
}

pub struct Scored<'k, 'm> {
    pub inherent: Risk,
    pub current: Risk,
    pub factors: Vec<RiskFactor<'k, 'm>>,
}

pub fn score<'k, 'm>(threat: &Threat, context: &Context<'k, 'm>) -> Scored<'k, 'm> {
    let mut factors = vec![RiskFactor::Base { likelihood: threat.likelihood, impact: threat.impact }];
    let mut likelihood = i32::from(threat.likelihood);
    if context.exposed {
        likelihood += 1;
        factors.push(RiskFactor::Exposed);
    } else if context.internal_only {
        likelihood -= 1;
        factors.push(RiskFactor::InternalOnly);
    }
    if context.unauthenticated {
        likelihood += 1;
        factors.push(RiskFactor::Unauthenticated);
    }
    if let Some(intel) = &context.intel {
        likelihood += 1;
        factors.push(RiskFactor::Intelligence(intel.clone()));
    }
    let likelihood = likelihood.clamp(1, 5) as f32;

    let mut impact = i32::from(threat.impact);
    match context.sensitivity {
        Some((rating, asset, dimension)) => {
            let adjustment: i8 = match rating {
                Rating::Low => -1,
                Rating::Medium => 0,
                Rating::High => 1,
                Rating::Critical => 2,
            };
            if adjustment != 0 {
                factors.push(RiskFactor::Sensitivity { adjustment, asset, dimension, rating });
            }
            impact += i32::from(adjustment);
        }
        None => factors.push(RiskFactor::NoData),
    }
    let impact = impact.clamp(1, 5) as u8;
    let inherent = Risk::new(likelihood, impact);

    let mut residual = likelihood;
    for &(id, reduction) in &context.controls_present {
        residual *= 1.0 - reduction;
        factors.push(RiskFactor::Control { id, reduction });
    }
    let current = Risk::new(residual.max(0.1), impact);
    Scored { inherent, current, factors }
}

/// The CIA dimensions a threat harms, from its STRIDE categories.
pub fn harmed_dimensions(stride: &[Stride]) -> (bool, bool, bool) {
    let mut confidentiality = false;
    let mut integrity = false;
    let mut availability = false;
    for category in stride {
        match category {
            Stride::InformationDisclosure => confidentiality = true,
            Stride::Tampering | Stride::Repudiation => integrity = true,
            Stride::DenialOfService => availability = true,
            Stride::Spoofing | Stride::ElevationOfPrivilege => {
                confidentiality = true;
                integrity = true;
            }
        }
    }
    (confidentiality, integrity, availability)
}
