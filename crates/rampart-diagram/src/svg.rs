//! The SVG renderer.

use std::fmt::Write;

use rampart_engine::Severity;

use crate::flows::{self, Flows, LABEL_FONT, Mark, label_text, text_width};
use crate::layout::{LABEL_CHARS, Layout, Rect, layout, truncate};
use crate::scene::{Scene, Shape};

/// Above this many flows, flow labels are left out (each flow keeps a
/// tooltip) so the diagram stays legible. Labels could still be placed
/// without overlaps (the tests place them for a 200-component model's 1000
/// flows), but among that many crossing lines no label can be told to
/// belong to its flow, and the flows would have to be drawn solid under
/// them; faint lines without labels show the structure better.
pub const MAX_LABELLED_FLOWS: usize = 150;
const MARGIN: f32 = 20.0;
const HEADER: f32 = 56.0;
const LEGEND_WIDTH: f32 = 860.0;
const LEGEND_HEIGHT: f32 = 150.0;

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Fill and stroke of an element by the worst severity of its unresolved threats.
pub fn colours(severity: Option<Severity>) -> (&'static str, &'static str) {
    match severity {
        Some(Severity::Critical) => ("#fca5a5", "#991b1b"),
        Some(Severity::High) => ("#fdba74", "#c2410c"),
        Some(Severity::Medium) => ("#fde68a", "#a16207"),
        Some(Severity::Low) => ("#bfdbfe", "#1d4ed8"),
        None => ("#bbf7d0", "#15803d"),
    }
}

pub fn severity_name(severity: Option<Severity>) -> &'static str {
    severity.map(Severity::label).unwrap_or("none")
}

fn trust_stroke(trust: &str) -> &'static str {
    match trust {
        "untrusted" => "#b91c1c",
        "partner" => "#b45309",
        "restricted" => "#1e3a8a",
        _ => "#475569",
    }
}

const CLUSTER_FILLS: [&str; 4] = ["#f8fafc", "#eef2f7", "#e2e8f0", "#d5dde8"];
const PLAIN: &str = "#475569";
const UNENCRYPTED: &str = "#dc2626";

/// Everything placed: the boxes, the flows' routes and their labels.
pub struct Plan {
    pub layout: Layout,
    pub flows: Flows,
    pub labelled: bool,
    /// Width of the whole drawing.
    pub width: f32,
}

/// Places everything; `labelled` places the flows' labels too.
pub fn plan(scene: &Scene, labelled: bool) -> Plan {
    let layout = layout(scene, if labelled { 170.0 } else { 90.0 });
    let width = (layout.width + 2.0 * MARGIN).max(LEGEND_WIDTH + 2.0 * MARGIN);
    // Labels may use the margins but not the header or the legend below.
    let bounds = Rect { x: 2.0 - MARGIN, y: -4.0, w: width - 4.0, h: layout.height + 30.0 };
    let flows = flows::plan(scene, &layout, labelled, bounds);
    Plan { layout, flows, labelled, width }
}

pub fn render(scene: &Scene) -> String {
    let plan = plan(scene, scene.edges.len() <= MAX_LABELLED_FLOWS);
    let (layout, width) = (&plan.layout, plan.width);
    let legend_top = HEADER + layout.height + 30.0;
    let key_top = legend_top + LEGEND_HEIGHT + 20.0;
    let mut key_text = String::new();
    let key_height = key(&mut key_text, scene, &plan.flows, MARGIN, key_top, width - 2.0 * MARGIN);
    let height = if key_height > 0.0 { key_top + key_height } else { legend_top + LEGEND_HEIGHT } + MARGIN;
    let mut out = String::with_capacity(4096 + scene.nodes.len() * 900 + scene.edges.len() * 700);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, sans-serif">
<title>{title}: data-flow diagram</title>
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{PLAIN}"/></marker>
<marker id="arrow-unencrypted" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{UNENCRYPTED}"/></marker>
<marker id="unauthenticated" viewBox="0 0 12 12" refX="6" refY="6" markerWidth="10" markerHeight="10" orient="auto"><path d="M6,1 L11,6 L6,11 L1,6 z" fill="#ffffff" stroke="#7c3aed" stroke-width="2"/></marker>
</defs>
<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>
<text x="{MARGIN}" y="28" font-size="18" font-weight="bold" fill="#0f172a">{title}</text>
<text x="{MARGIN}" y="46" font-size="12" fill="#475569">Data-flow diagram, {view}: {nodes} elements, {flows} flows, {boundaries} trust boundaries{note}</text>
"##,
        title = escape(&scene.title),
        view = escape(&scene.view),
        nodes = scene.nodes.len(),
        flows = scene.edges.len(),
        boundaries = scene.clusters.len(),
        note = if plan.labelled { "" } else { " (flow labels left out: hover a flow for its protocol and data)" },
    );
    let _ = writeln!(out, r#"<g transform="translate({MARGIN},{HEADER})">"#);
    clusters(&mut out, scene, layout);
    edges(&mut out, scene, &plan.flows, !plan.labelled);
    nodes(&mut out, scene, layout);
    out.push_str("</g>\n");
    legend(&mut out, MARGIN, legend_top);
    out.push_str(&key_text);
    out.push_str("</svg>\n");
    out
}

/// The key of flows whose label did not fit on the diagram, in columns
/// read top to bottom, at most `width` wide; returns its height (0 when
/// every label fitted).
fn key(out: &mut String, scene: &Scene, flows: &Flows, x: f32, y: f32, width: f32) -> f32 {
    if flows.keyed.is_empty() {
        return 0.0;
    }
    const FONT: f32 = 11.0;
    const ROW: f32 = 16.0;
    const PAD: f32 = 12.0;
    /// Room for the number before each entry.
    const NUMBER: f32 = 28.0;
    const COLUMN_GAP: f32 = 24.0;
    const HEADING: &str = "Flows whose label did not fit on the diagram";
    // Only an entry wider than the whole key is cut.
    let max_chars = ((width - 2.0 * PAD - NUMBER) / text_width("x", FONT)).floor() as usize;
    let entries: Vec<(String, String)> = flows
        .keyed
        .iter()
        .map(|&index| {
            let number = match flows.marks[index] {
                Some(Mark::Marker { number, .. }) => number.to_string(),
                _ => "–".to_string(),
            };
            let edge = &scene.edges[index];
            let text = format!(
                "{} → {}: {}",
                truncate(&scene.nodes[edge.from].label, LABEL_CHARS),
                truncate(&scene.nodes[edge.to].label, LABEL_CHARS),
                edge.label()
            );
            (number, truncate(&text, max_chars))
        })
        .collect();
    let note = if flows.marks.contains(&Some(Mark::KeyOnly)) {
        "(by the number on the flow; –: no room even for a number)"
    } else {
        "(by the number on the flow)"
    };
    let column_width = NUMBER + entries.iter().map(|(_, text)| text_width(text, FONT)).fold(0.0, f32::max);
    let columns =
        (((width - 2.0 * PAD + COLUMN_GAP) / (column_width + COLUMN_GAP)).floor() as usize).clamp(1, entries.len());
    let rows = entries.len().div_ceil(columns);
    let heading_width = text_width(HEADING, 12.0) + text_width(note, 12.0) + 8.0;
    let box_width = (columns as f32 * (column_width + COLUMN_GAP) - COLUMN_GAP).max(heading_width) + 2.0 * PAD;
    let height = 34.0 + rows as f32 * ROW;
    let _ = writeln!(
        out,
        r##"<g class="flow-key" transform="translate({x},{y})"><rect x="0" y="0" width="{w:.0}" height="{height:.0}" rx="6" fill="#ffffff" stroke="#cbd5e1"/><text x="{PAD}" y="20" font-size="12" font-weight="bold" fill="#0f172a">{HEADING} <tspan font-weight="normal" fill="#475569">{note}</tspan></text>"##,
        w = box_width.min(width),
    );
    for (position, (number, text)) in entries.iter().enumerate() {
        let (column, row) = (position / rows, position % rows);
        let left = PAD + column as f32 * (column_width + COLUMN_GAP);
        let _ = writeln!(
            out,
            r##"<text x="{left:.1}" y="{:.1}" font-size="{FONT}" fill="#0f172a"><tspan font-weight="bold">{}</tspan><tspan x="{:.1}">{}</tspan></text>"##,
            40.0 + row as f32 * ROW,
            number,
            left + NUMBER,
            escape(text),
        );
    }
    out.push_str("</g>\n");
    height
}

fn clusters(out: &mut String, scene: &Scene, layout: &Layout) {
    let mut order: Vec<usize> = (0..scene.clusters.len()).collect();
    order.sort_by_key(|&c| scene.depth(c));
    for c in order {
        let cluster = &scene.clusters[c];
        let r = layout.clusters[c];
        let fill = CLUSTER_FILLS[scene.depth(c).min(CLUSTER_FILLS.len() - 1)];
        let stroke = trust_stroke(cluster.trust);
        let _ = writeln!(
            out,
            r#"<g class="boundary" data-id="{id}" data-trust="{trust}"><title>{id} ({trust})</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="12" fill="{fill}" stroke="{stroke}" stroke-width="1.5" stroke-dasharray="8 4"/><text x="{tx:.1}" y="{ty:.1}" font-size="12" font-weight="bold" fill="{stroke}">{label} <tspan font-weight="normal">· {trust}</tspan></text></g>"#,
            id = escape(&cluster.id),
            trust = cluster.trust,
            x = r.x,
            y = r.y,
            w = r.w,
            h = r.h,
            tx = r.x + 10.0,
            ty = r.y + 17.0,
            label = escape(&truncate(&cluster.label, 48)),
        );
    }
}

/// The flows' lines, then their labels and markers; `faint` lines when
/// labels are left out.
fn edges(out: &mut String, scene: &Scene, flows: &Flows, faint: bool) {
    // Labels and markers go over every line, so no line crosses one.
    let mut labels = String::new();
    for (index, edge) in scene.edges.iter().enumerate() {
        let Some(route) = &flows.routes[index] else { continue };
        let (colour, marker, dash) = if edge.encrypted {
            (PLAIN, "arrow", "")
        } else {
            (UNENCRYPTED, "arrow-unencrypted", r#" stroke-dasharray="6 4""#)
        };
        let start = if edge.authenticated { "" } else { r#" marker-start="url(#unauthenticated)""# };
        let label = edge.label();
        let title = format!(
            "{id}: {from} → {to}, {label}{enc}{auth}",
            id = edge.id,
            from = scene.nodes[edge.from].id,
            to = scene.nodes[edge.to].id,
            enc = if edge.encrypted { "" } else { ", unencrypted" },
            auth = if edge.authenticated { "" } else { ", unauthenticated" },
        );
        let _ = writeln!(
            out,
            r#"<g class="flow" data-id="{id}" data-encrypted="{encrypted}" data-authenticated="{authenticated}"><title>{title}</title><path d="{d}" fill="none" stroke="{colour}" stroke-width="1.4"{faint}{dash} marker-end="url(#{marker})"{start}/></g>"#,
            d = route.svg_path(),
            id = escape(&edge.id),
            encrypted = edge.encrypted,
            authenticated = edge.authenticated,
            title = escape(&title),
            // Many flows: faint lines, so boxes and their labels stay readable.
            faint = if faint { r#" stroke-opacity="0.35""# } else { "" },
        );
        match flows.marks[index] {
            Some(Mark::Label(r)) => {
                let _ = writeln!(
                    labels,
                    r##"<text class="flow-label" x="{:.1}" y="{:.1}" font-size="{LABEL_FONT}" text-anchor="middle" fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke"><title>{}</title>{}</text>"##,
                    r.cx(),
                    r.y + 9.0,
                    escape(&title),
                    escape(&label_text(scene, index)),
                );
            }
            Some(Mark::Marker { number, rect: r }) => {
                let _ = writeln!(
                    labels,
                    r##"<g class="flow-marker"><title>{number}. {}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="#ffffff" stroke="{colour}"/><text x="{:.1}" y="{:.1}" font-size="{LABEL_FONT}" font-weight="bold" text-anchor="middle" fill="{colour}">{number}</text></g>"##,
                    escape(&title),
                    r.x,
                    r.y,
                    r.w,
                    r.h,
                    r.cx(),
                    r.y + 9.5,
                );
            }
            Some(Mark::KeyOnly) | None => {}
        }
    }
    out.push_str(&labels);
}

fn shape_svg(out: &mut String, shape: Shape, r: &Rect, fill: &str, stroke: &str) {
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    match shape {
        Shape::Actor => {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="{rx:.1}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><circle cx="{gx:.1}" cy="{hy:.1}" r="{head:.1}" fill="none" stroke="{stroke}" stroke-width="1.5"/><path d="M{bx0:.1},{by:.1} q0,-{k:.1} {k:.1},-{k:.1} q{k:.1},0 {k:.1},{k:.1}" fill="none" stroke="{stroke}" stroke-width="1.5"/>"#,
                rx = h / 2.0,
                gx = x + h / 2.0,
                head = h * 0.11,
                hy = y + h * 0.35,
                bx0 = x + h / 2.0 - h * 0.2,
                by = y + h * 0.8,
                k = h * 0.2,
            );
        }
        Shape::Process => {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="10" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"#
            );
        }
        Shape::Datastore => {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"/><path d="M{r:.1},{y:.1} H{x:.1} V{b:.1} H{r:.1}" fill="none" stroke="{stroke}" stroke-width="2"/><path d="M{x2:.1},{y:.1} V{b:.1}" stroke="{stroke}" stroke-width="1"/>"#,
                r = x + w,
                b = y + h,
                x2 = x + 8.0,
            );
        }
        Shape::External => {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/><rect x="{ix:.1}" y="{iy:.1}" width="{iw:.1}" height="{ih:.1}" fill="none" stroke="{stroke}" stroke-width="1"/>"#,
                ix = x + 3.5,
                iy = y + 3.5,
                iw = w - 7.0,
                ih = h - 7.0,
            );
        }
    }
}

fn nodes(out: &mut String, scene: &Scene, layout: &Layout) {
    for (node, r) in scene.nodes.iter().zip(&layout.nodes) {
        let (fill, stroke) = colours(node.severity);
        let severity = severity_name(node.severity);
        let _ = write!(
            out,
            r#"<g class="node" data-id="{id}" data-shape="{shape}" data-severity="{severity}"><title>{id}: {kind} ({shape}); worst unresolved threat: {severity}</title>"#,
            id = escape(&node.id),
            kind = escape(&node.kind),
            shape = node.shape.label(),
        );
        shape_svg(out, node.shape, r, fill, stroke);
        let cx = if node.shape == Shape::Actor { r.cx() + 12.0 } else { r.cx() };
        let _ = writeln!(
            out,
            r##"<text x="{cx:.1}" y="{:.1}" font-size="12" font-weight="bold" text-anchor="middle" fill="#0f172a">{}</text><text x="{cx:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#334155">{}</text></g>"##,
            r.cy() - 2.0,
            escape(&truncate(&node.label, LABEL_CHARS)),
            r.cy() + 12.0,
            escape(&truncate(&node.kind, LABEL_CHARS)),
        );
    }
}

fn legend(out: &mut String, x: f32, y: f32) {
    let _ = writeln!(
        out,
        r##"<g class="legend" transform="translate({x},{y})"><rect x="0" y="0" width="{LEGEND_WIDTH}" height="{LEGEND_HEIGHT}" rx="6" fill="#ffffff" stroke="#cbd5e1"/>"##
    );
    let heading = |out: &mut String, x: f32, text: &str| {
        let _ = write!(out, r##"<text x="{x}" y="20" font-size="12" font-weight="bold" fill="#0f172a">{text}</text>"##);
    };
    let label = |out: &mut String, x: f32, y: f32, text: &str| {
        let _ = write!(out, r##"<text x="{x}" y="{y}" font-size="11" fill="#0f172a">{text}</text>"##);
    };
    heading(out, 12.0, "Elements");
    let (fill, stroke) = ("#f1f5f9", "#334155");
    for (row, shape) in [Shape::Actor, Shape::Process, Shape::Datastore, Shape::External].into_iter().enumerate() {
        let top = 28.0 + row as f32 * 30.0;
        shape_svg(out, shape, &Rect { x: 12.0, y: top, w: 52.0, h: 26.0 }, fill, stroke);
        label(out, 74.0, top + 17.0, shape.label());
    }
    heading(out, 200.0, "Worst unresolved threat");
    let severities =
        [Some(Severity::Critical), Some(Severity::High), Some(Severity::Medium), Some(Severity::Low), None];
    for (row, severity) in severities.into_iter().enumerate() {
        let top = 30.0 + row as f32 * 22.0;
        let (fill, stroke) = colours(severity);
        let _ = write!(
            out,
            r#"<rect x="200" y="{top}" width="28" height="16" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"#
        );
        label(out, 236.0, top + 12.0, severity_name(severity));
    }
    heading(out, 400.0, "Flows");
    let lines = [
        (PLAIN, "", "", "encrypted, authenticated"),
        (UNENCRYPTED, r#" stroke-dasharray="6 4""#, "", "unencrypted"),
        (PLAIN, "", r#" marker-start="url(#unauthenticated)""#, "unauthenticated (◇ at the sender)"),
    ];
    for (row, (colour, dash, start, text)) in lines.into_iter().enumerate() {
        let top = 38.0 + row as f32 * 26.0;
        let marker = if colour == PLAIN { "arrow" } else { "arrow-unencrypted" };
        let _ = write!(
            out,
            r#"<path d="M406,{top} H456" stroke="{colour}" stroke-width="1.4"{dash} marker-end="url(#{marker})"{start}/>"#
        );
        label(out, 466.0, top + 4.0, text);
    }
    label(out, 400.0, 124.0, "Label: protocol: data carried");
    heading(out, 680.0, "Trust boundaries");
    for (row, trust) in ["untrusted", "partner", "internal", "restricted"].into_iter().enumerate() {
        let top = 30.0 + row as f32 * 24.0;
        let stroke = trust_stroke(trust);
        let _ = write!(
            out,
            r#"<rect x="680" y="{top}" width="28" height="16" rx="5" fill="{fill}" stroke="{stroke}" stroke-width="1.5" stroke-dasharray="5 3"/>"#,
            fill = CLUSTER_FILLS[0],
        );
        label(out, 716.0, top + 12.0, trust);
    }
    out.push_str("</g>\n");
}
