//! Rampart's relevance benchmark.
//!
//! `eval/` holds native models of publicly documented, intentionally
//! vulnerable systems (OWASP crAPI, VAmPI, DVGA, ...), each written as an
//! architect would describe the system before any code exists, next to the
//! list of weakness classes (CWE ids) the system's own documentation says it
//! contains and the classes that cannot apply to that architecture.
//!
//! [`evaluate`] analyzes every model with the shipped library and measures:
//! - recall: the share of documented CWE classes for which Rampart raised at
//!   least one threat carrying that CWE (or, only where
//!   `eval/cwe-equivalence.yaml` says so, a closely related one);
//! - noise: threats raised whose CWEs the system's `expected.yaml` lists as
//!   not applicable to its architecture.
//!
//! Layout of the benchmark directory:
//!
//! ```text
//! eval/
//!   cwe-equivalence.yaml        # the explicit, small equivalence table
//!   <system>/model.yaml         # a native Rampart model
//!   <system>/expected.yaml      # documented and not-applicable CWE classes
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rampart_engine::{Options, analyze};
use rampart_kb::KnowledgeBase;
use rampart_model::{Syntax, parse_model, validate};
use serde::{Deserialize, Serialize};

/// `eval/<system>/expected.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Name of the system.
    pub system: String,
    /// The public documentation the list was taken from.
    pub source: Vec<String>,
    /// Weakness classes the system's documentation says it contains.
    pub documented_cwes: Vec<Documented>,
    /// Weakness classes that cannot apply to the system's architecture.
    #[serde(default)]
    pub not_applicable_cwes: Vec<NotApplicable>,
}

/// One documented weakness class.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Documented {
    pub cwe: u32,
    pub title: String,
    /// Where the documentation places it (challenge, page, feature).
    #[serde(rename = "where")]
    pub location: String,
    /// Model ids (elements, flows, data, or `model`) where the documented
    /// weakness lives. When given, only threats raised on one of them count;
    /// when left out, a threat anywhere in the model does (for weaknesses of
    /// the system as a whole).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<String>,
    /// Why an architecture-level threat model cannot be expected to raise it,
    /// when that is known; printed with the miss. A gap that Rampart closes is
    /// reported as stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
}

/// One weakness class that cannot apply.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NotApplicable {
    pub cwe: u32,
    /// The architectural fact that rules it out.
    pub reason: String,
}

/// `eval/cwe-equivalence.yaml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EquivalenceTable {
    #[serde(default)]
    pub equivalences: Vec<Equivalence>,
}

/// A documented CWE that a threat carrying one of `matched_by` also counts as
/// finding. One-way: `matched_by` ids do not match each other or `cwe`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalence {
    pub cwe: u32,
    pub matched_by: Vec<u32>,
    pub reason: String,
}

impl EquivalenceTable {
    /// The CWE ids that count as finding `cwe`, itself first.
    pub fn matches_for(&self, cwe: u32) -> Vec<u32> {
        let mut ids = vec![cwe];
        for entry in self.equivalences.iter().filter(|entry| entry.cwe == cwe) {
            ids.extend(entry.matched_by.iter().copied().filter(|id| *id != cwe));
        }
        ids
    }
}

/// A documented class Rampart found.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub cwe: u32,
    pub title: String,
    /// The equivalent CWE that matched, when the documented one itself was not raised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_equivalent: Option<u32>,
    /// Rules whose threats carry the CWE (or its equivalent).
    pub rules: Vec<String>,
}

/// A documented class Rampart did not find.
#[derive(Clone, Debug, Serialize)]
pub struct Miss {
    pub cwe: u32,
    pub title: String,
    #[serde(rename = "where")]
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
}

/// A threat raised whose CWE the system lists as not applicable.
#[derive(Clone, Debug, Serialize)]
pub struct Noise {
    pub threat: String,
    pub cwe: u32,
    pub reason: String,
}

/// A threat Rampart raised on a system's model.
#[derive(Clone, Debug, Serialize)]
pub struct Raised {
    /// `RULE@TARGET`.
    pub id: String,
    pub rule: String,
    pub cwe: Vec<u32>,
}

/// The outcome for one system.
#[derive(Clone, Debug, Serialize)]
pub struct SystemReport {
    /// Directory name under the benchmark directory.
    pub id: String,
    pub system: String,
    pub valid: bool,
    /// Model or expected-file errors; none when valid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Warnings about the benchmark files themselves (stale gaps, overlaps).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub elements: usize,
    pub flows: usize,
    pub threats: usize,
    pub documented: usize,
    pub found: usize,
    pub recall: f64,
    pub hits: Vec<Hit>,
    pub misses: Vec<Miss>,
    pub noise: Vec<Noise>,
    /// Every threat raised, in the engine's order.
    pub raised: Vec<Raised>,
}

/// Figures over every system.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overall {
    pub systems: usize,
    pub valid: usize,
    pub threats: usize,
    pub documented: usize,
    pub found: usize,
    /// Found over documented, summed over systems.
    pub recall: f64,
    /// The mean of per-system recalls.
    pub macro_recall: f64,
    /// Threats raised with a not-applicable CWE, summed over systems.
    pub noise: usize,
}

/// The whole benchmark result.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub library_threats: usize,
    pub equivalences: Vec<Equivalence>,
    pub systems: Vec<SystemReport>,
    pub overall: Overall,
}

impl Report {
    /// Whether every model and expected file was valid.
    pub fn all_valid(&self) -> bool {
        self.systems.iter().all(|system| system.valid)
    }
}

/// Errors that stop the benchmark as a whole.
#[derive(Debug)]
pub enum Error {
    Io(PathBuf, std::io::Error),
    Library(Vec<String>),
    Equivalence(PathBuf, String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(path, error) => write!(f, "{}: {error}", path.display()),
            Error::Library(errors) => write!(f, "the shipped library does not compile:\n{}", errors.join("\n")),
            Error::Equivalence(path, error) => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Runs the benchmark over `dir` with the shipped library.
pub fn evaluate(dir: &Path) -> Result<Report, Error> {
    let kb =
        rampart_kb::builtin().map_err(|errors| Error::Library(errors.iter().map(ToString::to_string).collect()))?;
    evaluate_with(dir, &kb)
}

/// Runs the benchmark over `dir` with `kb`.
pub fn evaluate_with(dir: &Path, kb: &KnowledgeBase) -> Result<Report, Error> {
    let equivalence_path = dir.join("cwe-equivalence.yaml");
    let equivalences = if equivalence_path.exists() {
        let text = read(&equivalence_path)?;
        rampart_model::parse::from_yaml::<EquivalenceTable>(&text)
            .map_err(|error| Error::Equivalence(equivalence_path.clone(), error.to_string()))?
    } else {
        EquivalenceTable::default()
    };

    let mut system_dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|error| Error::Io(dir.to_path_buf(), error))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir() && path.join("model.yaml").exists())
        .collect();
    system_dirs.sort();

    let mut systems = Vec::new();
    for system_dir in &system_dirs {
        systems.push(evaluate_system(system_dir, kb, &equivalences)?);
    }

    let mut overall = Overall { systems: systems.len(), ..Overall::default() };
    let mut recall_sum = 0.0;
    for system in &systems {
        if system.valid {
            overall.valid += 1;
        }
        overall.threats += system.threats;
        overall.documented += system.documented;
        overall.found += system.found;
        overall.noise += system.noise.len();
        recall_sum += system.recall;
    }
    overall.recall = ratio(overall.found, overall.documented);
    overall.macro_recall = if systems.is_empty() { 0.0 } else { recall_sum / systems.len() as f64 };

    Ok(Report { library_threats: kb.threats.len(), equivalences: equivalences.equivalences, systems, overall })
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|error| Error::Io(path.to_path_buf(), error))
}

fn ratio(found: usize, documented: usize) -> f64 {
    if documented == 0 { 0.0 } else { found as f64 / documented as f64 }
}

fn evaluate_system(dir: &Path, kb: &KnowledgeBase, equivalences: &EquivalenceTable) -> Result<SystemReport, Error> {
    let id = dir.file_name().map(|name| name.to_string_lossy().to_string()).unwrap_or_default();
    let model_path = dir.join("model.yaml");
    let expected_path = dir.join("expected.yaml");
    let mut report = SystemReport {
        id: id.clone(),
        system: id.clone(),
        valid: true,
        errors: Vec::new(),
        warnings: Vec::new(),
        elements: 0,
        flows: 0,
        threats: 0,
        documented: 0,
        found: 0,
        recall: 0.0,
        hits: Vec::new(),
        misses: Vec::new(),
        noise: Vec::new(),
        raised: Vec::new(),
    };

    let expected = if expected_path.exists() {
        match rampart_model::parse::from_yaml::<Expected>(&read(&expected_path)?) {
            Ok(expected) => Some(expected),
            Err(error) => {
                report.errors.push(format!("{id}/expected.yaml: {error}"));
                None
            }
        }
    } else {
        report.errors.push(format!("{id}/expected.yaml: missing"));
        None
    };
    if let Some(expected) = &expected {
        report.system = expected.system.clone();
        report.errors.extend(check_expected(&id, expected));
    }

    let text = read(&model_path)?;
    let model = match parse_model(&text, Syntax::Yaml) {
        Ok(model) => Some(model),
        Err(error) => {
            report.errors.push(format!("{id}/model.yaml:{error}"));
            None
        }
    };
    let model = model.filter(|model| {
        let errors: Vec<String> = validate(model, &kb.vocabulary())
            .into_iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| format!("{id}/model.yaml:{diagnostic}"))
            .collect();
        let ok = errors.is_empty();
        report.errors.extend(errors);
        ok
    });

    let (Some(model), Some(expected)) = (model, expected) else {
        report.valid = false;
        return Ok(report);
    };
    if !report.errors.is_empty() {
        report.valid = false;
        return Ok(report);
    }

    let analysis = analyze(&model, kb, &Options::default());
    report.elements = analysis.model.elements;
    report.flows = analysis.model.flows;
    report.threats = analysis.threats.len();
    report.raised = analysis
        .threats
        .iter()
        .map(|threat| Raised { id: threat.id.clone(), rule: threat.rule.to_string(), cwe: threat.cwe.to_vec() })
        .collect();

    // Which rules raised each CWE, and on which targets.
    let mut raised: BTreeMap<u32, Vec<(&str, &str)>> = BTreeMap::new();
    for threat in &analysis.threats {
        for &cwe in threat.cwe {
            raised.entry(cwe).or_default().push((threat.rule, threat.target.id.as_str()));
        }
    }

    let known_targets: BTreeSet<String> = model_ids(&model);
    for documented in &expected.documented_cwes {
        for target in documented.at.iter().filter(|target| !known_targets.contains(*target)) {
            report.errors.push(format!(
                "{id}/expected.yaml: CWE-{} is placed `at` `{target}`, which the model does not declare",
                documented.cwe
            ));
        }
        let matched = equivalences.matches_for(documented.cwe).into_iter().find_map(|candidate| {
            let rules: BTreeSet<String> = raised
                .get(&candidate)?
                .iter()
                .filter(|(_, target)| documented.at.is_empty() || documented.at.iter().any(|at| at == target))
                .map(|(rule, _)| rule.to_string())
                .collect();
            (!rules.is_empty()).then(|| (candidate, rules.into_iter().collect::<Vec<_>>()))
        });
        match matched {
            Some((candidate, rules)) => {
                if documented.gap.is_some() {
                    report
                        .warnings
                        .push(format!("CWE-{} is now found; its `gap` note in expected.yaml is stale", documented.cwe));
                }
                report.hits.push(Hit {
                    cwe: documented.cwe,
                    title: documented.title.clone(),
                    via_equivalent: (candidate != documented.cwe).then_some(candidate),
                    rules,
                });
            }
            None => report.misses.push(Miss {
                cwe: documented.cwe,
                title: documented.title.clone(),
                location: documented.location.clone(),
                gap: documented.gap.clone(),
            }),
        }
    }

    let not_applicable: BTreeMap<u32, &str> =
        expected.not_applicable_cwes.iter().map(|entry| (entry.cwe, entry.reason.as_str())).collect();
    for threat in &analysis.threats {
        for cwe in threat.cwe {
            if let Some(reason) = not_applicable.get(cwe) {
                report.noise.push(Noise { threat: threat.id.clone(), cwe: *cwe, reason: reason.to_string() });
            }
        }
    }

    report.documented = expected.documented_cwes.len();
    report.found = report.hits.len();
    report.recall = ratio(report.found, report.documented);
    report.valid = report.errors.is_empty();
    Ok(report)
}

/// Every id a threat can target in `model`: elements, flows, data and `model`.
fn model_ids(model: &rampart_model::Model) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = BTreeSet::from(["model".to_string()]);
    ids.extend(model.actors.iter().map(|actor| actor.id.value.clone()));
    ids.extend(model.components.iter().map(|component| component.id.value.clone()));
    ids.extend(model.data.iter().map(|asset| asset.id.value.clone()));
    ids.extend(model.flows.iter().map(|flow| flow.id()));
    ids
}

/// Problems in an expected file: nothing documented, duplicates, a class
/// both documented and ruled out, missing reasons.
fn check_expected(id: &str, expected: &Expected) -> Vec<String> {
    let mut errors = Vec::new();
    if expected.documented_cwes.is_empty() {
        errors.push(format!("{id}/expected.yaml: `documented_cwes` is empty"));
    }
    if expected.source.is_empty() {
        errors.push(format!("{id}/expected.yaml: `source` names no documentation"));
    }
    let mut documented = BTreeSet::new();
    for entry in &expected.documented_cwes {
        if !documented.insert(entry.cwe) {
            errors.push(format!("{id}/expected.yaml: CWE-{} is documented twice", entry.cwe));
        }
    }
    let mut ruled_out = BTreeSet::new();
    for entry in &expected.not_applicable_cwes {
        if !ruled_out.insert(entry.cwe) {
            errors.push(format!("{id}/expected.yaml: CWE-{} is listed twice as not applicable", entry.cwe));
        }
        if documented.contains(&entry.cwe) {
            errors.push(format!("{id}/expected.yaml: CWE-{} is both documented and not applicable", entry.cwe));
        }
        if entry.reason.trim().is_empty() {
            errors.push(format!("{id}/expected.yaml: CWE-{} is ruled out without a reason", entry.cwe));
        }
    }
    errors
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// The report as a table for the terminal; `verbose` adds, per system, the
/// rules that found each documented class and every rule raised.
pub fn render_table(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Rampart relevance benchmark: {} systems, library of {} threats, {} CWE equivalences\n",
        report.overall.systems,
        report.library_threats,
        report.equivalences.len()
    );
    let name_width = report.systems.iter().map(|system| system.system.chars().count()).max().unwrap_or(6).max(7);
    let _ = writeln!(
        out,
        "{:<name_width$}  {:>5}  {:>7}  {:>10}  {:>5}  {:>7}  {:>5}",
        "system", "valid", "threats", "documented", "found", "recall", "noise"
    );
    for system in &report.systems {
        let _ = writeln!(
            out,
            "{:<name_width$}  {:>5}  {:>7}  {:>10}  {:>5}  {:>7}  {:>5}",
            system.system,
            if system.valid { "yes" } else { "NO" },
            system.threats,
            system.documented,
            system.found,
            percent(system.recall),
            system.noise.len()
        );
    }
    let overall = &report.overall;
    let _ = writeln!(
        out,
        "{:<name_width$}  {:>5}  {:>7}  {:>10}  {:>5}  {:>7}  {:>5}",
        "overall",
        format!("{}/{}", overall.valid, overall.systems),
        overall.threats,
        overall.documented,
        overall.found,
        percent(overall.recall),
        overall.noise
    );
    let _ = writeln!(out, "\nmacro recall (mean of systems): {}", percent(overall.macro_recall));

    let invalid: Vec<&SystemReport> = report.systems.iter().filter(|system| !system.valid).collect();
    if !invalid.is_empty() {
        let _ = writeln!(out, "\nInvalid:");
        for system in invalid {
            for error in &system.errors {
                let _ = writeln!(out, "  {error}");
            }
        }
    }

    let mut any_miss = false;
    for system in &report.systems {
        for miss in &system.misses {
            if !any_miss {
                let _ = writeln!(out, "\nMisses:");
                any_miss = true;
            }
            let _ = writeln!(out, "  {}: CWE-{} {} ({})", system.system, miss.cwe, miss.title, miss.location);
            if let Some(gap) = &miss.gap {
                let _ = writeln!(out, "      gap: {gap}");
            }
        }
    }

    let mut any_noise = false;
    for system in &report.systems {
        for noise in &system.noise {
            if !any_noise {
                let _ = writeln!(out, "\nNoise (threats with a CWE the architecture rules out):");
                any_noise = true;
            }
            let _ = writeln!(out, "  {}: {} carries CWE-{}: {}", system.system, noise.threat, noise.cwe, noise.reason);
        }
    }

    let mut any_equivalent = false;
    for system in &report.systems {
        for hit in system.hits.iter().filter(|hit| hit.via_equivalent.is_some()) {
            if !any_equivalent {
                let _ = writeln!(out, "\nFound only through an equivalence:");
                any_equivalent = true;
            }
            let _ = writeln!(
                out,
                "  {}: CWE-{} {} via CWE-{} ({})",
                system.system,
                hit.cwe,
                hit.title,
                hit.via_equivalent.unwrap_or_default(),
                hit.rules.join(", ")
            );
        }
    }

    if verbose {
        for system in &report.systems {
            let _ = writeln!(out, "\n{} ({}):", system.system, system.id);
            for hit in &system.hits {
                let via = hit.via_equivalent.map(|cwe| format!(" via CWE-{cwe}")).unwrap_or_default();
                let _ = writeln!(out, "  found CWE-{}{via}: {}", hit.cwe, hit.rules.join(", "));
            }
            let mut by_rule: BTreeMap<&str, (Vec<u32>, Vec<&str>)> = BTreeMap::new();
            for raised in &system.raised {
                let entry = by_rule.entry(raised.rule.as_str()).or_insert_with(|| (raised.cwe.clone(), Vec::new()));
                entry.1.push(raised.id.split_once('@').map_or(raised.id.as_str(), |(_, target)| target));
            }
            for (rule, (cwe, targets)) in by_rule {
                let cwe: Vec<String> = cwe.iter().map(|id| format!("CWE-{id}")).collect();
                let _ = writeln!(out, "  raised {rule} [{}] on {}", cwe.join(", "), targets.join(", "));
            }
        }
    }

    let warnings: Vec<String> = report
        .systems
        .iter()
        .flat_map(|system| system.warnings.iter().map(move |warning| format!("{}: {warning}", system.system)))
        .collect();
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings:");
        for warning in warnings {
            let _ = writeln!(out, "  {warning}");
        }
    }
    out
}
