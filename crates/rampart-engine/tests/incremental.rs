//! The incremental analysis keeps its promise: the threats of the subjects it
//! evaluates again, with the previous version's threats of the others and
//! the model-wide threats, are exactly the full analysis of the new version.
//!
//! Each case takes a model (generated ones of several sizes and seeds, and
//! the shipped examples), applies one small edit of the kind people make
//! (rename, change a protocol, add a control, move a component, track a
//! threat, change today's date...), analyses the new version both ways and
//! compares the merged threats with the full analysis, as JSON, in order. A
//! second edit on top of the first checks that the footprint an incremental
//! analysis hands on stays valid from version to version.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use rampart_engine::{Footprint, Options, SubjectKey, TargetKind, ThreatInstance, analyze, analyze_since};
use rampart_kb::KnowledgeBase;
use rampart_model::{
    Authentication, Authorization, Component, Date, Exposure, Flow, Located, Model, Rating, Status, Tracking, Trust,
};
use serde_json::Value;

// ---------------------------------------------------------------------------
// The library and its terms, shared by every test of this file.

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        rampart_kb::builtin().unwrap_or_else(|errors| {
            panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        })
    })
}

fn vocabulary() -> &'static rampart_model::Vocabulary {
    static VOCABULARY: OnceLock<rampart_model::Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| kb().vocabulary())
}

/// The library's terms as lists, to pick valid values from.
struct Terms {
    component_kinds: Vec<String>,
    actor_kinds: Vec<String>,
    capabilities: Vec<String>,
    data_formats: Vec<String>,
    data_categories: Vec<String>,
    protocols: Vec<String>,
    controls: Vec<String>,
}

fn terms() -> &'static Terms {
    static TERMS: OnceLock<Terms> = OnceLock::new();
    TERMS.get_or_init(|| {
        let v = vocabulary();
        let list = |set: &std::collections::BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>();
        Terms {
            component_kinds: list(&v.component_kinds),
            actor_kinds: list(&v.actor_kinds),
            capabilities: list(&v.capabilities),
            data_formats: list(&v.data_formats),
            data_categories: list(&v.data_categories),
            protocols: list(&v.protocols),
            controls: list(&v.controls),
        }
    })
}

/// Today for the versions of every case, unless an edit changes it.
fn base_options() -> Options {
    Options { today: Some(Date::from_days_since_epoch(20_000)), intel: vec![] }
}

/// The same, with threat intelligence about products the models run, naming
/// the library's most common weaknesses: the risk of most threats then
/// depends on the technology of its target, of a flow's receiver and of the
/// stores keeping a data asset.
fn options_with_intel() -> Options {
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for cwe in kb().threats.iter().flat_map(|t| t.cwe.iter()) {
        *counts.entry(*cwe).or_default() += 1;
    }
    let mut weaknesses: Vec<(usize, u32)> = counts.into_iter().map(|(cwe, count)| (count, cwe)).collect();
    weaknesses.sort_unstable_by(|a, b| b.cmp(a));
    let weaknesses: Vec<u32> = weaknesses.into_iter().take(40).map(|(_, cwe)| cwe).collect();
    let technologies: &[&str] = &["postgresql", "nginx", "keycloak", "redis", "spring", "django", "aws", "log4j"];
    let intel = technologies
        .iter()
        .enumerate()
        .map(|(i, technology)| rampart_intel::IntelItem {
            source: "TEST".to_string(),
            id: format!("CVE-2024-{i:04}"),
            name: format!("Exploited weakness in {technology}"),
            technologies: vec![technology.to_string()],
            cwe: weaknesses.clone(),
            capec: Vec::new(),
            attack: Vec::new(),
            date: None,
        })
        .collect();
    Options { intel, ..base_options() }
}

// ---------------------------------------------------------------------------
// A tiny deterministic random number generator (xorshift64*).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // SplitMix64 scrambles the seed, so that neighbouring seeds start far apart.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`; `n` must not be 0.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn index<T>(&mut self, items: &[T]) -> Option<usize> {
        (!items.is_empty()).then(|| self.below(items.len()))
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        self.index(items).map(|index| &items[index])
    }

    fn pick_mut<'a, T>(&mut self, items: &'a mut [T]) -> Option<&'a mut T> {
        self.index(items).map(move |index| &mut items[index])
    }

    /// One of the `indices`, when there is one.
    fn pick_where<T>(&mut self, items: &[T], keep: impl Fn(&T) -> bool) -> Option<usize> {
        let candidates: Vec<usize> = (0..items.len()).filter(|&i| keep(&items[i])).collect();
        self.pick(&candidates).copied()
    }

    /// A term of `pool` for which `taken` is false, starting from a random place.
    fn fresh_term(&mut self, pool: &[String], taken: impl Fn(&str) -> bool) -> Option<String> {
        let start = self.index(pool)?;
        (0..pool.len()).map(|offset| &pool[(start + offset) % pool.len()]).find(|term| !taken(term)).cloned()
    }

    /// A value of `values` other than `current`.
    fn other<T: Copy + PartialEq>(&mut self, values: &[T], current: T) -> T {
        let others: Vec<T> = values.iter().copied().filter(|&v| v != current).collect();
        *self.pick(&others).expect("more than one value")
    }
}

// ---------------------------------------------------------------------------
// Edits.

/// A version of a model: the model and the options it is analysed with.
#[derive(Clone)]
struct Version {
    model: Model,
    options: Options,
}

impl Version {
    fn same_as(&self, other: &Version) -> bool {
        self.model == other.model && self.options.today == other.options.today
    }
}

#[derive(Clone, Copy)]
enum Change {
    Model(fn(&mut Model, &mut Rng)),
    Options(fn(&mut Options, &mut Rng)),
}

#[derive(Clone, Copy)]
struct Edit {
    name: &'static str,
    change: Change,
    /// Changes nothing analysis reads (descriptions, tags, layout): no
    /// subject may be evaluated again.
    cosmetic: bool,
}

impl Edit {
    fn apply(&self, version: &mut Version, rng: &mut Rng) {
        match self.change {
            Change::Model(edit) => edit(&mut version.model, rng),
            Change::Options(edit) => edit(&mut version.options, rng),
        }
    }
}

const fn model_edit(name: &'static str, edit: fn(&mut Model, &mut Rng)) -> Edit {
    Edit { name, change: Change::Model(edit), cosmetic: false }
}

const fn cosmetic_edit(name: &'static str, edit: fn(&mut Model, &mut Rng)) -> Edit {
    Edit { name, change: Change::Model(edit), cosmetic: true }
}

const fn options_edit(name: &'static str, edit: fn(&mut Options, &mut Rng)) -> Edit {
    Edit { name, change: Change::Options(edit), cosmetic: false }
}

const RENAME_COMPONENT: &str = "rename-component";
const NO_EDIT: &str = "no-edit";

const EDITS: &[Edit] = &[
    cosmetic_edit(NO_EDIT, |_, _| {}),
    cosmetic_edit("describe-component", describe_component),
    cosmetic_edit("describe-flow", describe_flow),
    cosmetic_edit("place-element", place_element),
    // Labels.
    model_edit(RENAME_COMPONENT, rename_component),
    model_edit("clear-component-name", clear_component_name),
    model_edit("rename-actor", rename_actor),
    model_edit("rename-named-flow", rename_named_flow),
    model_edit("name-unnamed-flow", name_unnamed_flow),
    model_edit("unname-flow", unname_flow),
    model_edit("rename-data", rename_data),
    model_edit("rename-boundary", rename_boundary),
    model_edit("rename-component-id", rename_component_id),
    model_edit("rename-flow-id", rename_flow_id),
    model_edit("rename-data-id", rename_data_id),
    model_edit("rename-boundary-id", rename_boundary_id),
    // Components and actors.
    model_edit("component-exposure", component_exposure),
    model_edit("component-kind", component_kind),
    model_edit("component-technology", component_technology),
    model_edit("add-capability", add_capability),
    model_edit("remove-capability", remove_capability),
    model_edit("add-accepted-format", add_accepted_format),
    model_edit("component-control", component_control),
    model_edit("component-stores", component_stores),
    model_edit("actor-kind", actor_kind),
    model_edit("actor-control", actor_control),
    model_edit("move-component", move_component),
    model_edit("move-actor", move_actor),
    model_edit("add-component", add_component),
    model_edit("add-actor", add_actor),
    model_edit("remove-component", remove_component),
    model_edit("remove-actor", remove_actor),
    // Boundaries and the model.
    model_edit("boundary-control", boundary_control),
    model_edit("boundary-trust", boundary_trust),
    model_edit("boundary-parent", boundary_parent),
    model_edit("remove-boundary", remove_boundary),
    model_edit("model-control", model_control),
    // Flows.
    model_edit("flow-protocol", flow_protocol),
    model_edit("flow-encrypted", flow_encrypted),
    model_edit("flow-authentication", flow_authentication),
    model_edit("flow-authorization", flow_authorization),
    model_edit("flow-control", flow_control),
    model_edit("flow-add-data", flow_add_data),
    model_edit("flow-reverse", flow_reverse),
    model_edit("add-flow", add_flow),
    model_edit("remove-flow", remove_flow),
    // Data.
    model_edit("data-confidentiality", data_confidentiality),
    model_edit("data-integrity", data_integrity),
    model_edit("data-ratings-extreme", data_ratings_extreme),
    model_edit("data-category", data_category),
    model_edit("add-data", add_data),
    model_edit("remove-data", remove_data),
    // Order.
    model_edit("swap-components", swap_components),
    model_edit("swap-actors", swap_actors),
    model_edit("swap-flows", swap_flows),
    model_edit("swap-data", swap_data),
    model_edit("reverse-flow-data", reverse_flow_data),
    model_edit("reverse-component-stores", reverse_component_stores),
    // Tracking and today.
    model_edit("track-threat", track_threat),
    model_edit("track-pattern", track_pattern),
    model_edit("untrack-threat", untrack_threat),
    options_edit("change-today", change_today),
    options_edit("clear-today", |options, _| options.today = None),
];

fn located(value: impl Into<String>) -> Located<String> {
    Located::synthetic(value.into())
}

/// Every id declared in the model, flows' included.
fn all_ids(model: &Model) -> HashSet<String> {
    let mut ids: HashSet<String> = HashSet::new();
    ids.extend(model.boundaries.iter().map(|b| b.id.value.clone()));
    ids.extend(model.actors.iter().map(|a| a.id.value.clone()));
    ids.extend(model.components.iter().map(|c| c.id.value.clone()));
    ids.extend(model.data.iter().map(|d| d.id.value.clone()));
    ids.extend(model.flows.iter().map(Flow::id));
    ids
}

fn unique_id(model: &Model, prefix: &str, rng: &mut Rng) -> String {
    let taken = all_ids(model);
    loop {
        let id = format!("{prefix}-{}", rng.below(100_000));
        if !taken.contains(&id) {
            return id;
        }
    }
}

/// Actors and components: what flows start and end at.
fn node_ids(model: &Model) -> Vec<String> {
    model.actors.iter().map(|a| a.id.value.clone()).chain(model.components.iter().map(|c| c.id.value.clone())).collect()
}

/// Drops references to subjects that no longer exist from the model's own
/// threats and layout (tracking entries that name them only warn).
fn forget(model: &mut Model, gone: &HashSet<String>) {
    model.layout.retain(|id, _| !gone.contains(id));
    for custom in &mut model.custom_threats {
        custom.targets.retain(|target| !gone.contains(&target.value));
    }
}

fn rename_component(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(c) = rng.pick_mut(&mut model.components) {
        c.name = Some(format!("{} (renamed {n})", c.name.as_deref().unwrap_or(&c.id.value)));
    }
}

fn clear_component_name(model: &mut Model, rng: &mut Rng) {
    if let Some(i) = rng.pick_where(&model.components, |c| c.name.is_some()) {
        model.components[i].name = None;
    }
}

fn rename_actor(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(a) = rng.pick_mut(&mut model.actors) {
        a.name = Some(format!("{} (renamed {n})", a.name.as_deref().unwrap_or(&a.id.value)));
    }
}

fn rename_named_flow(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(i) = rng.pick_where(&model.flows, |f| f.name.is_some()) {
        let flow = &mut model.flows[i];
        flow.name = Some(format!("{} (renamed {n})", flow.name.as_deref().unwrap_or_default()));
    }
}

fn name_unnamed_flow(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(i) = rng.pick_where(&model.flows, |f| f.name.is_none()) {
        model.flows[i].name = Some(format!("Named flow {n}"));
    }
}

fn unname_flow(model: &mut Model, rng: &mut Rng) {
    if let Some(i) = rng.pick_where(&model.flows, |f| f.name.is_some()) {
        model.flows[i].name = None;
    }
}

fn rename_data(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(d) = rng.pick_mut(&mut model.data) {
        d.name = Some(format!("{} (renamed {n})", d.name.as_deref().unwrap_or(&d.id.value)));
    }
}

fn rename_boundary(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(b) = rng.pick_mut(&mut model.boundaries) {
        b.name = Some(format!("{} (renamed {n})", b.name.as_deref().unwrap_or(&b.id.value)));
    }
}

/// Gives a component a new id, following every reference: its flows (whose
/// default ids change with it), layout and tracking entries. Ids keep the
/// place they were written at, as in an edited file.
fn rename_component_id(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.components) else { return };
    let old = model.components[i].id.value.clone();
    let new = unique_id(model, &old, rng);
    model.components[i].id.value = new.clone();
    for flow in &mut model.flows {
        for end in [&mut flow.from, &mut flow.to] {
            if end.value == old {
                end.value = new.clone();
            }
        }
    }
    if let Some(place) = model.layout.remove(&old) {
        model.layout.insert(new.clone(), place);
    }
    follow_rename(model, &old, &new);
}

fn describe_component(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(c) = rng.pick_mut(&mut model.components) {
        c.description = Some(format!("Described by the test ({n})."));
        c.tags.push(format!("tag-{n}"));
    }
}

fn describe_flow(model: &mut Model, rng: &mut Rng) {
    let n = rng.below(1000);
    if let Some(f) = rng.pick_mut(&mut model.flows) {
        f.description = Some(format!("Described by the test ({n})."));
    }
}

fn place_element(model: &mut Model, rng: &mut Rng) {
    let nodes = node_ids(model);
    let Some(id) = rng.pick(&nodes).cloned() else { return };
    let (x, y) = (rng.below(2000) as f64, rng.below(2000) as f64);
    model.layout.insert(id, rampart_model::Placement { x: Located::synthetic(x), y, width: None, height: None });
}

/// Renames every reference to element, flow or data id `old` in tracking
/// entries and custom threats.
fn follow_rename(model: &mut Model, old: &str, new: &str) {
    for entry in &mut model.threats {
        if let Some(rule) = entry.threat.value.strip_suffix(&format!("@{old}")) {
            entry.threat.value = format!("{rule}@{new}");
        }
    }
    for custom in &mut model.custom_threats {
        for target in custom.targets.iter_mut().filter(|target| target.value == old) {
            target.value = new.to_string();
        }
    }
}

fn rename_flow_id(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.flows) else { return };
    let old = model.flows[i].id();
    let new = unique_id(model, "renamed-flow", rng);
    let at = model.flows[i].id.as_ref().map_or(model.flows[i].from.at, |id| id.at);
    model.flows[i].id = Some(Located { value: new.clone(), at });
    follow_rename(model, &old, &new);
}

fn rename_data_id(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.data) else { return };
    let old = model.data[i].id.value.clone();
    let new = unique_id(model, &old, rng);
    model.data[i].id.value = new.clone();
    let rename = |ids: &mut Vec<Located<String>>| {
        for id in ids.iter_mut().filter(|id| id.value == old) {
            id.value = new.clone();
        }
    };
    for component in &mut model.components {
        rename(&mut component.stores);
        rename(&mut component.processes);
    }
    for flow in &mut model.flows {
        rename(&mut flow.data);
    }
    follow_rename(model, &old, &new);
}

fn rename_boundary_id(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.boundaries) else { return };
    let old = model.boundaries[i].id.value.clone();
    let new = unique_id(model, &old, rng);
    model.boundaries[i].id.value = new.clone();
    let references = model.boundaries.iter_mut().filter_map(|b| b.parent.as_mut());
    let references = references
        .chain(model.actors.iter_mut().filter_map(|a| a.boundary.as_mut()))
        .chain(model.components.iter_mut().filter_map(|c| c.boundary.as_mut()));
    for reference in references.filter(|r| r.value == old) {
        reference.value = new.clone();
    }
    if let Some(place) = model.layout.remove(&old) {
        model.layout.insert(new, place);
    }
}

/// Removes a boundary: what it held moves to its parent.
fn remove_boundary(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.boundaries) else { return };
    let removed = model.boundaries.remove(i);
    let references = model.boundaries.iter_mut().map(|b| &mut b.parent);
    let references = references
        .chain(model.actors.iter_mut().map(|a| &mut a.boundary))
        .chain(model.components.iter_mut().map(|c| &mut c.boundary));
    for reference in references {
        if reference.as_ref().is_some_and(|r| r.value == removed.id.value) {
            *reference = removed.parent.clone();
        }
    }
    model.layout.remove(&removed.id.value);
}

fn add_actor(model: &mut Model, rng: &mut Rng) {
    let id = unique_id(model, "added-actor", rng);
    let Some(kind) = rng.pick(&terms().actor_kinds).cloned() else { return };
    let boundary = other_boundary(model, None, rng);
    let Some(target) = rng.pick(&model.components).map(|c| c.id.clone()) else { return };
    let at = rng.below(model.actors.len() + 1);
    model.actors.insert(
        at,
        rampart_model::Actor {
            id: located(id.clone()),
            name: Some(format!("Added {kind}")),
            kind: located(kind),
            boundary,
            ..rampart_model::Actor::default()
        },
    );
    model.flows.push(Flow {
        from: located(id),
        to: target,
        protocol: located(rng.pick(&terms().protocols).cloned().unwrap_or_default()),
        authentication: *rng.pick(AUTHENTICATIONS).unwrap(),
        ..Flow::default()
    });
}

/// A new data asset, anywhere in the list, kept by a component and carried by a flow.
fn add_data(model: &mut Model, rng: &mut Rng) {
    let id = unique_id(model, "added-data", rng);
    let categories = rng.pick(&terms().data_categories).cloned().map(located).into_iter().collect();
    let asset = rampart_model::DataAsset {
        id: located(id.clone()),
        name: Some("Added data".to_string()),
        categories,
        confidentiality: *rng.pick(RATINGS).unwrap(),
        integrity: *rng.pick(RATINGS).unwrap(),
        availability: *rng.pick(RATINGS).unwrap(),
        description: None,
    };
    let at = rng.below(model.data.len() + 1);
    model.data.insert(at, asset);
    if let Some(c) = rng.pick_mut(&mut model.components) {
        c.stores.push(located(id.clone()));
    }
    if let Some(f) = rng.pick_mut(&mut model.flows) {
        f.data.push(located(id));
    }
}

fn reverse_flow_data(model: &mut Model, rng: &mut Rng) {
    if let Some(i) = rng.pick_where(&model.flows, |f| f.data.len() > 1) {
        model.flows[i].data.reverse();
    }
}

fn reverse_component_stores(model: &mut Model, rng: &mut Rng) {
    if let Some(i) = rng.pick_where(&model.components, |c| c.stores.len() + c.processes.len() > 1) {
        let component = &mut model.components[i];
        component.stores.reverse();
        component.processes.reverse();
        if component.stores.len() < 2 {
            std::mem::swap(&mut component.stores, &mut component.processes);
        }
    }
}

fn component_exposure(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.components) else { return };
    let current = model.components[i].exposure;
    model.components[i].exposure = rng.other(&[Exposure::Internal, Exposure::Partner, Exposure::Internet], current);
}

fn component_kind(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.components) else { return };
    let current = model.components[i].kind.value.clone();
    if let Some(kind) = rng.fresh_term(&terms().component_kinds, |k| k == current) {
        model.components[i].kind = located(kind);
    }
}

const TECHNOLOGIES: &[&str] = &[
    "nginx 1.25",
    "apache httpd 2.4",
    "postgresql 16",
    "mysql 5.7",
    "redis 7",
    "spring boot 2.7",
    "log4j 2.14",
    "apache struts 2",
    "wordpress 6",
    "jenkins 2.440",
    "node.js 20",
    "php 7.4",
    "microsoft exchange 2019",
    "siemens s7-1500",
];

fn component_technology(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.components) else { return };
    let from_model: Vec<String> = model.components.iter().filter_map(|c| c.technology.clone()).collect();
    let current = model.components[i].technology.clone();
    for _ in 0..8 {
        let candidate = match rng.below(4) {
            0 => None,
            1 => rng.pick(&from_model).cloned(),
            _ => rng.pick(TECHNOLOGIES).map(|t| t.to_string()),
        };
        if candidate != current {
            model.components[i].technology = candidate;
            return;
        }
    }
}

fn add_capability(model: &mut Model, rng: &mut Rng) {
    let Some(c) = rng.pick_mut(&mut model.components) else { return };
    if let Some(term) = rng.fresh_term(&terms().capabilities, |t| c.capabilities.iter().any(|x| x.value == t)) {
        c.capabilities.push(located(term));
    }
}

fn remove_capability(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.pick_where(&model.components, |c| !c.capabilities.is_empty()) else { return };
    let capabilities = &mut model.components[i].capabilities;
    let j = rng.below(capabilities.len());
    capabilities.remove(j);
}

fn add_accepted_format(model: &mut Model, rng: &mut Rng) {
    let Some(c) = rng.pick_mut(&mut model.components) else { return };
    if let Some(term) = rng.fresh_term(&terms().data_formats, |t| c.accepts.iter().any(|x| x.value == t)) {
        c.accepts.push(located(term));
    }
}

fn add_control(controls: &mut Vec<Located<String>>, rng: &mut Rng) {
    if let Some(term) = rng.fresh_term(&terms().controls, |t| controls.iter().any(|x| x.value == t)) {
        controls.push(located(term));
    }
}

fn component_control(model: &mut Model, rng: &mut Rng) {
    if let Some(c) = rng.pick_mut(&mut model.components) {
        add_control(&mut c.controls, rng);
    }
}

fn actor_control(model: &mut Model, rng: &mut Rng) {
    if let Some(a) = rng.pick_mut(&mut model.actors) {
        add_control(&mut a.controls, rng);
    }
}

fn boundary_control(model: &mut Model, rng: &mut Rng) {
    if let Some(b) = rng.pick_mut(&mut model.boundaries) {
        add_control(&mut b.controls, rng);
    }
}

fn model_control(model: &mut Model, rng: &mut Rng) {
    add_control(&mut model.controls, rng);
}

fn flow_control(model: &mut Model, rng: &mut Rng) {
    if let Some(f) = rng.pick_mut(&mut model.flows) {
        add_control(&mut f.controls, rng);
    }
}

fn component_stores(model: &mut Model, rng: &mut Rng) {
    let data: Vec<String> = model.data.iter().map(|d| d.id.value.clone()).collect();
    let Some(c) = rng.pick_mut(&mut model.components) else { return };
    if let Some(asset) = rng.fresh_term(&data, |d| c.stores.iter().any(|x| x.value == d)) {
        c.stores.push(located(asset));
    }
}

fn actor_kind(model: &mut Model, rng: &mut Rng) {
    let Some(a) = rng.pick_mut(&mut model.actors) else { return };
    if let Some(kind) = rng.fresh_term(&terms().actor_kinds, |k| k == a.kind.value) {
        a.kind = located(kind);
    }
}

/// A boundary other than `current`, or none when `current` is one.
fn other_boundary(model: &Model, current: Option<&Located<String>>, rng: &mut Rng) -> Option<Located<String>> {
    let mut choices: Vec<Option<&str>> = model.boundaries.iter().map(|b| Some(b.id.value.as_str())).collect();
    choices.push(None);
    let current = current.map(|b| b.value.as_str());
    choices.retain(|choice| *choice != current);
    rng.pick(&choices).copied().flatten().map(located)
}

fn move_component(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.components) else { return };
    model.components[i].boundary = other_boundary(model, model.components[i].boundary.as_ref(), rng);
}

fn move_actor(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.actors) else { return };
    model.actors[i].boundary = other_boundary(model, model.actors[i].boundary.as_ref(), rng);
}

fn add_component(model: &mut Model, rng: &mut Rng) {
    let id = unique_id(model, "added", rng);
    let Some(kind) = rng.pick(&terms().component_kinds).cloned() else { return };
    let boundary = other_boundary(model, None, rng);
    let exposure = *rng.pick(&[Exposure::Internal, Exposure::Partner, Exposure::Internet]).unwrap();
    let component = Component {
        id: located(id.clone()),
        name: Some(format!("Added {kind}")),
        kind: located(kind),
        boundary,
        exposure,
        ..Component::default()
    };
    let at = rng.below(model.components.len() + 1);
    let nodes = node_ids(model);
    model.components.insert(at, component);
    // Called by one node, and calling another.
    let protocol = rng.pick(&terms().protocols).cloned().unwrap_or_default();
    let data: Vec<Located<String>> = rng.pick(&model.data).map(|d| d.id.clone()).into_iter().collect();
    if let Some(caller) = rng.pick(&nodes).cloned() {
        model.flows.push(Flow {
            from: located(caller),
            to: located(id.clone()),
            protocol: located(protocol.clone()),
            authentication: Authentication::None,
            data: data.clone(),
            ..Flow::default()
        });
    }
    if let Some(callee) = rng.pick(&nodes).cloned() {
        model.flows.push(Flow {
            from: located(id),
            to: located(callee),
            protocol: located(protocol),
            authentication: Authentication::Token,
            data,
            ..Flow::default()
        });
    }
}

/// Removes an actor or component (`components` picks which) with the flows
/// that touch it.
fn remove_node(model: &mut Model, rng: &mut Rng, components: bool) {
    let id = if components {
        let Some(i) = rng.index(&model.components) else { return };
        model.components.remove(i).id.value
    } else {
        let Some(i) = rng.index(&model.actors) else { return };
        model.actors.remove(i).id.value
    };
    let mut gone: HashSet<String> = HashSet::from([id.clone()]);
    model.flows.retain(|flow| {
        let touches = flow.from.value == id || flow.to.value == id;
        if touches {
            gone.insert(flow.id());
        }
        !touches
    });
    forget(model, &gone);
}

fn remove_component(model: &mut Model, rng: &mut Rng) {
    remove_node(model, rng, true);
}

fn remove_actor(model: &mut Model, rng: &mut Rng) {
    remove_node(model, rng, false);
}

fn boundary_trust(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.boundaries) else { return };
    let current = model.boundaries[i].trust;
    model.boundaries[i].trust =
        rng.other(&[Trust::Untrusted, Trust::Partner, Trust::Internal, Trust::Restricted], current);
}

/// Moves a boundary out of its parent, or into another boundary that is not
/// inside it (so the nesting stays a tree): what is inside inherits other controls.
fn boundary_parent(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.boundaries) else { return };
    let id = model.boundaries[i].id.value.clone();
    let parent_of: HashMap<String, String> = model
        .boundaries
        .iter()
        .filter_map(|b| b.parent.as_ref().map(|p| (b.id.value.clone(), p.value.clone())))
        .collect();
    let inside_moved = |start: &str| {
        let mut candidate = start.to_string();
        for _ in 0..=parent_of.len() {
            if candidate == id {
                return true;
            }
            match parent_of.get(&candidate) {
                Some(parent) => candidate = parent.clone(),
                None => return false,
            }
        }
        true
    };
    let current = model.boundaries[i].parent.as_ref().map(|p| p.value.clone());
    let candidates: Vec<Option<String>> = model
        .boundaries
        .iter()
        .map(|b| Some(b.id.value.clone()))
        .chain([None])
        .filter(|candidate| *candidate != current && candidate.as_deref().is_none_or(|c| !inside_moved(c)))
        .collect();
    if let Some(parent) = rng.pick(&candidates) {
        model.boundaries[i].parent = parent.clone().map(located);
    }
}

fn flow_protocol(model: &mut Model, rng: &mut Rng) {
    let Some(f) = rng.pick_mut(&mut model.flows) else { return };
    if let Some(protocol) = rng.fresh_term(&terms().protocols, |p| p == f.protocol.value) {
        f.protocol = located(protocol);
    }
}

fn flow_encrypted(model: &mut Model, rng: &mut Rng) {
    let flip = rng.chance(50);
    let Some(f) = rng.pick_mut(&mut model.flows) else { return };
    f.encrypted = match f.encrypted {
        None => Some(flip),
        Some(encrypted) if flip => Some(!encrypted),
        Some(_) => None,
    };
}

const AUTHENTICATIONS: &[Authentication] = &[
    Authentication::None,
    Authentication::Password,
    Authentication::Session,
    Authentication::ApiKey,
    Authentication::Token,
    Authentication::Oauth2,
    Authentication::MutualTls,
    Authentication::CloudIam,
    Authentication::Kerberos,
    Authentication::Other,
];

fn flow_authentication(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.flows) else { return };
    model.flows[i].authentication = rng.other(AUTHENTICATIONS, model.flows[i].authentication);
}

fn flow_authorization(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.flows) else { return };
    let all = [Authorization::None, Authorization::RoleBased, Authorization::ObjectLevel];
    model.flows[i].authorization = rng.other(&all, model.flows[i].authorization);
}

fn flow_add_data(model: &mut Model, rng: &mut Rng) {
    let data: Vec<String> = model.data.iter().map(|d| d.id.value.clone()).collect();
    let Some(f) = rng.pick_mut(&mut model.flows) else { return };
    if let Some(asset) = rng.fresh_term(&data, |d| f.data.iter().any(|x| x.value == d)) {
        f.data.push(located(asset));
    }
}

/// Turns a flow around. A flow without an id takes the default id of the
/// other direction, so only flows whose turned id is free are candidates.
fn flow_reverse(model: &mut Model, rng: &mut Rng) {
    let ids = all_ids(model);
    let turnable = |f: &Flow| f.id.is_some() || !ids.contains(&format!("{}->{}", f.to.value, f.from.value));
    if let Some(i) = rng.pick_where(&model.flows, turnable) {
        let flow = &mut model.flows[i];
        std::mem::swap(&mut flow.from, &mut flow.to);
    }
}

fn add_flow(model: &mut Model, rng: &mut Rng) {
    let nodes = node_ids(model);
    if nodes.len() < 2 {
        return;
    }
    let from = nodes[rng.below(nodes.len())].clone();
    let to = loop {
        let to = &nodes[rng.below(nodes.len())];
        if *to != from {
            break to.clone();
        }
    };
    // A default id when it is free, else one of its own.
    let default_id = format!("{from}->{to}");
    let id = if rng.chance(50) && !all_ids(model).contains(&default_id) {
        None
    } else {
        Some(located(unique_id(model, "added-flow", rng)))
    };
    let data: Vec<Located<String>> = rng.pick(&model.data).map(|d| d.id.clone()).into_iter().collect();
    let flow = Flow {
        id,
        name: rng.chance(50).then(|| "Added flow".to_string()),
        from: located(from),
        to: located(to),
        protocol: located(rng.pick(&terms().protocols).cloned().unwrap_or_default()),
        authentication: *rng.pick(AUTHENTICATIONS).unwrap(),
        data,
        ..Flow::default()
    };
    let at = rng.below(model.flows.len() + 1);
    model.flows.insert(at, flow);
}

fn remove_flow(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.flows) else { return };
    let id = model.flows.remove(i).id();
    forget(model, &HashSet::from([id]));
}

const RATINGS: &[Rating] = &[Rating::Low, Rating::Medium, Rating::High, Rating::Critical];

fn data_confidentiality(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.data) else { return };
    model.data[i].confidentiality = rng.other(RATINGS, model.data[i].confidentiality);
}

fn data_integrity(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.data) else { return };
    model.data[i].integrity = rng.other(RATINGS, model.data[i].integrity);
}

/// Rates an asset critical, or low, on every dimension: what most likely
/// changes the sensitivity its handlers and carriers are scored with.
fn data_ratings_extreme(model: &mut Model, rng: &mut Rng) {
    let rating = if rng.chance(50) { Rating::Critical } else { Rating::Low };
    if let Some(d) = rng.pick_mut(&mut model.data) {
        (d.confidentiality, d.integrity, d.availability) = (rating, rating, rating);
    }
}

fn data_category(model: &mut Model, rng: &mut Rng) {
    let Some(d) = rng.pick_mut(&mut model.data) else { return };
    if let Some(term) = rng.fresh_term(&terms().data_categories, |t| d.categories.iter().any(|x| x.value == t)) {
        d.categories.push(located(term));
    }
}

/// Removes a data asset and every reference to it.
fn remove_data(model: &mut Model, rng: &mut Rng) {
    let Some(i) = rng.index(&model.data) else { return };
    let id = model.data.remove(i).id.value;
    for component in &mut model.components {
        component.stores.retain(|d| d.value != id);
        component.processes.retain(|d| d.value != id);
    }
    for flow in &mut model.flows {
        flow.data.retain(|d| d.value != id);
    }
    forget(model, &HashSet::from([id]));
}

fn swap<T>(items: &mut [T], rng: &mut Rng) {
    if items.len() < 2 {
        return;
    }
    let i = rng.below(items.len());
    let j = (i + 1 + rng.below(items.len() - 1)) % items.len();
    items.swap(i, j);
}

fn swap_components(model: &mut Model, rng: &mut Rng) {
    swap(&mut model.components, rng);
}

fn swap_actors(model: &mut Model, rng: &mut Rng) {
    swap(&mut model.actors, rng);
}

fn swap_flows(model: &mut Model, rng: &mut Rng) {
    swap(&mut model.flows, rng);
}

fn swap_data(model: &mut Model, rng: &mut Rng) {
    swap(&mut model.data, rng);
}

/// The ids of the threats the model raises now that no entry tracks exactly.
fn untracked_threats(model: &Model) -> Vec<String> {
    let analysis = analyze(model, kb(), &base_options());
    analysis
        .threats
        .iter()
        .map(|t| t.id.clone())
        .filter(|id| !model.threats.iter().any(|entry| entry.threat.value == *id))
        .collect()
}

fn track_threat(model: &mut Model, rng: &mut Rng) {
    let Some(id) = rng.pick(&untracked_threats(model)).cloned() else { return };
    let status = *rng.pick(&[Status::Accepted, Status::FalsePositive, Status::InProgress, Status::Mitigated]).unwrap();
    let expires = Date::from_days_since_epoch(20_000 + 30 + rng.below(1000) as i64).to_string();
    model.threats.push(Tracking {
        threat: located(id),
        status,
        justification: Some("Reviewed in the incremental analysis test.".to_string()),
        ticket: Some(format!("SEC-{}", rng.below(1000))),
        expires: (status == Status::Accepted).then(|| located(expires)),
        owner: Some("security team".to_string()),
    });
}

/// Tracks every threat of a rule (`RULE@*`) or on a target (`*@TARGET`).
fn track_pattern(model: &mut Model, rng: &mut Rng) {
    let Some(id) = rng.pick(&untracked_threats(model)).cloned() else { return };
    let (rule, target) = id.split_once('@').expect("threat ids are RULE@TARGET");
    let pattern = if rng.chance(50) { format!("{rule}@*") } else { format!("*@{target}") };
    if model.threats.iter().any(|entry| entry.threat.value == pattern) {
        return;
    }
    model.threats.push(Tracking {
        threat: located(pattern),
        status: Status::FalsePositive,
        justification: Some("Does not apply to this system.".to_string()),
        ..Tracking::default()
    });
}

fn untrack_threat(model: &mut Model, rng: &mut Rng) {
    if let Some(i) = rng.index(&model.threats) {
        model.threats.remove(i);
    }
}

fn change_today(options: &mut Options, rng: &mut Rng) {
    // Up to about eight years on: past the expiry of the examples' acceptances.
    options.today = Some(Date::from_days_since_epoch(20_000 + 1 + rng.below(3000) as i64));
}

// ---------------------------------------------------------------------------
// Comparing an incremental analysis with a full one.

fn key_of(threat: &ThreatInstance) -> Option<SubjectKey> {
    (threat.target.kind != TargetKind::Model)
        .then(|| SubjectKey { kind: threat.target.kind, id: threat.target.id.clone() })
}

fn to_json(threat: &ThreatInstance) -> Value {
    serde_json::to_value(threat).expect("a threat serialises")
}

fn all_json(threats: &[ThreatInstance]) -> Vec<Value> {
    threats.iter().map(to_json).collect()
}

/// Threats' JSON `values` by subject, in order; model-wide threats left out.
fn by_subject(threats: &[ThreatInstance], values: Vec<Value>) -> HashMap<SubjectKey, Vec<Value>> {
    let mut map: HashMap<SubjectKey, Vec<Value>> = HashMap::new();
    for (threat, value) in threats.iter().zip(values) {
        if let Some(key) = key_of(threat) {
            map.entry(key).or_default().push(value);
        }
    }
    map
}

/// The subjects of a valid model in analysis order: actors and components,
/// flows, data.
fn expected_subjects(model: &Model) -> Vec<SubjectKey> {
    let key = |kind, id: &str| SubjectKey { kind, id: id.to_string() };
    let mut keys: Vec<SubjectKey> = Vec::new();
    keys.extend(model.actors.iter().map(|a| key(TargetKind::Element, &a.id.value)));
    keys.extend(model.components.iter().map(|c| key(TargetKind::Element, &c.id.value)));
    keys.extend(model.flows.iter().map(|f| key(TargetKind::Flow, &f.id())));
    keys.extend(model.data.iter().map(|d| key(TargetKind::Data, &d.id.value)));
    keys
}

fn threat_id(value: Option<&Value>) -> &str {
    value.and_then(|v| v.get("id")).and_then(Value::as_str).unwrap_or("(none)")
}

/// Where two lists of threats first differ, in words, with both JSON values.
fn first_difference(merged: &[&Value], full: &[&Value]) -> Option<String> {
    let index = (0..merged.len().max(full.len())).find(|&i| merged.get(i) != full.get(i))?;
    let (a, b) = (merged.get(index).copied(), full.get(index).copied());
    let fields = match (a, b) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let differing: std::collections::BTreeSet<&str> =
                a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).map(String::as_str).collect();
            format!(" (fields {})", differing.into_iter().collect::<Vec<_>>().join(", "))
        }
        _ => String::new(),
    };
    let show = |value: Option<&Value>| value.map_or("(missing)".to_string(), Value::to_string);
    Some(format!(
        "first difference at threat #{index}: merged `{}`, full `{}`{fields}; {} merged threats, {} in the full analysis\n    merged: {}\n    full:   {}",
        threat_id(a),
        threat_id(b),
        merged.len(),
        full.len(),
        show(a),
        show(b)
    ))
}

/// What is kept of an analysed version for the next one.
struct Prior {
    version: Version,
    /// The full analysis's threats by subject.
    threats: HashMap<SubjectKey, Vec<Value>>,
    subjects: HashSet<SubjectKey>,
    footprint: Footprint,
}

/// Analyses a first version both ways: with no footprint, the incremental
/// analysis evaluates everything and gives the full analysis.
fn baseline(version: &Version, label: &str) -> Prior {
    let errors = validation_errors(version);
    assert!(errors.is_empty(), "{label} does not validate: {}", errors.join("; "));
    let full = analyze(&version.model, kb(), &version.options);
    let incremental = analyze_since(&version.model, kb(), &version.options, None);
    assert!(
        incremental.subjects.iter().all(|(_, evaluated)| *evaluated),
        "{label}: without a footprint every subject is evaluated"
    );
    let keys: Vec<SubjectKey> = incremental.subjects.iter().map(|(key, _)| key.clone()).collect();
    assert_eq!(keys, expected_subjects(&version.model), "{label}: subjects in analysis order");
    let (a, b) = (all_json(&incremental.analysis.threats), all_json(&full.threats));
    if let Some(difference) = first_difference(&a.iter().collect::<Vec<_>>(), &b.iter().collect::<Vec<_>>()) {
        panic!("{label}: incremental analysis without a footprint differs from the full one: {difference}");
    }
    assert!(!full.threats.is_empty(), "{label} raises threats");
    Prior {
        version: version.clone(),
        threats: by_subject(&full.threats, b),
        subjects: keys.into_iter().collect(),
        footprint: incremental.footprint,
    }
}

/// One step checked: the prior version's threats, merged with an incremental
/// analysis of `version`, against its full analysis.
struct Step {
    prior: Prior,
    evaluated: usize,
    subjects: usize,
}

fn check_step(prior: &Prior, version: &Version, cosmetic: bool, label: &str) -> Result<Step, String> {
    let fail = |what: String| Err(format!("{label}: {what}"));
    let incremental = analyze_since(&version.model, kb(), &version.options, Some(&prior.footprint));
    let full = analyze(&version.model, kb(), &version.options);
    let full_json = all_json(&full.threats);

    let keys: Vec<SubjectKey> = incremental.subjects.iter().map(|(key, _)| key.clone()).collect();
    if keys != expected_subjects(&version.model) {
        return fail(format!("subjects not in analysis order: {keys:?}"));
    }
    if incremental.footprint.len() != keys.len() {
        return fail(format!("footprint of {} subjects for {} subjects", incremental.footprint.len(), keys.len()));
    }
    let evaluated: HashSet<&SubjectKey> =
        incremental.subjects.iter().filter(|(_, evaluated)| *evaluated).map(|(key, _)| key).collect();
    if let Some((key, _)) = incremental.subjects.iter().find(|(key, ev)| !ev && !prior.subjects.contains(key)) {
        return fail(format!("{key:?} is not evaluated, but the previous version did not have it"));
    }
    if (cosmetic || version.same_as(&prior.version)) && !evaluated.is_empty() {
        let some: Vec<&&SubjectKey> = evaluated.iter().take(5).collect();
        return fail(format!(
            "nothing analysis reads changed, yet {} subjects were evaluated, e.g. {some:?}",
            evaluated.len()
        ));
    }

    // What was evaluated now is only of subjects marked so, in full-analysis order.
    if let Some(threat) =
        incremental.analysis.threats.iter().find(|t| key_of(t).is_some_and(|key| !evaluated.contains(&key)))
    {
        return fail(format!("threat `{}` is of a subject marked not evaluated", threat.id));
    }
    let incremental_json = all_json(&incremental.analysis.threats);
    let mut rest = full_json.iter();
    if let Some(missing) = incremental_json.iter().find(|value| !rest.any(|full| full == *value)) {
        return fail(format!(
            "the incremental analysis is not a subsequence of the full one: `{}` is not found in order\n    incremental: {missing}",
            threat_id(Some(missing))
        ));
    }

    // Merged: evaluated subjects' new threats, the others' previous ones, then model-wide threats.
    let mut fresh: HashMap<SubjectKey, Vec<&Value>> = HashMap::new();
    let mut model_wide: Vec<&Value> = Vec::new();
    for (threat, value) in incremental.analysis.threats.iter().zip(&incremental_json) {
        match key_of(threat) {
            Some(key) => fresh.entry(key).or_default().push(value),
            None => model_wide.push(value),
        }
    }
    let mut merged: Vec<&Value> = Vec::with_capacity(full_json.len());
    for (key, evaluated) in &incremental.subjects {
        if *evaluated {
            merged.extend(fresh.remove(key).unwrap_or_default());
        } else {
            merged.extend(prior.threats.get(key).into_iter().flatten());
        }
    }
    merged.extend(model_wide);
    if let Some(difference) = first_difference(&merged, &full_json.iter().collect::<Vec<_>>()) {
        return fail(format!(
            "merged threats differ from the full analysis: {difference}\n    ({} of {} subjects evaluated)",
            evaluated.len(),
            keys.len()
        ));
    }

    Ok(Step {
        evaluated: evaluated.len(),
        subjects: keys.len(),
        prior: Prior {
            version: version.clone(),
            threats: by_subject(&full.threats, full_json),
            subjects: keys.into_iter().collect(),
            footprint: incremental.footprint,
        },
    })
}

fn validation_errors(version: &Version) -> Vec<String> {
    rampart_model::validate(&version.model, vocabulary())
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// Running cases.

#[derive(Default)]
struct Tally {
    cases: usize,
    skipped: Vec<String>,
    /// Edits that changed nothing (nothing to rename, say), by name.
    unchanged: Vec<&'static str>,
    failures: Vec<String>,
    /// Share of subjects evaluated after renaming a component, per model.
    rename_shares: Vec<(String, f64)>,
}

/// Seeds a case's generator from the model's label and the edit.
fn case_seed(model: &str, edit: usize) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in model.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ (edit as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Applies `edit` to the prior version and checks the result; the new prior
/// when the case ran.
fn run_case(tally: &mut Tally, prior: &Prior, edit: &Edit, rng: &mut Rng, label: &str) -> Option<Step> {
    let mut next = prior.version.clone();
    edit.apply(&mut next, rng);
    tally.cases += 1;
    if edit.name == NO_EDIT {
        assert!(next.same_as(&prior.version), "{label}: `{NO_EDIT}` changed the model");
    }
    let errors = validation_errors(&next);
    if !errors.is_empty() {
        tally.skipped.push(format!("{label}: {}", errors.join("; ")));
        return None;
    }
    if next.same_as(&prior.version) && edit.name != NO_EDIT {
        tally.unchanged.push(edit.name);
    }
    match check_step(prior, &next, edit.cosmetic, label) {
        Ok(step) => Some(step),
        Err(failure) => {
            tally.failures.push(failure);
            None
        }
    }
}

fn run_models(models: Vec<(String, Model)>, options: &Options) -> Tally {
    let mut tally = Tally::default();
    for (name, model) in models {
        let base = Version { model, options: options.clone() };
        let prior = baseline(&base, &name);
        for (index, edit) in EDITS.iter().enumerate() {
            let seed = case_seed(&name, index);
            let mut rng = Rng::new(seed);
            let label = format!("{name}, edit `{}` (case seed {seed:#x})", edit.name);
            let Some(step) = run_case(&mut tally, &prior, edit, &mut rng, &label) else { continue };
            if edit.name == RENAME_COMPONENT {
                tally.rename_shares.push((name.clone(), step.evaluated as f64 / step.subjects as f64));
            }
            // A second edit on top, from the footprint the first incremental analysis handed on.
            let second = &EDITS[rng.below(EDITS.len())];
            let label = format!("{label}, then `{}`", second.name);
            run_case(&mut tally, &step.prior, second, &mut rng, &label);
        }
    }
    tally
}

/// Asserts what every group of cases must show, and says what ran.
fn conclude(group: &str, tally: &Tally, started: Instant) {
    let valid = tally.cases - tally.skipped.len();
    let mut unchanged = tally.unchanged.clone();
    unchanged.sort_unstable();
    unchanged.dedup();
    eprintln!(
        "{group}: {} cases, {} skipped as invalid, {} left the model as it was ({}), {} failed, in {:.1?}",
        tally.cases,
        tally.skipped.len(),
        tally.unchanged.len(),
        unchanged.join(", "),
        tally.failures.len(),
        started.elapsed()
    );
    for skipped in &tally.skipped {
        eprintln!("  skipped: {skipped}");
    }
    assert!(
        tally.failures.is_empty(),
        "{group}: {} of {valid} cases differ from the full analysis:\n{}",
        tally.failures.len(),
        tally.failures.join("\n\n")
    );
    assert!(
        valid * 10 >= tally.cases * 9,
        "{group}: only {valid} of {} cases gave a valid model:\n{}",
        tally.cases,
        tally.skipped.join("\n")
    );
}

fn generated(components: usize, seeds: std::ops::RangeInclusive<u64>) -> Vec<(String, Model)> {
    seeds
        .map(|seed| {
            (
                format!("generated model of {components} components, seed {seed}"),
                rampart_modelgen::generate(components, seed),
            )
        })
        .collect()
}

#[test]
fn incremental_matches_full_on_small_generated_models() {
    let started = Instant::now();
    let tally = run_models(generated(12, 1..=6), &base_options());
    conclude("12 components", &tally, started);
}

#[test]
fn incremental_matches_full_on_medium_generated_models() {
    let started = Instant::now();
    let tally = run_models(generated(30, 1..=4), &base_options());
    conclude("30 components", &tally, started);
}

#[test]
fn incremental_matches_full_on_large_generated_models_and_saves_work() {
    let started = Instant::now();
    let tally = run_models(generated(60, 1..=3), &base_options());
    conclude("60 components", &tally, started);
    // Renaming one component re-evaluates it and the flows named after it, not the model.
    assert!(!tally.rename_shares.is_empty(), "no rename case ran");
    for (model, share) in &tally.rename_shares {
        eprintln!("{model}: renaming a component evaluated {:.1} % of the subjects again", share * 100.0);
    }
    for (model, share) in &tally.rename_shares {
        assert!(*share < 0.25, "{model}: renaming a component evaluated {:.0} % of the subjects again", share * 100.0);
    }
}

fn examples() -> Vec<(String, Model)> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no example models in {}", directory.display());
    paths
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy().to_string();
            let text = std::fs::read_to_string(path).expect("readable example");
            let syntax = rampart_model::parse::Syntax::detect(&name, &text);
            let model = rampart_model::parse_model(&text, syntax).unwrap_or_else(|error| panic!("{name}: {error}"));
            (format!("examples/{name}"), model)
        })
        .collect()
}

#[test]
fn incremental_matches_full_on_the_examples() {
    let started = Instant::now();
    let tally = run_models(examples(), &base_options());
    conclude("examples", &tally, started);
}

#[test]
fn incremental_matches_full_with_threat_intelligence() {
    let started = Instant::now();
    let mut models = examples();
    models.extend(generated(12, 7..=8));
    let models: Vec<(String, Model)> =
        models.into_iter().map(|(name, model)| (format!("{name} with intelligence"), model)).collect();
    let options = options_with_intel();
    let raised: usize = models
        .iter()
        .map(|(_, model)| analyze(model, kb(), &options).threats.iter().filter(|t| !t.intelligence.is_empty()).count())
        .sum();
    assert!(raised > 0, "the intelligence raises no threat's likelihood");
    let tally = run_models(models, &options);
    conclude("with intelligence", &tally, started);
}
