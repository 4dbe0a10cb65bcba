//! Threagile `individual_risk_categories` (risks written by hand) → Rampart
//! custom threats.
//!
//! | Threagile | Rampart custom threat |
//! |---|---|
//! | category `id` | id `threagile-ID` (slug; a number is added if two clash) |
//! | category title | title |
//! | `description`, `impact`, `check`, `asvs`, `cheat_sheet`, `detection_logic`, `risk_assessment`, `false_positives` | description, one labelled paragraph each |
//! | `action`, `mitigation` | mitigations (`ACTION: MITIGATION`) |
//! | `stride` | stride |
//! | `cwe` | cwe |
//! | each of `risks_identified` | a target: its `most_relevant_technical_asset`, else `_communication_link` (its flow), else `_data_asset` |
//! | `exploitation_likelihood` / `exploitation_impact` (else `severity`) | likelihood / impact 1-5, the highest of the category's risks |
//! | category line and `id` | source (line, resource) |
//!
//! Not carried: `function` and `model_failure_possible_reason` (report
//! classification), each risk's title, `data_breach_probability` and
//! `data_breach_technical_assets`. A risk that names only a trust boundary
//! or a shared runtime has no element a Rampart threat can target: a warning.

use rampart_model::{CustomThreat, Diagnostic, Located, STRIDE_CATEGORIES, SourceRef};

use super::super::format::{IndividualRiskCategory, RiskIdentified};
use super::super::tables;
use super::{Converter, Namespace, located, non_empty};
use crate::ids::slugify;

/// Likelihood and impact, each where it was written, when given.
type Scores = (Option<Located<u8>>, Option<Located<u8>>);

/// A hand-written risk, as risk tracking names it.
#[derive(Debug)]
pub(super) struct IndividualRisk {
    /// The Threagile category id.
    pub category: String,
    /// Threagile's id of the risk: `CATEGORY@ASSET@LINK@BOUNDARY@RUNTIME@DATA`
    /// with the parts the risk names.
    pub synthetic_id: String,
    /// The Rampart threat it became: `threagile-CATEGORY@TARGET`, or `@model`.
    pub threat: String,
}

impl Converter<'_> {
    pub(super) fn individual_risk_categories(&mut self) -> Vec<CustomThreat> {
        let document = self.document;
        let mut threats: Vec<CustomThreat> = Vec::new();
        for (title, category) in document.individual_risk_categories.iter() {
            let base = format!("threagile-{}", slugify(&category.id.value));
            let mut id = base.clone();
            let mut number = 2;
            while threats.iter().any(|threat| threat.id.value == id) {
                id = format!("{base}-{number}");
                number += 1;
            }
            if let Some(threat) = self.custom_threat(id, title, category) {
                threats.push(threat);
            }
        }
        threats
    }

    fn custom_threat(
        &mut self,
        id: String,
        title: &Located<String>,
        category: &IndividualRiskCategory,
    ) -> Option<CustomThreat> {
        if category.risks_identified.len() == 0 {
            self.warnings.push(Diagnostic::warning(
                title.at,
                format!("hand-written risk category `{}` has no `risks_identified`; not imported", title.value),
            ));
            return None;
        }
        let category_id = category.id.value.trim().to_string();
        let mut targets: Vec<Located<String>> = Vec::new();
        let mut untargeted: Vec<&Located<String>> = Vec::new();
        let mut scores: Vec<Scores> = Vec::new();
        for (risk_title, risk) in category.risks_identified.iter() {
            let synthetic_id = synthetic_id(&category_id, risk);
            let target = self.risk_target(title, risk_title, risk);
            let threat = match &target {
                Some(target) => format!("{id}@{}", target.value),
                None => format!("{id}@model"),
            };
            match target {
                Some(target) if !targets.iter().any(|known| known.value == target.value) => targets.push(target),
                Some(_) => {}
                None => untargeted.push(risk_title),
            }
            scores.push(scores_of(risk));
            self.individual_risks.push(IndividualRisk { category: category_id.clone(), synthetic_id, threat });
        }
        // A custom threat with no targets is raised once on the model; with
        // targets it is raised on them only, so a risk on nothing is lost.
        if !targets.is_empty() {
            for risk_title in untargeted {
                self.warnings.push(Diagnostic::warning(
                    risk_title.at,
                    format!(
                        "risk `{}` of `{}` names no technical asset, link or data asset, while others of its \
                         category do; it is not a separate threat",
                        risk_title.value, title.value
                    ),
                ));
            }
        }
        let (likelihood, impact) = self.category_scores(title, &scores);
        Some(CustomThreat {
            id: located(id, category.id.at),
            title: title.value.trim().to_string(),
            description: description(category),
            targets,
            stride: self.stride(category),
            cwe: category.cwe.iter().map(|cwe| cwe.value).collect(),
            capec: Vec::new(),
            likelihood,
            impact,
            countermeasures: Vec::new(),
            mitigations: mitigations(category),
            source: Some(SourceRef {
                file: String::new(),
                line: title.at.is_known().then_some(title.at.line),
                resource: Some(category_id),
            }),
        })
    }

    /// The Rampart element a risk is on: its technical asset, else its
    /// link's flow, else its data asset. The others it names are reported.
    fn risk_target(
        &mut self,
        category: &Located<String>,
        risk_title: &Located<String>,
        risk: &RiskIdentified,
    ) -> Option<Located<String>> {
        let context = format!("risk `{}` of `{}`", risk_title.value, category.value);
        let given = |reference: &Option<Located<String>>| {
            reference.as_ref().filter(|reference| !reference.value.trim().is_empty()).cloned()
        };
        let mut named: Vec<Located<String>> = Vec::new();
        if let Some(reference) = given(&risk.most_relevant_technical_asset)
            && let Some(index) = self.resolve(&reference, Namespace::Asset, &context)
        {
            named.push(located(self.asset_ids[index].clone(), reference.at));
        }
        if let Some(reference) = given(&risk.most_relevant_communication_link)
            && let Some(flow) = self.resolve_link(&reference, &context)
        {
            named.push(located(flow, reference.at));
        }
        if let Some(reference) = given(&risk.most_relevant_data_asset)
            && let Some(index) = self.resolve(&reference, Namespace::Data, &context)
        {
            named.push(located(self.data_ids[index].clone(), reference.at));
        }
        for (reference, namespace, noun) in [
            (given(&risk.most_relevant_trust_boundary), Namespace::Boundary, "trust boundary"),
            (given(&risk.most_relevant_shared_runtime), Namespace::Runtime, "shared runtime"),
        ] {
            let Some(reference) = reference else { continue };
            if self.resolve(&reference, namespace, &context).is_some() {
                self.warnings.push(Diagnostic::warning(
                    reference.at,
                    format!(
                        "{context} names {noun} `{}`; Rampart threats apply to elements, flows and data, so it is \
                         not a target",
                        reference.value
                    ),
                ));
            }
        }
        let mut named = named.into_iter();
        let target = named.next();
        if let Some(target) = &target {
            for other in named {
                self.warnings.push(Diagnostic::warning(
                    other.at,
                    format!(
                        "{context} also names `{}`; Rampart raises one threat per target, so it is on `{}`",
                        other.value, target.value
                    ),
                ));
            }
        }
        target
    }

    /// The flow of the link Threagile calls `reference` (`SOURCE>title-slug`).
    fn resolve_link(&mut self, reference: &Located<String>, context: &str) -> Option<String> {
        let wanted = reference.value.trim();
        if let Some(link) = self.links.iter().find(|link| link.threagile_id == wanted) {
            // A link to a missing asset has no flow; that error is reported already.
            return link.to.map(|_| link.flow_id.clone());
        }
        let known: Vec<&str> = self.links.iter().map(|link| link.threagile_id.as_str()).collect();
        self.errors.push(
            Diagnostic::error(
                reference.at,
                format!("{context} names communication link `{}`, which does not exist", reference.value),
            )
            .with_help("links are named `SOURCE-ASSET-ID>link-title-in-lowercase-with-dashes`")
            .suggest(wanted, known),
        );
        None
    }

    fn stride(&mut self, category: &IndividualRiskCategory) -> Vec<Located<String>> {
        let Some(word) = category.stride.as_ref().filter(|word| !word.value.trim().is_empty()) else {
            return Vec::new();
        };
        let normalised = word.value.trim().to_ascii_lowercase();
        if STRIDE_CATEGORIES.contains(&normalised.as_str()) {
            return vec![located(normalised, word.at)];
        }
        self.warnings.push(
            Diagnostic::warning(word.at, format!("`{}` is not a STRIDE category; not imported", word.value))
                .suggest(&normalised, STRIDE_CATEGORIES),
        );
        Vec::new()
    }

    /// The highest likelihood and impact of the category's risks: a custom
    /// threat has one score, and the worst case is the one to plan for.
    fn category_scores(&mut self, title: &Located<String>, scores: &[Scores]) -> Scores {
        let highest = |pick: fn(&Scores) -> &Option<Located<u8>>| {
            scores.iter().filter_map(|score| pick(score).clone()).max_by_key(|score| score.value)
        };
        let likelihood = highest(|score| &score.0);
        let impact = highest(|score| &score.1);
        let values = |score: &Scores| (score.0.as_ref().map(|l| l.value), score.1.as_ref().map(|i| i.value));
        if scores.windows(2).any(|pair| values(&pair[0]) != values(&pair[1])) {
            let shown =
                |score: &Option<Located<u8>>| score.as_ref().map_or("unset".to_string(), |s| s.value.to_string());
            self.warnings.push(Diagnostic::warning(
                title.at,
                format!(
                    "the risks of `{}` are rated differently; the threat takes the highest: likelihood {}, impact {}",
                    title.value,
                    shown(&likelihood),
                    shown(&impact)
                ),
            ));
        }
        (likelihood, impact)
    }
}

/// Threagile's id for a hand-written risk (its `createSyntheticId`).
fn synthetic_id(category: &str, risk: &RiskIdentified) -> String {
    let parts = [
        &risk.most_relevant_technical_asset,
        &risk.most_relevant_communication_link,
        &risk.most_relevant_trust_boundary,
        &risk.most_relevant_shared_runtime,
        &risk.most_relevant_data_asset,
    ];
    let mut id = category.to_string();
    for part in parts.into_iter().flatten().map(|part| part.value.trim()).filter(|part| !part.is_empty()) {
        id.push('@');
        id.push_str(part);
    }
    id
}

/// A risk's likelihood and impact: its exploitation ratings, else its severity.
fn scores_of(risk: &RiskIdentified) -> Scores {
    let from_severity = risk.severity.as_ref().map(|severity| (tables::severity_scores(severity.value), severity.at));
    let likelihood = match &risk.exploitation_likelihood {
        Some(value) => Some(located(tables::likelihood(value.value), value.at)),
        None => from_severity.map(|((likelihood, _), at)| located(likelihood, at)),
    };
    let impact = match &risk.exploitation_impact {
        Some(value) => Some(located(tables::impact(value.value), value.at)),
        None => from_severity.map(|((_, impact), at)| located(impact, at)),
    };
    (likelihood, impact)
}

/// The category's texts, each a labelled paragraph after the description.
fn description(category: &IndividualRiskCategory) -> Option<String> {
    let labelled = [
        ("", &category.description),
        ("Impact: ", &category.impact),
        ("Check: ", &category.check),
        ("Detection: ", &category.detection_logic),
        ("Risk assessment: ", &category.risk_assessment),
        ("False positives: ", &category.false_positives),
        ("ASVS: ", &category.asvs),
        ("Cheat sheet: ", &category.cheat_sheet),
    ];
    let paragraphs: Vec<String> = labelled
        .into_iter()
        .filter_map(|(label, text)| non_empty(text.as_ref()).map(|text| format!("{label}{text}")))
        .collect();
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

fn mitigations(category: &IndividualRiskCategory) -> Vec<String> {
    match (non_empty(category.action.as_ref()), non_empty(category.mitigation.as_ref())) {
        (Some(action), Some(mitigation)) => vec![format!("{action}: {mitigation}")],
        (Some(text), None) | (None, Some(text)) => vec![text],
        (None, None) => Vec::new(),
    }
}

impl Converter<'_> {
    /// The Rampart threats (or a pattern) a risk-tracking id of a hand-written
    /// category stands for: the identified risks whose Threagile ids it
    /// matches, part by part, with `*` wildcards.
    pub(super) fn individual_risk_threats(&self, risk_id: &str) -> Result<Vec<String>, String> {
        let parts: Vec<&str> = risk_id.split('@').collect();
        let category = parts.first().copied().unwrap_or_default();
        let wildcards = parts.iter().skip(1).all(|part| part.chars().all(|c| c == '*'));
        let mut threats: Vec<String> = Vec::new();
        let mut every_risk = true;
        for risk in self.individual_risks.iter().filter(|risk| risk.category == category) {
            let risk_parts: Vec<&str> = risk.synthetic_id.split('@').collect();
            let matches = risk_parts.len() == parts.len()
                && parts.iter().zip(&risk_parts).all(|(pattern, part)| rampart_model::glob_match(pattern, part));
            every_risk &= matches;
            if matches && !threats.contains(&risk.threat) {
                threats.push(risk.threat.clone());
            }
        }
        // Every risk of the category, now and later, as Threagile means it.
        if wildcards && every_risk && parts.len() > 1 && !threats.is_empty() {
            let threat_id = threats.first().and_then(|threat| threat.split('@').next()).unwrap_or_default();
            return Ok(vec![format!("{threat_id}@*")]);
        }
        if threats.is_empty() {
            let known: Vec<&str> = self
                .individual_risks
                .iter()
                .filter(|risk| risk.category == category)
                .map(|risk| risk.synthetic_id.as_str())
                .collect();
            return Err(format!(
                "it matches no risk identified in hand-written category `{category}` (its risks are `{}`)",
                known.join("`, `")
            ));
        }
        Ok(threats)
    }
}
