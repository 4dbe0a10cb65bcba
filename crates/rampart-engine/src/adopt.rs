//! Threats recorded in another tool's file, matched to the library's.
//!
//! An importer cannot know which of Rampart's rules a threat written in
//! Threat Dragon or the Threat Modeling Tool corresponds to, so it records
//! every such threat as a custom threat with its tracking state. This step,
//! run once the library is loaded, finds the custom threats that Rampart
//! raises anyway on the same target (same CWE, or the same title) and turns
//! them into tracking entries on Rampart's threat: the user keeps one threat,
//! with the state the other tool gave it, instead of two.

use std::collections::HashMap;

use rampart_kb::{KnowledgeBase, Stride};
use rampart_model::{CustomThreat, Model};

use crate::analysis::{Options, analyze};

/// One imported threat that now tracks a threat of the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdoptedThreat {
    /// `CUSTOM@TARGET`, as the importer named it.
    pub imported: String,
    /// `RULE@TARGET`: the library's threat it matched.
    pub library: String,
}

/// Replaces the custom threats of `model` that the library raises on the same
/// target by tracking entries on the library's threat, and returns what was
/// replaced. Custom threats with no match stay. The model must be valid.
pub fn adopt_library_threats(model: &mut Model, kb: &KnowledgeBase) -> Vec<AdoptedThreat> {
    if model.custom_threats.is_empty() {
        return Vec::new();
    }
    // The library's threats as they are raised on this model; the custom
    // threats are not rules of `kb`, so they do not match themselves.
    let raised: Vec<(String, String, String)> = {
        let analysis = analyze(model, kb, &Options::default());
        analysis.threats.iter().map(|t| (t.target.id.clone(), t.rule.to_string(), t.id.clone())).collect()
    };
    let mut by_target: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (target, rule, id) in &raised {
        by_target.entry(target.as_str()).or_default().push((rule.as_str(), id.as_str()));
    }

    let mut adopted = Vec::new();
    let mut kept = Vec::new();
    for mut custom in std::mem::take(&mut model.custom_threats) {
        let targets = if custom.targets.is_empty() { vec![None] } else { custom.targets.iter().map(Some).collect() };
        let mut remaining = Vec::new();
        let mut matched = 0;
        for target in targets {
            let target_id = target.map_or("model", |t| t.value.as_str());
            let candidates = by_target.get(target_id).map(Vec::as_slice).unwrap_or_default();
            match best_match(&custom, candidates, kb) {
                Some(library) => {
                    matched += 1;
                    adopted.push(AdoptedThreat {
                        imported: format!("{}@{target_id}", custom.id.value),
                        library: library.to_string(),
                    });
                }
                None => remaining.extend(target.cloned()),
            }
        }
        // Kept for the targets nothing matched; gone when every one did.
        if matched == 0 || !remaining.is_empty() {
            custom.targets = remaining;
            kept.push(custom);
        }
    }
    model.custom_threats = kept;
    retarget_tracking(model, &adopted);
    adopted
}

/// CWE's pillars: weaknesses so broad that sharing one says nothing about
/// two threats being the same (CWE-693 "Protection Mechanism Failure").
const PILLAR_CWES: [u32; 10] = [284, 435, 664, 682, 691, 693, 697, 703, 707, 710];

/// The library threat (`RULE@TARGET`) among `candidates` that `custom` is:
/// one sharing a specific CWE and, when both name STRIDE categories, one of
/// those; else one with the same title.
fn best_match<'a>(custom: &CustomThreat, candidates: &[(&str, &'a str)], kb: &KnowledgeBase) -> Option<&'a str> {
    let title = normalize(&custom.title);
    let custom_stride: Vec<Stride> = custom.stride.iter().filter_map(|word| Stride::parse(&word.value)).collect();
    let shares_cwe = |rule: &str| {
        kb.threat(rule).is_some_and(|threat| {
            let cwe = threat.cwe.iter().any(|cwe| custom.cwe.contains(cwe) && !PILLAR_CWES.contains(cwe));
            let stride = custom_stride.is_empty()
                || threat.stride.is_empty()
                || threat.stride.iter().any(|category| custom_stride.contains(category));
            cwe && stride
        })
    };
    let same_title = |rule: &str| kb.threat(rule).is_some_and(|threat| normalize(&threat.title) == title);
    candidates
        .iter()
        .find(|(rule, _)| shares_cwe(rule))
        .or_else(|| candidates.iter().find(|(rule, _)| same_title(rule)))
        .map(|(_, id)| *id)
}

fn normalize(title: &str) -> String {
    title.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Tracking entries of adopted threats now name the library's threat; when
/// that one is tracked already, the model's own entry wins.
fn retarget_tracking(model: &mut Model, adopted: &[AdoptedThreat]) {
    let renamed: HashMap<&str, &str> = adopted.iter().map(|a| (a.imported.as_str(), a.library.as_str())).collect();
    let mut tracked: std::collections::HashSet<String> = model
        .threats
        .iter()
        .filter(|t| !renamed.contains_key(t.threat.value.as_str()))
        .map(|t| t.threat.value.clone())
        .collect();
    model.threats.retain_mut(|entry| match renamed.get(entry.threat.value.as_str()) {
        None => true,
        Some(library) => {
            entry.threat.value = library.to_string();
            tracked.insert(library.to_string())
        }
    });
}

#[cfg(test)]
mod tests {
    use rampart_model::{Located, Status, Tracking, parse_model};

    use super::*;

    fn model() -> Model {
        let text = "rampart: 1\nname: t\ncomponents:\n  - id: web\n    kind: web-app\n    exposure: internet\n    capabilities: [sql-queries]\n  - id: db\n    kind: relational-database\nflows:\n  - from: web\n    to: db\n    protocol: sql\n";
        parse_model(text, rampart_model::Syntax::Yaml).expect("model")
    }

    fn custom(id: &str, title: &str, cwe: &[u32], targets: &[&str]) -> CustomThreat {
        CustomThreat {
            id: Located::synthetic(id.to_string()),
            title: title.to_string(),
            cwe: cwe.to_vec(),
            targets: targets.iter().map(|t| Located::synthetic(t.to_string())).collect(),
            ..CustomThreat::default()
        }
    }

    fn tracking(threat: &str, status: Status) -> Tracking {
        Tracking { threat: Located::synthetic(threat.to_string()), status, ..Tracking::default() }
    }

    #[test]
    fn a_threat_the_library_raises_becomes_tracking_on_it() {
        let kb = rampart_kb::builtin().expect("library");
        let mut model = model();
        let raised = analyze(&model, &kb, &Options::default());
        let sql = raised.threats.iter().find(|t| t.target.id == "web" && t.cwe.contains(&89)).expect("CWE-89 on web");
        let library_id = sql.id.clone();
        model.custom_threats = vec![
            custom("td-sqli", "SQL injection in search", &[89], &["web", "db"]),
            custom("td-odd", "Something Rampart does not know", &[], &["web"]),
        ];
        model.threats = vec![tracking("td-sqli@web", Status::Mitigated), tracking("td-odd@web", Status::Open)];

        let adopted = adopt_library_threats(&mut model, &kb);

        assert_eq!(adopted, vec![AdoptedThreat { imported: "td-sqli@web".into(), library: library_id.clone() }]);
        // td-sqli stays for `db`, where the library raises no CWE-89 threat.
        let sqli = model.custom_threats.iter().find(|c| c.id.value == "td-sqli").expect("kept for db");
        assert_eq!(sqli.targets.iter().map(|t| t.value.as_str()).collect::<Vec<_>>(), ["db"]);
        assert!(model.custom_threats.iter().any(|c| c.id.value == "td-odd"));
        let statuses: Vec<(&str, Status)> = model.threats.iter().map(|t| (t.threat.value.as_str(), t.status)).collect();
        assert_eq!(statuses, [(library_id.as_str(), Status::Mitigated), ("td-odd@web", Status::Open)]);
    }

    #[test]
    fn the_models_own_tracking_entry_wins_over_an_adopted_one() {
        let kb = rampart_kb::builtin().expect("library");
        let mut model = model();
        let raised = analyze(&model, &kb, &Options::default());
        let sql = raised.threats.iter().find(|t| t.target.id == "web" && t.cwe.contains(&89)).expect("CWE-89");
        let library_id = sql.id.clone();
        model.custom_threats = vec![custom("td-sqli", "x", &[89], &["web"])];
        model.threats = vec![tracking(&library_id, Status::Accepted), tracking("td-sqli@web", Status::Mitigated)];
        adopt_library_threats(&mut model, &kb);
        assert!(model.custom_threats.is_empty());
        assert_eq!(model.threats.len(), 1);
        assert_eq!(model.threats[0].status, Status::Accepted);
    }

    #[test]
    fn a_broad_cwe_or_another_stride_category_is_no_match() {
        let kb = rampart_kb::builtin().expect("library");
        let mut model = model();
        model.custom_threats = vec![
            // CWE-693 is a pillar: every protection failure shares it.
            custom("broad", "Something strange", &[693], &["web"]),
            CustomThreat {
                stride: vec![Located::synthetic("denial-of-service".to_string())],
                ..custom("other-category", "Slow queries", &[89], &["web"])
            },
        ];
        assert!(adopt_library_threats(&mut model, &kb).is_empty());
        assert_eq!(model.custom_threats.len(), 2);
    }
}
