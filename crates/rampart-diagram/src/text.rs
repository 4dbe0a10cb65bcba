//! Graphviz DOT and Mermaid emitters, for documentation sites that render
//! their own diagrams.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::scene::{Scene, Shape};
use crate::svg::{colours, severity_name};

/// A DOT double-quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", dot_text(text))
}

/// Text inside a DOT double-quoted string.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Members of each cluster (`None`: the top level), in scene order.
type Children = HashMap<Option<usize>, Vec<usize>>;

/// The clusters and the nodes directly in each cluster.
fn tree(scene: &Scene) -> (Children, Children) {
    let mut clusters: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    let mut nodes: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (index, cluster) in scene.clusters.iter().enumerate() {
        clusters.entry(cluster.parent).or_default().push(index);
    }
    for (index, node) in scene.nodes.iter().enumerate() {
        nodes.entry(node.cluster).or_default().push(index);
    }
    (clusters, nodes)
}

pub fn dot(scene: &Scene) -> String {
    let (clusters, nodes) = tree(scene);
    let mut out = String::new();
    let _ = writeln!(out, "// {}: data-flow diagram, {}", scene.title.replace('\n', " "), scene.view);
    let _ = writeln!(out, "digraph {} {{", quote(&scene.title));
    out.push_str("  rankdir=LR;\n  compound=true;\n  node [fontname=\"Helvetica\", fontsize=11, style=filled];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    fn level(
        out: &mut String,
        scene: &Scene,
        parent: Option<usize>,
        depth: usize,
        clusters: &HashMap<Option<usize>, Vec<usize>>,
        nodes: &HashMap<Option<usize>, Vec<usize>>,
    ) {
        let indent = "  ".repeat(depth + 1);
        for &n in nodes.get(&parent).map(Vec::as_slice).unwrap_or_default() {
            let node = &scene.nodes[n];
            let (fill, stroke) = colours(node.severity);
            let shape = match node.shape {
                Shape::Actor => "shape=box, style=\"rounded,filled\", peripheries=1",
                Shape::Process => "shape=ellipse",
                Shape::Datastore => "shape=cylinder",
                Shape::External => "shape=box, peripheries=2",
            };
            let _ = writeln!(
                out,
                "{indent}{} [label=\"{}\\n{}\", {shape}, fillcolor=\"{fill}\", color=\"{stroke}\", tooltip={}];",
                quote(&node.id),
                dot_text(&node.label),
                dot_text(&node.kind),
                quote(&format!(
                    "{} ({}): worst unresolved threat {}",
                    node.id,
                    node.kind,
                    severity_name(node.severity)
                )),
            );
        }
        for &c in clusters.get(&parent).map(Vec::as_slice).unwrap_or_default() {
            let cluster = &scene.clusters[c];
            let _ = writeln!(out, "{indent}subgraph {} {{", quote(&format!("cluster_{}", cluster.id)));
            let _ = writeln!(
                out,
                "{indent}  label={}; style=\"rounded,dashed\"; color=\"#64748b\";",
                quote(&format!("{} ({})", cluster.label, cluster.trust))
            );
            level(out, scene, Some(c), depth + 1, clusters, nodes);
            let _ = writeln!(out, "{indent}}}");
        }
    }
    level(&mut out, scene, None, 0, &clusters, &nodes);
    for edge in &scene.edges {
        let mut attributes = vec![format!("label={}", quote(&edge.label()))];
        if !edge.encrypted {
            attributes.push("style=dashed, color=\"#dc2626\", fontcolor=\"#dc2626\"".to_string());
        }
        if !edge.authenticated {
            attributes.push("dir=both, arrowtail=odiamond".to_string());
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            quote(&scene.nodes[edge.from].id),
            quote(&scene.nodes[edge.to].id),
            attributes.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid ids: letters, digits and `_`, prefixed so no id is a keyword
/// (`end`, `graph`...) and made unique.
fn mermaid_ids<'a>(prefix: &str, ids: impl Iterator<Item = &'a str>, taken: &mut HashSet<String>) -> Vec<String> {
    ids.map(|id| {
        let base: String = format!(
            "{prefix}_{}",
            id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect::<String>()
        );
        let mut candidate = base.clone();
        let mut n = 2;
        while !taken.insert(candidate.clone()) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        candidate
    })
    .collect()
}

/// Text in a Mermaid `"..."` label.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn mermaid(scene: &Scene) -> String {
    let (clusters, nodes) = tree(scene);
    let mut taken = HashSet::new();
    let node_ids = mermaid_ids("n", scene.nodes.iter().map(|n| n.id.as_str()), &mut taken);
    let cluster_ids = mermaid_ids("b", scene.clusters.iter().map(|c| c.id.as_str()), &mut taken);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\ntitle: \"{}: data-flow diagram, {}\"\n---",
        mermaid_text(&scene.title),
        mermaid_text(&scene.view)
    );
    out.push_str("flowchart LR\n");
    #[allow(clippy::too_many_arguments)]
    fn level(
        out: &mut String,
        scene: &Scene,
        parent: Option<usize>,
        depth: usize,
        clusters: &HashMap<Option<usize>, Vec<usize>>,
        nodes: &HashMap<Option<usize>, Vec<usize>>,
        node_ids: &[String],
        cluster_ids: &[String],
    ) {
        let indent = "  ".repeat(depth + 1);
        for &n in nodes.get(&parent).map(Vec::as_slice).unwrap_or_default() {
            let node = &scene.nodes[n];
            let text = format!("{}<br/><small>{}</small>", mermaid_text(&node.label), mermaid_text(&node.kind));
            let (open, close) = match node.shape {
                Shape::Actor => ("([", "])"),
                Shape::Process => ("(", ")"),
                Shape::Datastore => ("[(", ")]"),
                Shape::External => ("[[", "]]"),
            };
            let _ = writeln!(out, "{indent}{}{open}\"{text}\"{close}", node_ids[n]);
        }
        for &c in clusters.get(&parent).map(Vec::as_slice).unwrap_or_default() {
            let cluster = &scene.clusters[c];
            let _ = writeln!(
                out,
                "{indent}subgraph {}[\"{} · {}\"]",
                cluster_ids[c],
                mermaid_text(&cluster.label),
                cluster.trust
            );
            level(out, scene, Some(c), depth + 1, clusters, nodes, node_ids, cluster_ids);
            let _ = writeln!(out, "{indent}end");
        }
    }
    level(&mut out, scene, None, 0, &clusters, &nodes, &node_ids, &cluster_ids);
    let mut unencrypted = Vec::new();
    for (index, edge) in scene.edges.iter().enumerate() {
        let arrow = if edge.encrypted { "-->" } else { "-.->" };
        let mark = if edge.authenticated { "" } else { " ◇" };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}{mark}\"| {}",
            node_ids[edge.from],
            mermaid_text(&edge.label()),
            node_ids[edge.to]
        );
        if !edge.encrypted {
            unencrypted.push(index.to_string());
        }
    }
    if !unencrypted.is_empty() {
        let _ = writeln!(out, "  linkStyle {} stroke:#dc2626,color:#dc2626", unencrypted.join(","));
    }
    for severity in ["critical", "high", "medium", "low", "none"] {
        let members: Vec<&str> = scene
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| severity_name(n.severity) == severity)
            .map(|(i, _)| node_ids[i].as_str())
            .collect();
        let (fill, stroke) = colours(rampart_engine::Severity::parse(severity));
        let _ = writeln!(out, "  classDef sev_{severity} fill:{fill},stroke:{stroke},color:#0f172a");
        if !members.is_empty() {
            let _ = writeln!(out, "  class {} sev_{severity}", members.join(","));
        }
    }
    out
}
