//! Counts of what the library holds, so anyone can check breadth claims
//! (`rampart kb stats`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::library::KnowledgeBase;

/// How many links a library has to one framework, and to how many distinct ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// Library entries with at least one id of the framework.
    pub entries: usize,
    /// Entry → id links.
    pub links: usize,
    /// Distinct ids cited.
    pub distinct_ids: usize,
}

impl Mapping {
    fn count<I: IntoIterator<Item = String>>(lists: impl Iterator<Item = I>) -> Mapping {
        let mut mapping = Mapping::default();
        let mut distinct = BTreeSet::new();
        for list in lists {
            let ids: Vec<String> = list.into_iter().collect();
            if !ids.is_empty() {
                mapping.entries += 1;
            }
            mapping.links += ids.len();
            distinct.extend(ids);
        }
        mapping.distinct_ids = distinct.len();
        mapping
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub component_types: usize,
    pub component_types_by_domain: BTreeMap<String, usize>,
    pub threats: usize,
    /// By the directory under `threats/` that holds the rule.
    pub threats_by_domain: BTreeMap<String, usize>,
    pub threats_by_stride: BTreeMap<String, usize>,
    pub countermeasures: usize,
    pub countermeasures_with_guidance: usize,
    pub threat_mappings: BTreeMap<String, Mapping>,
    pub countermeasure_mappings: BTreeMap<String, Mapping>,
    pub vocabulary: BTreeMap<String, usize>,
}

pub fn stats(kb: &KnowledgeBase) -> Stats {
    let mut stats = Stats {
        component_types: kb.component_types.len(),
        threats: kb.threats.len(),
        countermeasures: kb.countermeasures.len(),
        countermeasures_with_guidance: kb.countermeasures.iter().filter(|c| c.guidance.is_some()).count(),
        ..Stats::default()
    };
    for component_type in &kb.component_types {
        *stats.component_types_by_domain.entry(component_type.domain.clone()).or_default() += 1;
    }
    for threat in &kb.threats {
        let domain = threat.source.rsplit('/').nth(1).unwrap_or("threats").to_string();
        *stats.threats_by_domain.entry(domain).or_default() += 1;
        for category in &threat.stride {
            *stats.threats_by_stride.entry(category.label().to_string()).or_default() += 1;
        }
    }
    let threats = &kb.threats;
    let cwe = Mapping::count(threats.iter().map(|t| t.cwe.iter().map(|id| format!("CWE-{id}")).collect::<Vec<_>>()));
    let capec =
        Mapping::count(threats.iter().map(|t| t.capec.iter().map(|id| format!("CAPEC-{id}")).collect::<Vec<_>>()));
    let attack_where = |ics: bool| {
        Mapping::count(
            threats
                .iter()
                .map(|t| t.attack.iter().filter(|id| id.starts_with("T0") == ics).cloned().collect::<Vec<_>>()),
        )
    };
    let llm = Mapping::count(threats.iter().map(|t| t.owasp_llm.clone()));
    stats.threat_mappings = BTreeMap::from([
        ("cwe".to_string(), cwe),
        ("capec".to_string(), capec),
        ("attack_enterprise".to_string(), attack_where(false)),
        ("attack_ics".to_string(), attack_where(true)),
        ("owasp_llm_top10".to_string(), llm),
    ]);
    let measures = &kb.countermeasures;
    stats.countermeasure_mappings = BTreeMap::from([
        ("nist_800_53".to_string(), Mapping::count(measures.iter().map(|c| c.nist_800_53.clone()))),
        ("owasp_asvs".to_string(), Mapping::count(measures.iter().map(|c| c.asvs.clone()))),
        ("iso_27001".to_string(), Mapping::count(measures.iter().map(|c| c.iso_27001.clone()))),
        ("pci_dss".to_string(), Mapping::count(measures.iter().map(|c| c.pci_dss.clone()))),
    ]);
    stats.vocabulary = BTreeMap::from([
        ("traits".to_string(), kb.traits.len()),
        ("capabilities".to_string(), kb.capabilities.len()),
        ("data_formats".to_string(), kb.data_formats.len()),
        ("data_categories".to_string(), kb.data_categories.len()),
        ("protocols".to_string(), kb.protocols.len()),
    ]);
    stats
}
