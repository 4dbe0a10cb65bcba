//! Threagile `risk_tracking` → Rampart tracking entries.
//!
//! Threagile tracks risks by `RULE@PART@...` ids whose parts may hold `*`
//! wildcards. An entry becomes Rampart tracking when:
//!
//! - its rule is a hand-written risk category: one entry per identified risk
//!   it matches, on `threagile-CATEGORY@TARGET` (see `risks.rs`);
//! - its rule has a Rampart equivalent: one entry per element it names (or
//!   matches, with wildcards) on which the Rampart rule would raise the
//!   threat; an id whose parts are all `*` becomes the pattern `RULE@*`, which
//!   also covers elements added later, as Threagile's does.
//!
//! Everything else is a warning that quotes the entry, so nobody loses a
//! decision without being told. Threagile's `date` is when the risk was
//! checked, not when an acceptance ends, so it goes into the justification
//! rather than `expires`.

use rampart_model::{Component, Diagnostic, Tracking, glob_match};

use super::super::format::{self, RiskTracking};
use super::super::tables::{self, Layout, Needs, RiskTarget};
use super::{Converter, Role, located, non_empty, risk_status, status};

impl Converter<'_> {
    pub(super) fn risk_tracking(&mut self, components: &[Component]) -> Vec<Tracking> {
        let document = self.document;
        let mut threats: Vec<Tracking> = Vec::new();
        for (key, entry) in document.risk_tracking.iter() {
            let summary = {
                let mut summary = format!("status {}", risk_status(entry.status));
                if let Some(ticket) = non_empty(entry.ticket.as_ref()) {
                    summary.push_str(&format!(", ticket {ticket}"));
                }
                summary
            };
            let risk_id = key.value.trim();
            let rule = risk_id.split('@').next().unwrap_or_default();
            let tracked = if self.individual_risks.iter().any(|risk| risk.category == rule) {
                self.individual_risk_threats(risk_id)
            } else {
                self.rule_threats(risk_id, components)
            };
            let tracked = match tracked {
                Ok(tracked) => tracked,
                Err(reason) => {
                    self.warnings.push(
                        Diagnostic::warning(
                            key.at,
                            format!("risk tracking `{}` ({summary}) not imported: {reason}", key.value),
                        )
                        .with_help("track the equivalent Rampart threat under `threats:` after `rampart analyze`"),
                    );
                    continue;
                }
            };
            let justification = self.justification(&key.value, entry, key.at);
            for threat in tracked {
                if threats.iter().any(|known| known.threat.value == threat) {
                    self.warnings.push(Diagnostic::warning(
                        key.at,
                        format!(
                            "risk tracking `{}` ({summary}) maps to `{threat}`, which is already tracked; not imported",
                            key.value
                        ),
                    ));
                    continue;
                }
                threats.push(Tracking {
                    threat: located(threat, key.at),
                    status: status(entry.status),
                    justification: justification.clone(),
                    ticket: non_empty(entry.ticket.as_ref()),
                    expires: None,
                    owner: non_empty(entry.checked_by.as_ref()),
                });
            }
        }
        threats
    }

    /// The entry's justification with its check date. Rampart requires one
    /// for accepted and false-positive threats, so those get a stand-in.
    fn justification(&mut self, key: &str, entry: &RiskTracking, at: rampart_model::Position) -> Option<String> {
        let needs_reason = matches!(entry.status, format::RiskStatus::Accepted | format::RiskStatus::FalsePositive);
        let written = non_empty(entry.justification.as_ref());
        let reason =
            written.or_else(|| needs_reason.then(|| format!("Marked {} in Threagile", risk_status(entry.status))));
        match (reason, non_empty(entry.date.as_ref())) {
            (Some(reason), Some(date)) => Some(format!("{reason} (reviewed in Threagile on {date})")),
            (reason, None) => reason,
            (None, Some(date)) => {
                self.warnings.push(Diagnostic::warning(
                    at,
                    format!("risk tracking `{key}` has no justification; its review date {date} is not imported"),
                ));
                None
            }
        }
    }

    /// The Rampart threats (or patterns) a Threagile risk id of a built-in
    /// rule stands for, or why there are none.
    fn rule_threats(&self, risk_id: &str, components: &[Component]) -> Result<Vec<String>, String> {
        let mut parts = risk_id.split('@');
        let rule = parts.next().unwrap_or_default();
        let parts: Vec<&str> = parts.collect();
        let rules = tables::risk_rules(rule);
        if rules.is_empty() {
            return Err(format!("Rampart has no equivalent of Threagile rule `{rule}`"));
        }
        if !parts.is_empty() && parts.iter().all(|part| part.chars().all(|c| c == '*')) {
            return Ok(rules.iter().map(|candidate| format!("{}@*", candidate.rampart)).collect());
        }
        let mut threats: Vec<String> = Vec::new();
        for candidate in rules {
            for target in self.rule_targets(candidate.target, &parts, components) {
                let threat = format!("{}@{target}", candidate.rampart);
                if !threats.contains(&threat) {
                    threats.push(threat);
                }
            }
        }
        if threats.is_empty() {
            let names: Vec<&str> = rules.iter().map(|candidate| candidate.rampart).collect();
            let what = if parts.iter().any(|part| part.contains('*')) { "matches" } else { "names" };
            return Err(format!(
                "it {what} no element on which Rampart raises `{}` (the model does not show the facts that rule needs)",
                names.join("` or `")
            ));
        }
        Ok(threats)
    }

    /// Rampart ids of the elements a risk id's `parts` match on which the
    /// Rampart rule raises its threat. A part the id leaves out matches anything.
    fn rule_targets(&self, target: RiskTarget, parts: &[&str], components: &[Component]) -> Vec<String> {
        let part = |position: usize, id: &str| parts.get(position).is_none_or(|pattern| glob_match(pattern, id));
        let assets = &self.document.technical_assets.0;
        let threagile_id = |index: usize| assets.get(index).map_or("", |(_, asset)| asset.id.value.trim());
        let component = |index: usize| {
            let id = self.asset_ids.get(index)?;
            components.iter().find(|component| component.id.value == *id)
        };
        match target {
            RiskTarget::Link => self
                .links
                .iter()
                .filter(|link| {
                    let Some(to) = link.to else { return false };
                    part(0, &link.threagile_id) && part(1, threagile_id(link.from)) && part(2, threagile_id(to))
                })
                .map(|link| link.flow_id.clone())
                .collect(),
            RiskTarget::Component { needs, layout } => (0..assets.len())
                .filter(|index| part(0, threagile_id(*index)))
                .filter_map(|index| component(index).map(|found| (index, found)))
                .filter(|(_, found)| match needs {
                    Needs::Capability(capability) => found.capabilities.iter().any(|known| known.value == capability),
                    Needs::Accepts(format) => found.accepts.iter().any(|known| known.value == format),
                })
                .filter(|(index, _)| match layout {
                    Layout::Asset => true,
                    Layout::CallerTargetLink { peer_kind } => self.outgoing(*index).any(|link| {
                        let Some(to) = link.to else { return false };
                        let kind_fits = peer_kind.is_none_or(|kind| self.roles.get(to) == Some(&Role::Component(kind)));
                        kind_fits && part(1, threagile_id(to)) && part(2, &link.threagile_id)
                    }),
                    Layout::AssetIncomingLink => self.incoming(*index).any(|link| part(1, &link.threagile_id)),
                })
                .map(|(_, found)| found.id.value.clone())
                .collect(),
        }
    }
}
