//! The starter templates of the browser editor (`templates/*.yaml`, served by
//! `GET /api/v1/templates`): each must be a clean model for the shipped
//! knowledge base, carry a usable editor layout, and show both a threat left
//! for the user to find and a design choice whose control keeps a threat
//! from being raised as open.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rampart_engine::{Analysis, Options, analyze};
use rampart_kb::KnowledgeBase;
use rampart_model::{Model, Status, Syntax, parse_model, validate};

/// Size of an actor or component drawn without `width`/`height`.
const NODE_WIDTH: f64 = 180.0;
const NODE_HEIGHT: f64 = 64.0;

/// Where a control is declared: on the whole model or on one element.
#[derive(Clone, Copy, Debug)]
enum On {
    Model,
    Element(&'static str),
}

/// What one template must show.
struct Expectation {
    /// File name without `.yaml`; also the template id of the API.
    id: &'static str,
    /// A characteristic threat the template leaves open for the user.
    raised: &'static str,
    /// A threat the template's design keeps from being raised as open ...
    prevented: &'static str,
    /// ... because of this control; without it the threat is open.
    control: &'static str,
    on: On,
}

const TEMPLATES: &[Expectation] = &[
    Expectation {
        id: "three-tier-web",
        raised: "cleartext-credentials-in-transit@forward",
        prevented: "cross-site-request-forgery@web-app",
        control: "anti-csrf-tokens",
        on: On::Element("web-app"),
    },
    Expectation {
        id: "serverless-aws",
        raised: "serverless-event-injection@api-fn",
        prevented: "cloud-audit-trail-missing@model",
        control: "cloud-audit-logging",
        on: On::Model,
    },
    Expectation {
        id: "kubernetes-microservices",
        raised: "ingress-tls-termination-gap@ingress",
        prevented: "kubernetes-audit-logging-missing@model",
        control: "kubernetes-audit-logging",
        on: On::Element("api-server"),
    },
    Expectation {
        id: "mobile-backend",
        raised: "push-notification-content-leak@send-push",
        prevented: "mobile-insecure-data-storage@mobile-app",
        control: "mobile-secure-storage",
        on: On::Element("mobile-app"),
    },
    Expectation {
        id: "iot-cloud",
        raised: "cleartext-iot-messaging@ingest-subscribe",
        prevented: "mqtt-topic-authorization-missing@telemetry-publish",
        control: "device-scoped-authorization",
        on: On::Element("broker"),
    },
    Expectation {
        id: "scada-plant",
        raised: "unauthenticated-control-command@poll-conveyor",
        prevented: "hmi-kiosk-escape@hmi",
        control: "hmi-kiosk-lockdown",
        on: On::Element("hmi"),
    },
];

fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")
}

fn knowledge_base() -> KnowledgeBase {
    rampart_kb::builtin().unwrap_or_else(|errors| panic!("the shipped knowledge base does not compile: {errors:?}"))
}

/// Reads, parses and validates one template; panics on any diagnostic,
/// warnings included.
fn load(id: &str, kb: &KnowledgeBase) -> Model {
    let path = templates_dir().join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model = parse_model(&text, Syntax::Yaml).unwrap_or_else(|e| panic!("{id}: does not parse: {e}"));
    let problems = validate(&model, &kb.vocabulary());
    assert!(
        problems.is_empty(),
        "{id}: expected no errors or warnings, got:\n{}",
        problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
    );
    model
}

fn status_of(analysis: &Analysis, threat: &str) -> Option<Status> {
    analysis.threats.iter().find(|t| t.id == threat).map(|t| t.status)
}

#[test]
fn the_directory_holds_exactly_the_six_templates() {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(templates_dir()).expect("templates directory") {
        let name = entry.expect("directory entry").file_name().to_string_lossy().into_owned();
        found.insert(name);
    }
    let wanted: BTreeSet<String> = TEMPLATES.iter().map(|t| format!("{}.yaml", t.id)).collect();
    assert_eq!(found, wanted);
}

#[test]
fn templates_are_clean_models_of_the_expected_size() {
    let kb = knowledge_base();
    for template in TEMPLATES {
        let id = template.id;
        let model = load(id, &kb);
        assert!(!model.name.trim().is_empty(), "{id}: no name");
        assert!(model.description.as_deref().is_some_and(|d| !d.trim().is_empty()), "{id}: no description");
        let nodes = model.components.len() + model.actors.len();
        assert!((8..=16).contains(&nodes), "{id}: {nodes} components and actors");
        assert!((2..=5).contains(&model.boundaries.len()), "{id}: {} boundaries", model.boundaries.len());
        assert!(model.boundaries.iter().any(|b| b.parent.is_some()), "{id}: no nested boundary");
        assert!((3..=6).contains(&model.data.len()), "{id}: {} data assets", model.data.len());
        assert!((10..=20).contains(&model.flows.len()), "{id}: {} flows", model.flows.len());
        for asset in &model.data {
            assert!(!asset.categories.is_empty(), "{id}: data `{}` has no category", asset.id.value);
        }
        for flow in &model.flows {
            assert!(flow.id.is_some(), "{id}: a flow from `{}` has no explicit id", flow.from.value);
        }

        // What the server sends the editor is the model as JSON: it must
        // read back as the same, still clean, model.
        let json = serde_json::to_string(&model).expect("serialise");
        let again = parse_model(&json, Syntax::Json).unwrap_or_else(|e| panic!("{id}: JSON does not parse: {e}"));
        let problems = validate(&again, &kb.vocabulary());
        assert!(problems.is_empty(), "{id}: JSON form has problems: {problems:?}");
        assert_eq!(
            serde_json::to_value(&again).unwrap(),
            serde_json::to_value(&model).unwrap(),
            "{id}: JSON round trip"
        );
    }
}

/// An axis-aligned rectangle: left, top, right, bottom.
#[derive(Clone, Copy, Debug)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    fn contains(&self, inner: &Rect) -> bool {
        inner.left >= self.left && inner.top >= self.top && inner.right <= self.right && inner.bottom <= self.bottom
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right && other.left < self.right && self.top < other.bottom && other.top < self.bottom
    }
}

#[test]
fn every_element_is_placed_inside_its_boundary_without_overlaps() {
    let kb = knowledge_base();
    for template in TEMPLATES {
        let id = template.id;
        let model = load(id, &kb);
        let boundaries: BTreeSet<&str> = model.boundaries.iter().map(|b| b.id.value.as_str()).collect();

        // Every drawable element has a position; boundaries have a size.
        let mut rects: BTreeMap<&str, Rect> = BTreeMap::new();
        let mut parent_of: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        for boundary in &model.boundaries {
            parent_of.insert(&boundary.id.value, boundary.parent.as_ref().map(|p| p.value.as_str()));
        }
        for actor in &model.actors {
            parent_of.insert(&actor.id.value, actor.boundary.as_ref().map(|b| b.value.as_str()));
        }
        for component in &model.components {
            parent_of.insert(&component.id.value, component.boundary.as_ref().map(|b| b.value.as_str()));
        }
        for &element in parent_of.keys() {
            let place = model.layout.get(element).unwrap_or_else(|| panic!("{id}: `{element}` has no layout entry"));
            let (width, height) = if boundaries.contains(element) {
                let width = place.width.unwrap_or_else(|| panic!("{id}: boundary `{element}` has no width"));
                let height = place.height.unwrap_or_else(|| panic!("{id}: boundary `{element}` has no height"));
                (width, height)
            } else {
                (place.width.unwrap_or(NODE_WIDTH), place.height.unwrap_or(NODE_HEIGHT))
            };
            let (x, y) = (place.x.value, place.y);
            assert!(x >= 0.0 && y >= 0.0, "{id}: `{element}` is placed at negative coordinates");
            rects.insert(element, Rect { left: x, top: y, right: x + width, bottom: y + height });
        }
        for placed in model.layout.keys() {
            assert!(parent_of.contains_key(placed.as_str()), "{id}: layout places unknown `{placed}`");
        }

        // Boundaries contain their children (absolute coordinates).
        for (&element, &parent) in &parent_of {
            if let Some(parent) = parent {
                assert!(
                    rects[parent].contains(&rects[element]),
                    "{id}: `{element}` {:?} lies outside its boundary `{parent}` {:?}",
                    rects[element],
                    rects[parent]
                );
            }
        }

        // Siblings (same enclosing boundary, or both at the top) never overlap.
        let elements: Vec<(&str, Option<&str>)> = parent_of.iter().map(|(&e, &p)| (e, p)).collect();
        for (i, &(a, parent_a)) in elements.iter().enumerate() {
            for &(b, parent_b) in &elements[i + 1..] {
                if parent_a == parent_b {
                    assert!(!rects[a].overlaps(&rects[b]), "{id}: `{a}` and `{b}` overlap");
                }
            }
        }
    }
}

#[test]
fn each_template_raises_its_threats_and_shows_a_mitigated_design_choice() {
    let kb = knowledge_base();
    let options = Options::default();
    for template in TEMPLATES {
        let id = template.id;
        let model = load(id, &kb);
        let analysis = analyze(&model, &kb, &options);
        assert!(!analysis.threats.is_empty(), "{id}: no threat raised");
        assert!(analysis.warnings.is_empty(), "{id}: analysis warnings {:?}", analysis.warnings);

        let raised = status_of(&analysis, template.raised);
        assert_eq!(raised, Some(Status::Open), "{id}: `{}` should be raised and open", template.raised);

        // The engine either leaves the threat out (rules that test for the
        // control) or keeps it marked mitigated (all countermeasures in
        // place); either way nobody has to act on it.
        let prevented = status_of(&analysis, template.prevented);
        assert!(
            matches!(prevented, None | Some(Status::Mitigated)),
            "{id}: `{}` should not be raised as an open threat, found {prevented:?}",
            template.prevented
        );

        // Proof that the control is what prevents it: without it, the
        // threat is raised and open.
        let mut without = model.clone();
        let controls = match template.on {
            On::Model => &mut without.controls,
            On::Element(element) => {
                if let Some(component) = without.components.iter_mut().find(|c| c.id.value == element) {
                    &mut component.controls
                } else {
                    &mut without.actors.iter_mut().find(|a| a.id.value == element).expect("element").controls
                }
            }
        };
        let before = controls.len();
        controls.retain(|c| c.value != template.control);
        assert_eq!(controls.len() + 1, before, "{id}: `{}` is not declared on {:?}", template.control, template.on);
        let analysis = analyze(&without, &kb, &options);
        assert_eq!(
            status_of(&analysis, template.prevented),
            Some(Status::Open),
            "{id}: without `{}`, `{}` should be open",
            template.control,
            template.prevented
        );
    }
}
