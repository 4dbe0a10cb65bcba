//! The library's reference documentation, generated from the library itself
//! (`rampart kb docs`): one page per threat domain with a section per threat,
//! and pages for countermeasures and the catalog. A test keeps the committed
//! pages in step with the library.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::describe;
use crate::library::KnowledgeBase;

/// (file name, Markdown) pairs, in a stable order.
pub fn pages(kb: &KnowledgeBase) -> Vec<(String, String)> {
    let mut by_domain: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, threat) in kb.threats.iter().enumerate() {
        let domain = threat.source.rsplit('/').nth(1).unwrap_or("threats").to_string();
        by_domain.entry(domain).or_default().push(index);
    }
    let mut pages = Vec::new();
    let mut index = String::from(
        "# Threat library reference\n\nGenerated from `kb/` by `rampart kb docs --output docs/library`; do not edit by hand.\n\n",
    );
    let _ = writeln!(index, "| domain | threats |\n|---|---|");
    for (domain, threats) in &by_domain {
        let _ = writeln!(index, "| [{domain}](threats-{domain}.md) | {} |", threats.len());
    }
    let _ = writeln!(
        index,
        "\nAlso: [countermeasures](countermeasures.md) ({}), [component catalog](catalog.md) ({}).",
        kb.countermeasures.len(),
        kb.component_types.len()
    );
    pages.push(("README.md".to_string(), index));
    for (domain, threats) in &by_domain {
        let mut page = format!("# Threats: {domain}\n\nGenerated from `kb/threats/{domain}/`; do not edit by hand.\n");
        let mut sorted = threats.clone();
        sorted.sort_by(|a, b| kb.threats[*a].id.cmp(&kb.threats[*b].id));
        for &threat_index in &sorted {
            threat_section(kb, threat_index, &mut page);
        }
        pages.push((format!("threats-{domain}.md"), page));
    }
    pages.push(("countermeasures.md".to_string(), countermeasures_page(kb)));
    pages.push(("catalog.md".to_string(), catalog_page(kb)));
    pages
}

fn ids<T: ToString>(items: &[T], prefix: &str) -> String {
    if items.is_empty() {
        return "—".to_string();
    }
    items.iter().map(|item| format!("{prefix}{}", item.to_string())).collect::<Vec<_>>().join(", ")
}

fn threat_section(kb: &KnowledgeBase, index: usize, page: &mut String) {
    let threat = &kb.threats[index];
    let _ = writeln!(page, "\n## {} — `{}`\n", threat.title, threat.id);
    let _ = writeln!(page, "{}\n", threat.description.trim());
    let stride: Vec<&str> = threat.stride.iter().map(|s| s.label()).collect();
    let _ = writeln!(page, "- **STRIDE:** {}", stride.join(", "));
    let _ = writeln!(page, "- **CWE:** {}", ids(&threat.cwe, "CWE-"));
    let _ = writeln!(page, "- **CAPEC:** {}", ids(&threat.capec, "CAPEC-"));
    let _ = writeln!(page, "- **ATT&CK:** {}", ids(&threat.attack, ""));
    if !threat.owasp_llm.is_empty() {
        let _ = writeln!(page, "- **OWASP Top 10 for LLM Applications:** {}", threat.owasp_llm.join(", "));
    }
    let _ = writeln!(page, "- **Base risk:** likelihood {} × impact {}", threat.likelihood, threat.impact);
    let _ = writeln!(page, "- **Applies to:** {}", describe::applies_to(&threat.applies_to, kb));
    if let Some(reason) = &threat.unconditional_because {
        let _ = writeln!(page, "- **Applies regardless of facts because:** {}", reason.trim());
    }
    let _ = writeln!(page, "- **Countermeasures:**");
    for &measure in &threat.countermeasures {
        let c = &kb.countermeasures[measure];
        let _ = writeln!(page, "  - [{}](countermeasures.md#{}) — {}", c.name, c.id, c.description.trim());
    }
    if !threat.references.is_empty() {
        let _ = writeln!(page, "- **References:** {}", threat.references.join(" · "));
    }
    let _ = writeln!(page, "- **Source:** `kb/{}`", threat.source);
}

fn countermeasures_page(kb: &KnowledgeBase) -> String {
    let mut page = String::from("# Countermeasures\n\nGenerated from `kb/countermeasures/`; do not edit by hand.\n");
    let mut sorted: Vec<usize> = (0..kb.countermeasures.len()).collect();
    sorted.sort_by(|a, b| kb.countermeasures[*a].id.cmp(&kb.countermeasures[*b].id));
    for index in sorted {
        let c = &kb.countermeasures[index];
        let _ = writeln!(page, "\n<a id=\"{}\"></a>\n## {} — `{}`\n", c.id, c.name, c.id);
        let _ = writeln!(page, "{}\n", c.description.trim());
        if let Some(guidance) = &c.guidance {
            let _ = writeln!(page, "**How to implement:** {}\n", guidance.trim());
        }
        let _ = writeln!(page, "- **Effectiveness:** {:?}", c.effectiveness);
        for (label, refs) in [
            ("NIST SP 800-53 rev5", &c.nist_800_53),
            ("OWASP ASVS", &c.asvs),
            ("ISO/IEC 27001:2022", &c.iso_27001),
            ("PCI DSS v4.0", &c.pci_dss),
        ] {
            if !refs.is_empty() {
                let _ = writeln!(page, "- **{label}:** {}", refs.join(", "));
            }
        }
        let answers: Vec<String> =
            kb.threats.iter().filter(|t| t.countermeasures.contains(&index)).map(|t| format!("`{}`", t.id)).collect();
        let _ =
            writeln!(page, "- **Answers:** {}", if answers.is_empty() { "—".to_string() } else { answers.join(", ") });
    }
    page
}

fn catalog_page(kb: &KnowledgeBase) -> String {
    let mut page = String::from(
        "# Component catalog\n\nGenerated from `kb/catalog/`; do not edit by hand.\n\n| id | name | category | domain | traits |\n|---|---|---|---|---|\n",
    );
    let mut sorted: Vec<&crate::library::ComponentType> = kb.component_types.iter().collect();
    sorted.sort_by(|a, b| a.domain.cmp(&b.domain).then(a.id.cmp(&b.id)));
    for t in sorted {
        let traits: Vec<&str> = t.traits.ones().filter_map(|i| kb.traits.names.get(i)).map(String::as_str).collect();
        let _ = writeln!(page, "| `{}` | {} | {:?} | {} | {} |", t.id, t.name, t.category, t.domain, traits.join(", "));
    }
    page
}
