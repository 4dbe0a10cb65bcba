//! Checks that a parsed model means something: ids are unique, references
//! point at the right kind of thing, boundaries nest without cycles, and
//! vocabulary terms exist in the knowledge base. Every problem is reported in
//! one pass, so a user fixes a file in one round trip.

use std::collections::BTreeSet;

use crate::date::Date;
use crate::diagnostic::{self, Diagnostic};
use crate::located::{Located, Position};
use crate::types::{FORMAT_VERSION, Model, Status, Tracking, glob_match};

/// The maps of ids built for every model read: foldhash (seeded per map)
/// hashes short ids several times faster than std's SipHash, which was a
/// tenth of the time spent here.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The terms a model may use, as the knowledge base defines them.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    pub component_kinds: BTreeSet<String>,
    pub actor_kinds: BTreeSet<String>,
    pub capabilities: BTreeSet<String>,
    pub data_formats: BTreeSet<String>,
    pub data_categories: BTreeSet<String>,
    pub protocols: BTreeSet<String>,
    pub controls: BTreeSet<String>,
    pub threat_rules: BTreeSet<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdKind {
    Boundary,
    Actor,
    Component,
    Data,
    Flow,
}

impl IdKind {
    fn noun(self) -> &'static str {
        match self {
            IdKind::Boundary => "boundary",
            IdKind::Actor => "actor",
            IdKind::Component => "component",
            IdKind::Data => "data asset",
            IdKind::Flow => "flow",
        }
    }
}

struct Checker<'m> {
    ids: HashMap<&'m str, (IdKind, Position)>,
    diagnostics: Vec<Diagnostic>,
}

/// Validates tracking entries kept outside the model (a `MODEL.tracking.yaml`
/// file) against `model`, which should have been validated already. Positions
/// refer to the tracking file. An entry the model tracks too is an error.
pub fn validate_tracking_file(model: &Model, entries: &[Tracking], vocabulary: &Vocabulary) -> Vec<Diagnostic> {
    let mut checker = Checker { ids: HashMap::default(), diagnostics: Vec::new() };
    checker.collect_ids(model);
    // Problems with the model itself were reported when it was validated.
    checker.diagnostics.clear();
    let vocabulary = &with_custom_rules(model, vocabulary);
    checker.check_tracking_entries(entries, &model.threats, vocabulary);
    let mut diagnostics = checker.diagnostics;
    diagnostic::sort(&mut diagnostics);
    diagnostics
}

/// Validates `model` against `vocabulary`; returns errors and warnings sorted
/// by position. The model is usable for analysis when none is an error.
pub fn validate(model: &Model, vocabulary: &Vocabulary) -> Vec<Diagnostic> {
    let mut checker = Checker { ids: HashMap::default(), diagnostics: Vec::new() };
    checker.check_version(model);
    checker.collect_ids(model);
    checker.check_boundaries(model, vocabulary);
    checker.check_elements(model, vocabulary);
    checker.check_data(model, vocabulary);
    checker.check_flows(model, vocabulary);
    checker.check_custom_threats(model, vocabulary);
    checker.check_tracking(model, &with_custom_rules(model, vocabulary));
    checker.check_layout(model);
    if let Some(policy) = &model.policy {
        checker.diagnostics.extend(policy.check(vocabulary));
    }
    if model.components.is_empty() {
        checker.diagnostics.push(
            Diagnostic::warning(Position::new(1, 1), "the model has no components, so no threat can be found")
                .with_help("add a `components:` list; `rampart init` writes a starter model"),
        );
    }
    let mut diagnostics = checker.diagnostics;
    diagnostic::sort(&mut diagnostics);
    diagnostics
}

/// The vocabulary with the model's own threat rules added, so tracking
/// entries may name them. Borrowed as it is when the model has none, the
/// common case: the library's vocabulary is not copied on every validation.
fn with_custom_rules<'v>(model: &Model, vocabulary: &'v Vocabulary) -> std::borrow::Cow<'v, Vocabulary> {
    if model.custom_threats.is_empty() {
        return std::borrow::Cow::Borrowed(vocabulary);
    }
    let mut vocabulary = vocabulary.clone();
    vocabulary.threat_rules.extend(model.custom_threats.iter().map(|custom| custom.id.value.clone()));
    std::borrow::Cow::Owned(vocabulary)
}

impl<'m> Checker<'m> {
    /// The editor's positions: numbers must be finite and sizes positive; an
    /// entry for an element that no longer exists is only a warning, because
    /// a stale position harms nothing and hand edits that delete an element
    /// should not have to find its layout entry too.
    fn check_layout(&mut self, model: &Model) {
        for (id, place) in &model.layout {
            let at = place.x.at;
            match self.ids.get(id.as_str()) {
                Some((IdKind::Boundary | IdKind::Actor | IdKind::Component, _)) => {}
                Some((kind, _)) => self.diagnostics.push(Diagnostic::warning(
                    at,
                    format!(
                        "layout places `{id}`, a {}; only boundaries, actors and components are drawn",
                        kind.noun()
                    ),
                )),
                None => self.diagnostics.push(
                    Diagnostic::warning(at, format!("layout places `{id}`, which is not an element of the model"))
                        .with_help("the entry is ignored; remove it or fix the id"),
                ),
            }
            let numbers =
                [("x", Some(place.x.value)), ("y", Some(place.y)), ("width", place.width), ("height", place.height)];
            for (field, value) in numbers {
                let Some(value) = value else { continue };
                let sized = matches!(field, "width" | "height");
                if !value.is_finite() || (sized && value <= 0.0) {
                    let expected = if sized { "a positive number" } else { "a finite number" };
                    self.diagnostics.push(Diagnostic::error(
                        at,
                        format!("layout of `{id}`: `{field}` is {value}; expected {expected}"),
                    ));
                }
            }
        }
    }

    fn check_custom_threats(&mut self, model: &Model, vocabulary: &Vocabulary) {
        let mut seen: HashMap<&str, Position> = HashMap::default();
        for custom in &model.custom_threats {
            let (id, at) = (custom.id.value.as_str(), custom.id.at);
            if let Some(problem) = id_syntax_problem(id) {
                self.diagnostics.push(Diagnostic::error(at, format!("custom threat id `{id}` {problem}")));
            }
            if let Some(first) = seen.insert(id, at) {
                self.diagnostics.push(Diagnostic::error(
                    at,
                    format!("custom threat `{id}` is declared twice (first on line {})", first.line),
                ));
            }
            if vocabulary.threat_rules.contains(id) {
                self.diagnostics.push(
                    Diagnostic::error(at, format!("custom threat `{id}` has the id of a knowledge-base threat rule"))
                        .with_help("give it an id of its own; to track the library's threat, use `threats:`"),
                );
            }
            if custom.title.trim().is_empty() {
                self.diagnostics.push(Diagnostic::error(at, format!("custom threat `{id}` has no title")));
            }
            for target in &custom.targets {
                let target_at = if target.at.is_known() { target.at } else { at };
                let known = match self.ids.get(target.value.as_str()) {
                    Some((IdKind::Boundary, _)) => {
                        self.diagnostics.push(Diagnostic::error(
                            target_at,
                            format!(
                                "custom threat `{id}` targets boundary `{}`; threats apply to actors, components, \
                                 flows and data",
                                target.value
                            ),
                        ));
                        continue;
                    }
                    Some(_) => true,
                    None => model.flows.iter().any(|flow| flow.id() == target.value),
                };
                if !known {
                    let candidates: Vec<&str> = self.ids.keys().copied().collect();
                    self.diagnostics.push(
                        Diagnostic::error(
                            target_at,
                            format!("custom threat `{id}` targets `{}`, which is not in the model", target.value),
                        )
                        .suggest(&target.value, candidates),
                    );
                }
            }
            for word in &custom.stride {
                if !crate::types::STRIDE_CATEGORIES.contains(&word.value.as_str()) {
                    let word_at = if word.at.is_known() { word.at } else { at };
                    self.diagnostics.push(
                        Diagnostic::error(word_at, format!("`{}` is not a STRIDE category", word.value))
                            .suggest(&word.value, crate::types::STRIDE_CATEGORIES),
                    );
                }
            }
            for (what, value) in [("likelihood", &custom.likelihood), ("impact", &custom.impact)] {
                if let Some(value) = value.as_ref().filter(|v| !(1..=5).contains(&v.value)) {
                    let value_at = if value.at.is_known() { value.at } else { at };
                    self.diagnostics.push(Diagnostic::error(
                        value_at,
                        format!("custom threat `{id}`: {what} {} is outside 1 to 5", value.value),
                    ));
                }
            }
            self.controls(&custom.countermeasures, at, vocabulary);
        }
    }

    fn check_version(&mut self, model: &Model) {
        if model.rampart.value != FORMAT_VERSION {
            self.diagnostics.push(
                Diagnostic::error(
                    model.rampart.at,
                    format!("format version {} is not supported by this build", model.rampart.value),
                )
                .with_help(format!("set `rampart: {FORMAT_VERSION}`")),
            );
        }
    }

    fn collect_ids(&mut self, model: &'m Model) {
        let declared = model.boundaries.len() + model.actors.len() + model.components.len() + model.data.len();
        self.ids.reserve(declared + model.flows.len());
        let boundaries = model.boundaries.iter().map(|b| (&b.id, IdKind::Boundary));
        let actors = model.actors.iter().map(|a| (&a.id, IdKind::Actor));
        let components = model.components.iter().map(|c| (&c.id, IdKind::Component));
        let data = model.data.iter().map(|d| (&d.id, IdKind::Data));
        for (id, kind) in boundaries.chain(actors).chain(components).chain(data) {
            self.declare(&id.value, id.at, kind);
        }
        // Implicit flow ids are derived from the ends; a clash means two flows
        // share both ends and must be told apart.
        let mut implicit: HashMap<(&str, &str), usize> = HashMap::default();
        for flow in &model.flows {
            match &flow.id {
                Some(id) => self.declare(&id.value, id.at, IdKind::Flow),
                None => *implicit.entry((flow.from.value.as_str(), flow.to.value.as_str())).or_default() += 1,
            }
        }
        for flow in model.flows.iter().filter(|flow| flow.id.is_none()) {
            let key = (flow.from.value.as_str(), flow.to.value.as_str());
            if let Some(count) = implicit.remove(&key)
                && count > 1
            {
                self.diagnostics.push(
                    Diagnostic::error(
                        flow.from.at,
                        format!("{count} flows go from `{}` to `{}` without ids", key.0, key.1),
                    )
                    .with_help(format!("give each an `id:`; the default id `{}` would be shared", flow.id())),
                );
            }
        }
    }

    fn declare(&mut self, id: &'m str, at: Position, kind: IdKind) {
        if let Some(problem) = id_syntax_problem(id) {
            self.diagnostics.push(Diagnostic::error(at, format!("{} id `{id}` {problem}", kind.noun())));
        }
        if let Some((first_kind, first_at)) = self.ids.get(id) {
            let earlier = if first_at.is_known() { format!(" on line {}", first_at.line) } else { String::new() };
            self.diagnostics.push(
                Diagnostic::error(at, format!("duplicate id `{id}`: already used by a {}{earlier}", first_kind.noun()))
                    .with_help("ids are shared by boundaries, actors, components, data and flows; rename one"),
            );
        } else {
            self.ids.insert(id, (kind, at));
        }
    }

    /// Reports a reference that is missing or names the wrong kind of thing.
    fn reference(&mut self, reference: &Located<String>, fallback: Position, expected: &[IdKind], role: &str) {
        let at = if reference.at.is_known() { reference.at } else { fallback };
        // Written only for a message: a large model checks thousands of
        // references, nearly all of them right.
        let wanted = || expected.iter().map(|kind| kind.noun()).collect::<Vec<_>>().join(" or ");
        match self.ids.get(reference.value.as_str()) {
            Some((kind, _)) if expected.contains(kind) => {}
            Some((kind, _)) => self.diagnostics.push(Diagnostic::error(
                at,
                format!("{role} `{}` is a {}, expected a {}", reference.value, kind.noun(), wanted()),
            )),
            None => {
                let candidates: Vec<&str> =
                    self.ids.iter().filter(|(_, (kind, _))| expected.contains(kind)).map(|(id, _)| *id).collect();
                let diagnostic = Diagnostic::error(
                    at,
                    format!("{role} `{}` does not exist; expected the id of a {}", reference.value, wanted()),
                )
                .suggest(&reference.value, candidates);
                self.diagnostics.push(diagnostic);
            }
        }
    }

    fn term(
        &mut self,
        term: &Located<String>,
        fallback: Position,
        known: &BTreeSet<String>,
        what: &str,
        listing: &str,
    ) {
        if known.is_empty() || known.contains(&term.value) {
            return;
        }
        let at = if term.at.is_known() { term.at } else { fallback };
        let diagnostic = Diagnostic::error(at, format!("unknown {what} `{}`", term.value));
        let diagnostic = match diagnostic::nearest(&term.value, known.iter().map(String::as_str)) {
            Some(best) => diagnostic.with_help(format!("did you mean `{best}`? `{listing}` lists them all")),
            None => diagnostic.with_help(format!("`{listing}` lists the valid values")),
        };
        self.diagnostics.push(diagnostic);
    }

    fn controls(&mut self, controls: &[Located<String>], fallback: Position, vocabulary: &Vocabulary) {
        for control in controls {
            self.term(control, fallback, &vocabulary.controls, "control", "rampart kb countermeasures");
        }
    }

    fn check_boundaries(&mut self, model: &Model, vocabulary: &Vocabulary) {
        let parents: HashMap<&str, &Located<String>> = model
            .boundaries
            .iter()
            .filter_map(|b| b.parent.as_ref().map(|parent| (b.id.value.as_str(), parent)))
            .collect();
        for boundary in &model.boundaries {
            if let Some(parent) = &boundary.parent {
                self.reference(parent, boundary.id.at, &[IdKind::Boundary], "parent boundary");
            }
            self.controls(&boundary.controls, boundary.id.at, vocabulary);
        }
        // A cycle is reported once, at the boundary with the smallest id in it.
        let mut reported = BTreeSet::new();
        for boundary in &model.boundaries {
            let mut path = vec![boundary.id.value.as_str()];
            let mut current = boundary.id.value.as_str();
            while let Some(parent) = parents.get(current) {
                let parent = parent.value.as_str();
                if let Some(start) = path.iter().position(|seen| *seen == parent) {
                    let mut cycle: Vec<&str> = path[start..].to_vec();
                    let smallest = *cycle.iter().min().unwrap_or(&parent);
                    if reported.insert(smallest.to_string()) && smallest == boundary.id.value {
                        cycle.push(parent);
                        self.diagnostics.push(
                            Diagnostic::error(
                                boundary.id.at,
                                format!("boundaries nest in a cycle: {}", cycle.join(" → ")),
                            )
                            .with_help("remove one `parent:` so that the nesting forms a tree"),
                        );
                    }
                    break;
                }
                path.push(parent);
                current = parent;
            }
        }
    }

    fn check_elements(&mut self, model: &Model, vocabulary: &Vocabulary) {
        for actor in &model.actors {
            self.term(&actor.kind, actor.id.at, &vocabulary.actor_kinds, "actor kind", "rampart kb catalog");
            if let Some(boundary) = &actor.boundary {
                self.reference(boundary, actor.id.at, &[IdKind::Boundary], "boundary");
            }
            self.controls(&actor.controls, actor.id.at, vocabulary);
        }
        for component in &model.components {
            let at = component.id.at;
            self.term(&component.kind, at, &vocabulary.component_kinds, "component kind", "rampart kb catalog");
            if let Some(boundary) = &component.boundary {
                self.reference(boundary, at, &[IdKind::Boundary], "boundary");
            }
            for format in &component.accepts {
                self.term(format, at, &vocabulary.data_formats, "data format", "rampart kb vocabulary");
            }
            for capability in &component.capabilities {
                self.term(capability, at, &vocabulary.capabilities, "capability", "rampart kb vocabulary");
            }
            self.controls(&component.controls, at, vocabulary);
            for data in component.stores.iter().chain(&component.processes) {
                self.reference(data, at, &[IdKind::Data], "data asset");
            }
        }
        self.controls(&model.controls, Position::new(1, 1), vocabulary);
    }

    fn check_data(&mut self, model: &Model, vocabulary: &Vocabulary) {
        for data in &model.data {
            for category in &data.categories {
                self.term(category, data.id.at, &vocabulary.data_categories, "data category", "rampart kb vocabulary");
            }
        }
    }

    fn check_flows(&mut self, model: &Model, vocabulary: &Vocabulary) {
        let ends = [IdKind::Actor, IdKind::Component];
        for flow in &model.flows {
            let at = flow.id.as_ref().map(|id| id.at).filter(Position::is_known).unwrap_or(flow.from.at);
            self.reference(&flow.from, at, &ends, "flow source");
            self.reference(&flow.to, at, &ends, "flow target");
            if flow.from.value == flow.to.value {
                self.diagnostics.push(Diagnostic::warning(
                    at,
                    format!("flow `{}` goes from `{}` to itself", flow.id(), flow.from.value),
                ));
            }
            self.term(&flow.protocol, at, &vocabulary.protocols, "protocol", "rampart kb vocabulary");
            for data in &flow.data {
                self.reference(data, at, &[IdKind::Data], "data asset");
            }
            self.controls(&flow.controls, at, vocabulary);
        }
    }

    fn check_tracking(&mut self, model: &Model, vocabulary: &Vocabulary) {
        self.check_tracking_entries(&model.threats, &[], vocabulary);
    }

    /// Checks `entries`; `earlier` are entries of another file (the model's
    /// own) that `entries` must not track again.
    fn check_tracking_entries(&mut self, entries: &[Tracking], earlier: &[Tracking], vocabulary: &Vocabulary) {
        let mut seen: HashMap<&str, Position> = HashMap::default();
        for entry in earlier {
            seen.insert(entry.threat.value.as_str(), Position::UNKNOWN);
        }
        for entry in entries {
            let at = entry.threat.at;
            let id = entry.threat.value.as_str();
            if let Some(first) = seen.insert(id, at) {
                let message = if first.is_known() {
                    format!("threat `{id}` is tracked twice (first on line {})", first.line)
                } else {
                    format!("threat `{id}` is already tracked in the model")
                };
                self.diagnostics.push(Diagnostic::error(at, message));
            }
            match id.split_once('@') {
                Some((rule, target)) if entry.is_pattern() => {
                    let rules_known = !vocabulary.threat_rules.is_empty();
                    if rules_known && !vocabulary.threat_rules.iter().any(|r| glob_match(rule, r)) {
                        self.diagnostics.push(Diagnostic::warning(
                            at,
                            format!("tracking pattern `{id}`: no threat rule of the knowledge base matches `{rule}`"),
                        ));
                    }
                    if !glob_match(target, "model") && !self.ids.keys().any(|known| glob_match(target, known)) {
                        self.diagnostics.push(Diagnostic::warning(
                            at,
                            format!("tracking pattern `{id}`: no id in the model matches `{target}`"),
                        ));
                    }
                }
                Some((rule, target)) => {
                    if !vocabulary.threat_rules.is_empty() && !vocabulary.threat_rules.contains(rule) {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                at,
                                format!(
                                    "tracking entry names threat rule `{rule}`, which the knowledge base does not have"
                                ),
                            )
                            .suggest(rule, vocabulary.threat_rules.iter().map(String::as_str)),
                        );
                    }
                    if target != "model" && !self.ids.contains_key(target) {
                        let candidates: Vec<&str> = self.ids.keys().copied().collect();
                        self.diagnostics.push(
                            Diagnostic::warning(
                                at,
                                format!("tracking entry targets `{target}`, which is not in the model"),
                            )
                            .suggest(target, candidates),
                        );
                    }
                }
                None => self.diagnostics.push(
                    Diagnostic::error(at, format!("`{id}` is not a threat id"))
                        .with_help("threat ids have the form RULE@TARGET, as `rampart analyze` prints them; patterns use `*` (`RULE@*`, `*@TARGET`)"),
                ),
            }
            let needs_reason = matches!(entry.status, Status::Accepted | Status::FalsePositive);
            if needs_reason && entry.justification.as_deref().map(str::trim).unwrap_or("").is_empty() {
                self.diagnostics.push(
                    Diagnostic::error(
                        at,
                        format!("threat `{id}` is marked {:?} without a justification", entry.status).to_lowercase(),
                    )
                    .with_help("add `justification:` saying why"),
                );
            }
            if let Some(expires) = &entry.expires {
                if let Err(problem) = Date::parse(&expires.value) {
                    let at = if expires.at.is_known() { expires.at } else { at };
                    self.diagnostics.push(Diagnostic::error(at, problem));
                }
            } else if entry.status == Status::Accepted {
                self.diagnostics.push(
                    Diagnostic::warning(at, format!("accepted threat `{id}` has no expiry date"))
                        .with_help("add `expires: YYYY-MM-DD` so the acceptance is reviewed again"),
                );
            }
        }
    }
}

/// Why an id cannot be used, if it cannot. `@` separates rule and target in
/// threat ids, so it may not appear in element ids.
fn id_syntax_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if id.contains('@') {
        Some("contains `@`, which threat ids use as a separator")
    } else if id.chars().any(char::is_whitespace) {
        Some("contains white space; use `-` or `_`")
    } else {
        None
    }
}
