//! Re-import: a fresh import merged into the model the user already edited,
//! so running `rampart import` again after the infrastructure changed keeps
//! what only a person could add.
//!
//! The infrastructure owns what it states: where an element runs
//! (`boundary`), how exposed it is, its technology, a flow's ends, protocol
//! and encryption, and `source`. The user owns what the code cannot say:
//! names and descriptions, a refined `kind`, data stored, processed and
//! carried, how callers authenticate, tags, and everything at model level
//! (data assets, tracking, policy, libraries, model-wide controls). Lists
//! both can add to (controls, capabilities, accepted formats) are unions, so
//! a control the user declared survives even if the code does not show it.
//!
//! Elements match by id; importer ids are stable across runs. An element of
//! the previous model that the import no longer produces is removed when it
//! came from an import (it has a `source`), and kept when it was written by
//! hand, unless it is a flow whose ends are gone.

use std::collections::{BTreeSet, HashMap};

use rampart_model::{
    Actor, Authentication, Authorization, Boundary, Component, CustomThreat, DataAsset, Flow, Located, Model, Tracking,
};

/// What a merge did, by element id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// In the fresh import, not in the previous model.
    pub added: Vec<String>,
    /// In both, and the merged element differs from the previous one.
    pub changed: Vec<String>,
    /// Imported before, gone from the infrastructure now (and hand-written
    /// flows whose ends went with them).
    pub removed: Vec<String>,
    /// Written by hand in the previous model and kept as they were.
    pub kept: Vec<String>,
}

impl std::fmt::Display for MergeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} added, {} changed, {} removed, {} hand-written kept",
            self.added.len(),
            self.changed.len(),
            self.removed.len(),
            self.kept.len()
        )
    }
}

/// The user's tracking entries, then those the import recorded (another
/// tool's statuses) for threats the user does not track yet.
fn merge_tracking(previous: &[Tracking], fresh: Vec<Tracking>) -> Vec<Tracking> {
    let tracked: BTreeSet<&str> = previous.iter().map(|entry| entry.threat.value.as_str()).collect();
    let added: Vec<Tracking> =
        fresh.into_iter().filter(|entry| !tracked.contains(entry.threat.value.as_str())).collect();
    previous.iter().cloned().chain(added).collect()
}

/// Custom threats by id: the previous version where both have it (the user
/// may have refined it), new ones from the import, and none that an earlier
/// import brought (it has a `source`) and the file no longer records.
fn merge_custom_threats(previous: &[CustomThreat], fresh: Vec<CustomThreat>) -> Vec<CustomThreat> {
    let fresh_ids: BTreeSet<String> = fresh.iter().map(|custom| custom.id.value.clone()).collect();
    let previous_ids: BTreeSet<&str> = previous.iter().map(|custom| custom.id.value.as_str()).collect();
    let kept =
        previous.iter().filter(|custom| custom.source.is_none() || fresh_ids.contains(&custom.id.value)).cloned();
    let added: Vec<CustomThreat> =
        fresh.into_iter().filter(|custom| !previous_ids.contains(custom.id.value.as_str())).collect();
    kept.chain(added).collect()
}

/// Merges `fresh` (a new import) into `previous` (the model on disk).
pub fn merge(previous: &Model, fresh: Model) -> (Model, MergeReport) {
    let mut report = MergeReport::default();
    let boundaries = merge_list(
        &previous.boundaries,
        fresh.boundaries,
        |b| b.id.value.clone(),
        |b| b.source.is_some(),
        merge_boundary,
        &mut report,
    );
    let actors =
        merge_list(&previous.actors, fresh.actors, |a| a.id.value.clone(), |_| false, merge_actor, &mut report);
    let components = merge_list(
        &previous.components,
        fresh.components,
        |c| c.id.value.clone(),
        |c| c.source.is_some(),
        merge_component,
        &mut report,
    );
    let mut flows = merge_list(&previous.flows, fresh.flows, Flow::id, |f| f.source.is_some(), merge_flow, &mut report);

    // A hand-written flow whose ends are gone would make the model invalid.
    let ends: BTreeSet<&str> =
        actors.iter().map(|a| a.id.value.as_str()).chain(components.iter().map(|c| c.id.value.as_str())).collect();
    flows.retain(|flow| {
        let whole = ends.contains(flow.from.value.as_str()) && ends.contains(flow.to.value.as_str());
        if !whole {
            let id = flow.id();
            report.kept.retain(|kept| kept != &id);
            report.removed.push(id);
        }
        whole
    });

    let mut data: Vec<DataAsset> = previous.data.clone();
    let known: BTreeSet<String> = data.iter().map(|d| d.id.value.clone()).collect();
    for asset in fresh.data {
        if !known.contains(&asset.id.value) {
            report.added.push(asset.id.value.clone());
            data.push(asset);
        }
    }

    // Positions drawn in the editor stay with the elements that stay.
    let drawn: BTreeSet<&str> = boundaries
        .iter()
        .map(|b| b.id.as_str())
        .chain(actors.iter().map(|a| a.id.as_str()))
        .chain(components.iter().map(|c| c.id.as_str()))
        .collect();
    let layout = previous
        .layout
        .iter()
        .filter(|(id, _)| drawn.contains(id.as_str()))
        .map(|(id, place)| (id.clone(), place.clone()))
        .collect();

    let model = Model {
        rampart: previous.rampart.clone(),
        name: previous.name.clone(),
        description: previous.description.clone().or(fresh.description),
        libraries: previous.libraries.clone(),
        controls: union(&previous.controls, fresh.controls),
        boundaries,
        actors,
        components,
        data,
        flows,
        threats: merge_tracking(&previous.threats, fresh.threats),
        custom_threats: merge_custom_threats(&previous.custom_threats, fresh.custom_threats),
        policy: previous.policy.clone(),
        layout,
    };
    (model, report)
}

/// Fresh elements in fresh order, merged with their previous selves; then
/// the previous elements the import no longer produces and that were
/// written by hand.
fn merge_list<T: Clone + PartialEq>(
    previous: &[T],
    fresh: Vec<T>,
    id: impl Fn(&T) -> String,
    imported: impl Fn(&T) -> bool,
    merge_one: impl Fn(&T, T) -> T,
    report: &mut MergeReport,
) -> Vec<T> {
    let by_id: HashMap<String, &T> = previous.iter().map(|item| (id(item), item)).collect();
    let fresh_ids: BTreeSet<String> = fresh.iter().map(&id).collect();
    let mut merged = Vec::with_capacity(fresh.len() + previous.len());
    for item in fresh {
        let key = id(&item);
        match by_id.get(&key) {
            Some(old) => {
                let item = merge_one(old, item);
                if &item != *old {
                    report.changed.push(key);
                }
                merged.push(item);
            }
            None => {
                report.added.push(key);
                merged.push(item);
            }
        }
    }
    for old in previous {
        let key = id(old);
        if fresh_ids.contains(&key) {
            continue;
        }
        if imported(old) {
            report.removed.push(key);
        } else {
            report.kept.push(key);
            merged.push(old.clone());
        }
    }
    merged
}

/// `previous`'s entries first, then the fresh ones it lacks.
fn union(previous: &[Located<String>], fresh: Vec<Located<String>>) -> Vec<Located<String>> {
    let mut merged = previous.to_vec();
    for item in fresh {
        if !merged.iter().any(|m| m.value == item.value) {
            merged.push(item);
        }
    }
    merged
}

fn union_text(previous: &[String], fresh: Vec<String>) -> Vec<String> {
    let mut merged = previous.to_vec();
    for item in fresh {
        if !merged.contains(&item) {
            merged.push(item);
        }
    }
    merged
}

fn merge_boundary(previous: &Boundary, fresh: Boundary) -> Boundary {
    Boundary {
        name: previous.name.clone().or(fresh.name),
        kind: previous.kind.clone().or(fresh.kind),
        // Trust is a judgement the importer only guesses at.
        trust: previous.trust,
        controls: union(&previous.controls, fresh.controls),
        description: previous.description.clone().or(fresh.description),
        ..fresh
    }
}

fn merge_actor(previous: &Actor, fresh: Actor) -> Actor {
    Actor {
        name: previous.name.clone().or(fresh.name),
        kind: previous.kind.clone(),
        controls: union(&previous.controls, fresh.controls),
        description: previous.description.clone().or(fresh.description),
        ..fresh
    }
}

fn merge_component(previous: &Component, fresh: Component) -> Component {
    Component {
        name: previous.name.clone().or(fresh.name),
        // Importers pick a generic type when the code cannot tell; the
        // documented next step is refining it by hand.
        kind: previous.kind.clone(),
        accepts: union(&previous.accepts, fresh.accepts),
        capabilities: union(&previous.capabilities, fresh.capabilities),
        controls: union(&previous.controls, fresh.controls),
        stores: union(&previous.stores, fresh.stores),
        processes: union(&previous.processes, fresh.processes),
        tags: union_text(&previous.tags, fresh.tags),
        description: previous.description.clone().or(fresh.description),
        ..fresh
    }
}

fn merge_flow(previous: &Flow, fresh: Flow) -> Flow {
    Flow {
        name: previous.name.clone().or(fresh.name),
        authentication: if previous.authentication != Authentication::None {
            previous.authentication
        } else {
            fresh.authentication
        },
        authorization: if previous.authorization != Authorization::None {
            previous.authorization
        } else {
            fresh.authorization
        },
        data: union(&previous.data, fresh.data),
        controls: union(&previous.controls, fresh.controls),
        description: previous.description.clone().or(fresh.description),
        ..fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_model::{Exposure, SourceRef};

    fn located(text: &str) -> Located<String> {
        Located::synthetic(text.to_string())
    }

    fn component(id: &str, kind: &str, imported: bool) -> Component {
        Component {
            id: located(id),
            kind: located(kind),
            source: imported.then(|| SourceRef { file: "k8s/app.yaml".into(), line: Some(3), resource: None }),
            ..Component::default()
        }
    }

    fn flow(from: &str, to: &str, imported: bool) -> Flow {
        Flow {
            from: located(from),
            to: located(to),
            protocol: located("https"),
            source: imported.then(|| SourceRef { file: "k8s/app.yaml".into(), line: Some(9), resource: None }),
            ..Flow::default()
        }
    }

    fn model(components: Vec<Component>, flows: Vec<Flow>) -> Model {
        Model { rampart: Located::synthetic(1), name: "shop".into(), components, flows, ..Model::default() }
    }

    #[test]
    fn the_users_additions_survive_and_the_infrastructure_wins_where_it_speaks() {
        let mut edited_api = component("api", "rest-api", true);
        edited_api.stores = vec![located("orders")];
        edited_api.controls = vec![located("input-validation")];
        edited_api.exposure = Exposure::Internal;
        let mut edited_flow = flow("api", "db", true);
        edited_flow.authentication = Authentication::Password;
        edited_flow.data = vec![located("orders")];
        let mut previous = model(
            vec![edited_api, component("db", "relational-database", true), component("legacy", "web-app", false)],
            vec![edited_flow, flow("legacy", "db", false)],
        );
        previous.threats = vec![rampart_model::Tracking { threat: located("sql-injection@api"), ..Default::default() }];

        let mut fresh_api = component("api", "kubernetes-workload", true);
        fresh_api.exposure = Exposure::Internet;
        fresh_api.controls = vec![located("container-resource-limits")];
        let fresh = model(
            vec![fresh_api, component("db", "relational-database", true), component("cache", "cache", true)],
            vec![flow("api", "db", true), flow("api", "cache", true)],
        );

        let (merged, report) = merge(&previous, fresh);
        let api = &merged.components[0];
        assert_eq!(api.kind.value, "rest-api", "the refined kind stays");
        assert_eq!(api.exposure, Exposure::Internet, "the infrastructure decides exposure");
        assert_eq!(api.stores, vec![located("orders")]);
        let controls: Vec<&str> = api.controls.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(controls, ["input-validation", "container-resource-limits"]);
        let api_db = merged.flows.iter().find(|f| f.id() == "api->db").unwrap();
        assert_eq!(api_db.authentication, Authentication::Password);
        assert_eq!(api_db.data, vec![located("orders")]);
        assert_eq!(merged.threats.len(), 1, "tracking is the user's");

        assert_eq!(report.added, ["cache", "api->cache"]);
        assert_eq!(report.changed, ["api"]);
        assert_eq!(report.kept, ["legacy", "legacy->db"]);
        assert!(report.removed.is_empty());
        assert_eq!(report.to_string(), "2 added, 1 changed, 0 removed, 2 hand-written kept");
    }

    #[test]
    fn imported_elements_gone_from_the_code_are_removed_with_their_hand_written_flows() {
        let previous = model(
            vec![component("api", "rest-api", true), component("worker", "background-worker", true)],
            vec![flow("api", "worker", true), flow("worker", "api", false)],
        );
        let fresh = model(vec![component("api", "rest-api", true)], vec![]);
        let (merged, report) = merge(&previous, fresh);
        assert_eq!(merged.components.len(), 1);
        assert!(merged.flows.is_empty());
        assert_eq!(report.removed, ["worker", "api->worker", "worker->api"]);
        assert!(report.kept.is_empty());
    }

    #[test]
    fn merging_an_unchanged_import_changes_nothing() {
        let previous = model(vec![component("api", "rest-api", true)], vec![flow("api", "api", true)]);
        let (merged, report) = merge(&previous, previous.clone());
        assert_eq!(merged, previous);
        assert_eq!(report, MergeReport::default());
    }
}
