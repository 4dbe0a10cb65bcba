use std::collections::HashMap;

use rampart_engine::{Options as AnalysisOptions, Severity, analyze};
use rampart_kb::KnowledgeBase;
use rampart_model::Model;

use crate::flows::{Mark, title_box};
use crate::layout::{Rect, layout};
use crate::route::segment_hits;
use crate::scene::{Scene, Shape};
use crate::svg::plan;
use crate::{Options, View, check, dot, mermaid, svg};

fn kb() -> KnowledgeBase {
    rampart_kb::compile(&rampart_kb::builtin_sources()).expect("the shipped library compiles")
}

fn example(name: &str) -> Model {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("example readable");
    rampart_model::parse::from_yaml(&text).expect("example parses")
}

/// Start and end tags balance, and every attribute value is well formed.
fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(tag)) => {
                depth += 1;
                for attribute in tag.attributes() {
                    attribute
                        .expect("well-formed attribute")
                        .decode_and_unescape_value(reader.decoder())
                        .expect("escaped attribute");
                }
            }
            Ok(quick_xml::events::Event::Empty(tag)) => {
                for attribute in tag.attributes() {
                    attribute
                        .expect("well-formed attribute")
                        .decode_and_unescape_value(reader.decoder())
                        .expect("escaped attribute");
                }
            }
            Ok(quick_xml::events::Event::Text(text)) => {
                text.decode().expect("text decodes");
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("SVG is not well-formed XML at {}: {error}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced tags");
}

fn element_ids(model: &Model) -> Vec<String> {
    model.actors.iter().map(|a| a.id.value.clone()).chain(model.components.iter().map(|c| c.id.value.clone())).collect()
}

/// No two element boxes overlap, every element and boundary sits inside its
/// boundary, and no flow label or marker covers an element, a boundary's
/// title or another label. Labels are placed even for a scene with more
/// flows than the SVG labels, so that large models test the placement too.
fn check_geometry(scene: &Scene) {
    let plan = plan(scene, true);
    let placed = &plan.layout;
    for (i, a) in placed.nodes.iter().enumerate() {
        for (j, b) in placed.nodes.iter().enumerate().skip(i + 1) {
            assert!(!a.overlaps(b), "boxes of `{}` and `{}` overlap", scene.nodes[i].id, scene.nodes[j].id);
        }
        if let Some(cluster) = scene.nodes[i].cluster {
            assert!(
                placed.clusters[cluster].contains(a),
                "`{}` is outside its boundary `{}`",
                scene.nodes[i].id,
                scene.clusters[cluster].id
            );
        }
    }
    for (c, cluster) in scene.clusters.iter().enumerate() {
        if let Some(parent) = cluster.parent {
            assert!(placed.clusters[parent].contains(&placed.clusters[c]), "`{}` sticks out of its parent", cluster.id);
        }
        // Sibling boundaries do not overlap either.
        for (d, other) in scene.clusters.iter().enumerate().skip(c + 1) {
            if other.parent == cluster.parent {
                assert!(!placed.clusters[c].overlaps(&placed.clusters[d]), "`{}` overlaps `{}`", cluster.id, other.id);
            }
        }
    }

    let flows = &plan.flows;
    for (index, edge) in scene.edges.iter().enumerate() {
        // Every flow drawn is labelled: on the diagram or in the key.
        assert_eq!(flows.routes[index].is_some(), flows.marks[index].is_some(), "`{}`", edge.id);
        let keyed = flows.keyed.iter().position(|&k| k == index).map(|position| position + 1);
        match flows.marks[index] {
            Some(Mark::Label(_)) | None => assert_eq!(keyed, None, "`{}` is labelled and keyed", edge.id),
            Some(Mark::Marker { number, .. }) => assert_eq!(keyed, Some(number), "`{}`'s number", edge.id),
            Some(Mark::KeyOnly) => assert!(keyed.is_some(), "`{}` is not in the key", edge.id),
        }
    }
    let labels: Vec<(&str, Rect)> = scene
        .edges
        .iter()
        .zip(&flows.marks)
        .filter_map(|(edge, mark)| Some((edge.id.as_str(), mark.as_ref()?.rect()?)))
        .collect();
    let titles: Vec<Rect> = (0..scene.clusters.len()).map(|c| title_box(scene, placed, c)).collect();
    for (i, (id, label)) in labels.iter().enumerate() {
        for (node, r) in scene.nodes.iter().zip(&placed.nodes) {
            assert!(!label.overlaps(r), "the label of `{id}` covers `{}`", node.id);
        }
        for (cluster, title) in scene.clusters.iter().zip(&titles) {
            assert!(!label.overlaps(title), "the label of `{id}` covers the title of `{}`", cluster.id);
        }
        for (other, r) in labels.iter().skip(i + 1) {
            assert!(!label.overlaps(r), "the labels of `{id}` and `{other}` overlap");
        }
    }
}

#[test]
fn every_example_renders_well_formed_with_every_element_inside_its_boundary() {
    let kb = kb();
    for name in ["ecommerce.yaml", "aws-microservices.yaml", "industrial-plant.yaml", "rampart-self.yaml"] {
        let model = example(name);
        let analysis = analyze(&model, &kb, &AnalysisOptions::default());
        let options = Options { kb: Some(&kb), view: View::All };
        let text = svg(&model, &analysis, &options);
        assert_well_formed(&text);
        for id in element_ids(&model) {
            assert!(
                text.contains(&format!(r#"class="node" data-id="{}""#, crate::escape(&id))),
                "{name}: `{id}` missing"
            );
        }
        for boundary in &model.boundaries {
            assert!(text.contains(&format!(r#"data-id="{}""#, crate::escape(&boundary.id.value))));
        }
        for flow in &model.flows {
            assert!(text.contains(&format!(r#"class="flow" data-id="{}""#, crate::escape(&flow.id()))), "{name}");
        }
        check_geometry(&Scene::build(&model, &analysis, &options));
        // Deterministic: the same input gives the same bytes.
        assert_eq!(text, svg(&model, &analysis, &options));
    }
}

#[test]
fn colours_follow_the_worst_unresolved_severity() {
    let kb = kb();
    let model = example("ecommerce.yaml");
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let mut worst: HashMap<&str, Severity> = HashMap::new();
    for threat in analysis.threats.iter().filter(|t| t.is_unresolved()) {
        if threat.target.kind == rampart_engine::TargetKind::Element {
            let entry = worst.entry(&threat.target.id).or_insert(threat.current.severity);
            *entry = (*entry).max(threat.current.severity);
        }
    }
    let text = svg(&model, &analysis, &Options { kb: Some(&kb), view: View::All });
    for id in element_ids(&model) {
        let severity = worst.get(id.as_str()).map(|s| s.label()).unwrap_or("none");
        let (fill, _) = crate::svg::colours(worst.get(id.as_str()).copied());
        let start = text.find(&format!(r#"class="node" data-id="{id}""#)).expect("node drawn");
        let group = &text[start..start + text[start..].find("</g>").unwrap()];
        assert!(group.contains(&format!(r#"data-severity="{severity}""#)), "`{id}` should be {severity}");
        assert!(group.contains(&format!(r#"fill="{fill}""#)), "`{id}` should be filled {fill}");
    }
    // The example has critical findings, so the palette is exercised.
    assert!(text.contains(r#"data-severity="critical""#));
}

#[test]
fn shapes_come_from_the_catalog() {
    let kb = kb();
    let model = example("ecommerce.yaml");
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let scene = Scene::build(&model, &analysis, &Options { kb: Some(&kb), view: View::All });
    let shape = |id: &str| scene.nodes.iter().find(|n| n.id == id).unwrap().shape;
    assert_eq!(shape("customer"), Shape::Actor);
    assert_eq!(shape("order-db"), Shape::Datastore);
    assert_eq!(shape("storefront"), Shape::Process);
    assert_eq!(shape("payment-provider"), Shape::External);
}

#[test]
fn text_is_escaped() {
    let yaml = r#"
rampart: 1
name: "Tom & Jerry's <shop>"
boundaries:
  - id: zone
    name: "A \"quoted\" <zone> & more"
actors:
  - id: user
    name: "<script>alert('x')</script>"
components:
  - id: api
    name: "R&D API"
    kind: rest-api
    boundary: zone
flows:
  - from: user
    to: api
    protocol: http
"#;
    let model: Model = rampart_model::parse::from_yaml(yaml).expect("parses");
    let kb = kb();
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let options = Options { kb: Some(&kb), view: View::All };
    let text = svg(&model, &analysis, &options);
    assert_well_formed(&text);
    assert!(!text.contains("<script>"));
    assert!(text.contains("Tom &amp; Jerry&apos;s &lt;shop&gt;"));
    let dot = dot(&model, &analysis, &options);
    assert!(dot.contains(r#"A \"quoted\" <zone> & more"#));
    let mermaid = mermaid(&model, &analysis, &options);
    assert!(mermaid.contains("#lt;script#gt;"));
    // The plain-http flow is unencrypted and unauthenticated.
    assert!(text.contains(r#"data-encrypted="false" data-authenticated="false""#));
}

#[test]
fn views_keep_a_boundary_or_a_neighbourhood() {
    let kb = kb();
    let model = example("ecommerce.yaml");
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let scene = |view| Scene::build(&model, &analysis, &Options { kb: Some(&kb), view });

    let production = scene(View::Boundary("production".into()));
    let ids: Vec<&str> = production.clusters.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["production", "web-tier", "app-tier", "data-tier"]);
    assert!(production.nodes.iter().any(|n| n.id == "order-db"));
    assert!(!production.nodes.iter().any(|n| n.id == "customer" || n.id == "cdn"));
    check_geometry(&production);

    let near = scene(View::Around { id: "checkout-api".into(), hops: 1 });
    let neighbours: Vec<&str> = model
        .flows
        .iter()
        .filter_map(|f| match (f.from.value.as_str(), f.to.value.as_str()) {
            ("checkout-api", other) | (other, "checkout-api") => Some(other),
            _ => None,
        })
        .collect();
    assert!(near.nodes.iter().any(|n| n.id == "checkout-api"));
    for id in &neighbours {
        assert!(near.nodes.iter().any(|n| n.id == *id), "`{id}` is one hop away");
    }
    assert_eq!(
        near.nodes.len(),
        1 + {
            let mut unique = neighbours.clone();
            unique.sort();
            unique.dedup();
            unique.len()
        }
    );
    check_geometry(&near);
    let zero = scene(View::Around { id: "checkout-api".into(), hops: 0 });
    assert_eq!(zero.nodes.len(), 1);

    assert!(check(&model, &View::Boundary("production".into())).is_ok());
    let problem = check(&model, &View::Boundary("prodution".into())).unwrap_err();
    assert!(problem.contains("did you mean `production`"), "{problem}");
    let problem = check(&model, &View::Around { id: "checkout".into(), hops: 1 }).unwrap_err();
    assert!(problem.contains("did you mean `checkout-api`"), "{problem}");
}

#[test]
fn dot_and_mermaid_mention_every_element_and_boundary() {
    let kb = kb();
    for name in ["ecommerce.yaml", "aws-microservices.yaml", "industrial-plant.yaml", "rampart-self.yaml"] {
        let model = example(name);
        let analysis = analyze(&model, &kb, &AnalysisOptions::default());
        let options = Options { kb: Some(&kb), view: View::All };
        let (dot, mermaid) = (dot(&model, &analysis, &options), mermaid(&model, &analysis, &options));
        assert_eq!(dot.matches('{').count(), dot.matches('}').count(), "{name}: DOT braces balance");
        assert_eq!(
            mermaid.lines().filter(|l| l.trim_start().starts_with("subgraph ")).count(),
            mermaid.lines().filter(|l| l.trim() == "end").count(),
            "{name}: Mermaid subgraphs close"
        );
        for id in element_ids(&model) {
            assert!(dot.contains(&format!("\"{id}\" [label=")), "{name}: DOT lacks `{id}`");
            let mermaid_id: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            assert!(mermaid.contains(&format!("n_{mermaid_id}")), "{name}: Mermaid lacks `{id}`");
        }
        for boundary in &model.boundaries {
            assert!(dot.contains(&format!("subgraph \"cluster_{}\"", boundary.id.value)), "{name}");
            let mermaid_id: String =
                boundary.id.value.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            assert!(mermaid.contains(&format!("subgraph b_{mermaid_id}[")), "{name}");
        }
        assert_eq!(dot.matches(" -> ").count(), model.flows.len());
    }
}

#[test]
fn dot_and_mermaid_snapshots() {
    let kb = kb();
    let model = example("ecommerce.yaml");
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let options = Options { kb: Some(&kb), view: View::All };
    insta::assert_snapshot!("ecommerce_dot", dot(&model, &analysis, &options));
    insta::assert_snapshot!("ecommerce_mermaid", mermaid(&model, &analysis, &options));
}

#[test]
fn a_200_component_model_stays_legible() {
    let kb = kb();
    let model = rampart_modelgen::generate(200, 1);
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let options = Options { kb: Some(&kb), view: View::All };
    let scene = Scene::build(&model, &analysis, &options);
    assert_eq!(scene.nodes.len(), model.actors.len() + model.components.len());
    // Its geometry, labels included, is checked with the examples'.
    let text = svg(&model, &analysis, &options);
    assert_well_formed(&text);
    // Folded into bands rather than one endless strip.
    let placed = layout(&scene, 90.0);
    assert!(placed.width / placed.height < 6.0, "{} × {}", placed.width, placed.height);
    // Too many flows to label: they keep tooltips instead.
    assert!(!text.contains("flow-label"));
    assert_eq!(text.matches(r#"<g class="flow""#).count(), model.flows.len());
}

/// Every example model, and a generated one of 200 components.
fn every_model() -> Vec<(String, Model)> {
    let directory = format!("{}/../../examples", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&directory)
        .expect("examples directory")
        .map(|entry| entry.expect("readable entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    let mut models: Vec<(String, Model)> = names.into_iter().map(|name| (name.clone(), example(&name))).collect();
    models.push(("200 generated components".to_string(), rampart_modelgen::generate(200, 1)));
    models
}

#[test]
fn flows_pass_over_no_element_box_but_their_own() {
    let kb = kb();
    let mut crossings = Vec::new();
    for (name, model) in &every_model() {
        let analysis = analyze(model, &kb, &AnalysisOptions::default());
        let scene = Scene::build(model, &analysis, &Options { kb: Some(&kb), view: View::All });
        // Both spacings: the labelled one and the one for many flows.
        for labelled in [true, false] {
            let plan = plan(&scene, labelled);
            let boxes = &plan.layout.nodes;
            for (edge, route) in scene.edges.iter().zip(&plan.flows.routes) {
                let Some(route) = route else { continue };
                // The curve is sampled every few pixels (see `Route::polyline`).
                let points = route.polyline();
                for pair in points.windows(2) {
                    let (a, b) = (pair[0], pair[1]);
                    let reach = Rect { x: a.0.min(b.0), y: a.1.min(b.1), w: (a.0 - b.0).abs(), h: (a.1 - b.1).abs() };
                    for (index, r) in boxes.iter().enumerate() {
                        // A flow touches its own ends' sides, but does not cross them.
                        let own = index == edge.from || index == edge.to;
                        let r = if own { Rect { x: r.x + 2.0, y: r.y + 2.0, w: r.w - 4.0, h: r.h - 4.0 } } else { *r };
                        let near = reach.x <= r.right()
                            && r.x <= reach.right()
                            && reach.y <= r.bottom()
                            && r.y <= reach.bottom();
                        if near && segment_hits(a, b, &r) {
                            crossings.push(format!(
                                "{name} (labelled: {labelled}): `{}` passes over `{}` at ({:.0}, {:.0})",
                                edge.id, scene.nodes[index].id, a.0, a.1
                            ));
                        }
                    }
                }
            }
        }
    }
    crossings.dedup();
    let first: Vec<&str> = crossings.iter().take(20).map(String::as_str).collect();
    assert!(crossings.is_empty(), "{} crossings, the first:\n{}", crossings.len(), first.join("\n"));
}

#[test]
fn flows_between_boxes_side_by_side_cross_only_the_borders_they_must() {
    // Between their ends, such a flow enters no boundary it leaves again
    // and leaves none it enters again. (Loops between boxes stacked in one
    // column may step out of a tight boundary and back; in large models a
    // flow may cut through a boundary that is far longer to go around.)
    let kb = kb();
    for (name, model) in every_model().iter().filter(|(name, _)| name.ends_with(".yaml")) {
        let analysis = analyze(model, &kb, &AnalysisOptions::default());
        let scene = Scene::build(model, &analysis, &Options { kb: Some(&kb), view: View::All });
        let plan = plan(&scene, true);
        let placed = &plan.layout;
        for (edge, route) in scene.edges.iter().zip(&plan.flows.routes) {
            let Some(route) = route else { continue };
            let (from, to) = (&placed.nodes[edge.from], &placed.nodes[edge.to]);
            if from.right() >= to.x && to.right() >= from.x {
                continue; // stacked
            }
            // Every pixel or so along the route.
            let mut points = Vec::new();
            for pair in route.polyline().windows(2) {
                let steps = ((pair[1].0 - pair[0].0).hypot(pair[1].1 - pair[0].1).ceil() as usize).max(1);
                for i in 0..steps {
                    let t = i as f32 / steps as f32;
                    points.push((pair[0].0 + (pair[1].0 - pair[0].0) * t, pair[0].1 + (pair[1].1 - pair[0].1) * t));
                }
            }
            points.push(route.end());
            for (cluster, r) in scene.clusters.iter().zip(&placed.clusters) {
                let inside = |p: &(f32, f32)| r.x < p.0 && p.0 < r.right() && r.y < p.1 && p.1 < r.bottom();
                let crossings = points.windows(2).filter(|pair| inside(&pair[0]) != inside(&pair[1])).count();
                let must = usize::from(inside(&points[0]) != inside(&route.end()));
                assert_eq!(
                    crossings, must,
                    "{name}: `{}` crosses the border of `{}` {crossings} times",
                    edge.id, cluster.id
                );
            }
        }
    }
}

#[test]
fn flow_labels_cover_no_box_no_boundary_title_and_no_other_label() {
    let kb = kb();
    for (name, model) in &every_model() {
        let analysis = analyze(model, &kb, &AnalysisOptions::default());
        let scene = Scene::build(model, &analysis, &Options { kb: Some(&kb), view: View::All });
        check_geometry(&scene);
        let flows = plan(&scene, true).flows;
        let full = flows.marks.iter().filter(|mark| matches!(mark, Some(Mark::Label(_)))).count();
        // Most labels find room; the rest are keyed, not dropped or stacked.
        assert!(full * 4 >= scene.edges.len() * 3, "{name}: {full} of {} labels placed", scene.edges.len());
        if name == "ecommerce.yaml" {
            // The README's diagram has room for every label.
            assert_eq!(full, scene.edges.len(), "{name}");
        }
    }
}

#[test]
fn labels_that_do_not_fit_become_numbered_markers_listed_in_a_key() {
    // Sixteen flows between the same two elements: their labels cannot all
    // sit in the space between them, nor can all of their markers.
    let mut yaml = String::from(
        "rampart: 1\nname: Crowded\nactors:\n  - id: user\n    name: User\ncomponents:\n  - id: api\n    name: API\n    kind: rest-api\ndata:\n  - id: telemetry\n  - id: audit-records\n  - id: customer-profile\nflows:\n",
    );
    for n in 1..=16 {
        yaml.push_str(&format!(
            "  - id: call-{n}\n    from: user\n    to: api\n    protocol: https\n    data: [telemetry, audit-records, customer-profile]\n"
        ));
    }
    let model: Model = rampart_model::parse::from_yaml(&yaml).expect("parses");
    let kb = kb();
    let analysis = analyze(&model, &kb, &AnalysisOptions::default());
    let options = Options { kb: Some(&kb), view: View::All };
    let scene = Scene::build(&model, &analysis, &options);
    check_geometry(&scene);
    let flows = plan(&scene, true).flows;
    let count = |wanted: fn(&Mark) -> bool| flows.marks.iter().flatten().filter(|mark| wanted(mark)).count();
    let labels = count(|mark| matches!(mark, Mark::Label(_)));
    let markers = count(|mark| matches!(mark, Mark::Marker { .. }));
    let unnumbered = count(|mark| *mark == Mark::KeyOnly);
    assert!(labels > 0 && markers > 0 && unnumbered > 0, "{labels} labels, {markers} markers, {unnumbered} neither");

    let text = svg(&model, &analysis, &options);
    assert_well_formed(&text);
    assert_eq!(text.matches(r#"class="flow-label""#).count(), labels);
    assert_eq!(text.matches(r#"class="flow-marker""#).count(), markers);
    // The key lists every other flow by its ends with its whole label, the
    // numbered ones first and in order.
    let key = &text[text.find(r#"<g class="flow-key""#).expect("a key")..];
    let entry = "User → API: https: telemetry, audit-records, customer-profile";
    assert_eq!(key.matches(entry).count(), markers + unnumbered);
    let mut rest = key;
    for number in (1..=markers).map(|n| n.to_string()).chain(std::iter::repeat_n("–".to_string(), unnumbered)) {
        let at = rest.find(&format!(r#"<tspan font-weight="bold">{number}</tspan>"#)).expect("numbered in order");
        rest = &rest[at + 1..];
    }
    // A marker's tooltip tells its flow.
    for (index, mark) in flows.marks.iter().enumerate() {
        if let Some(Mark::Marker { number, .. }) = mark {
            let id = &scene.edges[index].id;
            assert!(text.contains(&format!("<title>{number}. {id}: user → api, https: telemetry")), "{number}");
        }
    }
}
