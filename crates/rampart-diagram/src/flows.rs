//! Where flows go: where each meets its two boxes, its route (see
//! `route`), and a place for its label that hides no element, no boundary
//! title and no other label.
//!
//! The flows on one side of a box meet it at points spread along that
//! side, ordered by the heights of their other ends, so that neither their
//! arrowheads nor their starts coincide.
//!
//! A label is a box of estimated size ([`CHAR_WIDTH`] scaled to the label's
//! font). Its candidate places lie along the flow's route: the route is cut
//! into short segments of equal length, and the midpoint of each, from the
//! middle of the route outwards, offers a place on either side of the line
//! and then one straddling it. A label takes the first candidate that covers no element
//! box (nor the arrowheads beside it), no boundary title and no label placed
//! before it, preferring one that no other flow's line and no boundary
//! border crosses either, so it reads as belonging to its own flow. Labels
//! of short flows are placed first: they have the fewest candidates, while
//! a long flow has room elsewhere along its route.
//!
//! A label that fits nowhere becomes a small numbered marker on its flow,
//! and the whole label goes into a key under the legend, with the flow's
//! ends. A number a few pixels wide fits where 30 characters do not, it
//! stays on its line, so the reader can tell which flow it names (a smaller
//! font or a label off its line would be neither readable nor attributable),
//! and the key can be searched like any text. A flow whose marker does not
//! fit either is still listed in the key by its ends, and keeps its tooltip.

use std::collections::{BTreeMap, HashMap};

use crate::layout::{CHAR_WIDTH, Layout, Rect, truncate};
use crate::route::{Point, Route, Router, segment_hits, sides};
use crate::scene::Scene;

/// Font size of flow labels and markers ([`CHAR_WIDTH`] is measured at 12px).
pub const LABEL_FONT: f32 = 10.0;
/// Longer labels are cut with an ellipsis; the tooltip and the key keep the whole.
pub const FLOW_LABEL_CHARS: usize = 30;
/// Height of a label's box: the font's ascent and descent with a pixel to spare.
const LABEL_HEIGHT: f32 = 12.0;
const MARKER_HEIGHT: f32 = 13.0;
/// Space between a label and its line, and between a label and anything else.
const GAP: f32 = 2.0;
/// Segments a route is cut into; each one's midpoint is a candidate place.
/// Odd, so that one of them is the middle of the route.
const SEGMENTS: usize = 13;
/// Space between the ends of flows on one side of a box.
const PORT_SPACING: f32 = 8.0;
/// Length of an arrowhead (8 units at a stroke of 1.4) and then some.
const ARROW: f32 = 12.0;

/// Estimated width of text at a font size.
pub fn text_width(text: &str, font: f32) -> f32 {
    text.chars().count() as f32 * CHAR_WIDTH * font / 12.0
}

/// The text a flow's label shows.
pub fn label_text(scene: &Scene, edge: usize) -> String {
    truncate(&scene.edges[edge].label(), FLOW_LABEL_CHARS)
}

/// Where a boundary's title is written (see `svg::clusters`): labels keep clear of it.
pub fn title_box(scene: &Scene, layout: &Layout, cluster: usize) -> Rect {
    let c = &scene.clusters[cluster];
    let r = layout.clusters[cluster];
    let text = format!("{} · {}", truncate(&c.label, 48), c.trust);
    Rect { x: r.x + 8.0, y: r.y + 3.0, w: text_width(&text, 12.0) + 4.0, h: 19.0 }
}

/// How a flow is labelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// The label, centred in this box.
    Label(Rect),
    /// The label did not fit: marker `number` in this box, the label in the key.
    Marker { number: usize, rect: Rect },
    /// Neither fitted: the label is in the key without a number, and in the tooltip.
    KeyOnly,
}

// The tests check every mark's box against the others.
#[cfg_attr(not(test), allow(dead_code))]
impl Mark {
    pub fn rect(&self) -> Option<Rect> {
        match self {
            Mark::Label(rect) | Mark::Marker { rect, .. } => Some(*rect),
            Mark::KeyOnly => None,
        }
    }
}

pub struct Flows {
    /// Each flow's route; `None` for a flow from an element to itself.
    pub routes: Vec<Option<Route>>,
    /// Each flow's label; `None` when it has no route or labels are left out.
    pub marks: Vec<Option<Mark>>,
    /// Flows listed in the key: those with a marker in number order
    /// (number = position + 1), then those without.
    pub keyed: Vec<usize>,
}

/// A route as a line through points, measured along its length.
struct Measured {
    points: Vec<Point>,
    /// Length from the start to each point.
    lengths: Vec<f32>,
}

impl Measured {
    fn new(route: &Route) -> Measured {
        let points = route.polyline();
        let mut lengths = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += (p.0 - points[i - 1].0).hypot(p.1 - points[i - 1].1);
            }
            lengths.push(total);
        }
        Measured { points, lengths }
    }

    fn length(&self) -> f32 {
        self.lengths.last().copied().unwrap_or(0.0)
    }

    /// The point a `fraction` of the way along.
    fn at(&self, fraction: f32) -> Point {
        if self.points.len() < 2 {
            return self.points[0];
        }
        let wanted = fraction.clamp(0.0, 1.0) * self.length();
        let i = self.lengths.partition_point(|&l| l < wanted).clamp(1, self.points.len() - 1);
        let (a, b) = (self.points[i - 1], self.points[i]);
        let piece = self.lengths[i] - self.lengths[i - 1];
        let t = if piece > 0.0 { (wanted - self.lengths[i - 1]) / piece } else { 0.0 };
        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
    }
}

/// Boxes of size `w` × `h` along a route, best first: at each segment's
/// midpoint, from the middle of the route outwards, the two sides of the
/// line (chosen so the line does not cross the box) and then on the line.
fn candidates(route: &Measured, w: f32, h: f32, on_line_first: bool) -> Vec<Rect> {
    let mut order: Vec<usize> = (0..SEGMENTS).collect();
    // Middle first; of two segments as far from it, the earlier one.
    order.sort_by_key(|&i| ((2 * i + 1).abs_diff(SEGMENTS), i));
    let mut out = Vec::with_capacity(SEGMENTS * 3);
    for i in order {
        let a = route.at(i as f32 / SEGMENTS as f32);
        let b = route.at((i + 1) as f32 / SEGMENTS as f32);
        let (x, y) = route.at((i as f32 + 0.5) / SEGMENTS as f32);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let centred = Rect { x: x - w / 2.0, y: y - h / 2.0, w, h };
        let sides = if dy.abs() <= dx.abs() * 0.2 {
            // Nearly level: above and below.
            [Rect { y: y - GAP - h, ..centred }, Rect { y: y + GAP, ..centred }]
        } else if dx.abs() <= dy.abs() * 0.2 {
            // Nearly upright: right and left.
            [Rect { x: x + GAP, ..centred }, Rect { x: x - GAP - w, ..centred }]
        } else if (dx > 0.0) == (dy > 0.0) {
            // Falling to the right: a box touching the point with its
            // bottom-left or top-right corner stays clear of the line.
            [Rect { x: x + GAP, y: y - GAP - h, w, h }, Rect { x: x - GAP - w, y: y + GAP, w, h }]
        } else {
            // Rising to the right: top-left or bottom-right corner.
            [Rect { x: x + GAP, y: y + GAP, w, h }, Rect { x: x - GAP - w, y: y - GAP - h, w, h }]
        };
        if on_line_first {
            out.push(centred);
            out.extend(sides);
        } else {
            out.extend(sides);
            out.push(centred);
        }
    }
    out
}

/// A piece of a line, with the flow it belongs to (`None`: a boundary's border).
type Segment = (Option<usize>, (f32, f32), (f32, f32));

/// Side of a cell of the grid that indexes lines.
const CELL: f32 = 64.0;

fn cells(r: &Rect) -> impl Iterator<Item = (i32, i32)> {
    let (x0, x1) = ((r.x / CELL).floor() as i32, (r.right() / CELL).floor() as i32);
    let (y0, y1) = ((r.y / CELL).floor() as i32, (r.bottom() / CELL).floor() as i32);
    (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
}

/// What labels keep clear of. Boxes (elements, boundary titles, labels
/// placed so far) must not be covered; lines (other flows, boundary
/// borders) are avoided when a place clear of them exists, so that a label
/// reads as belonging to its own flow.
struct Space {
    bounds: Rect,
    boxes: Vec<Rect>,
    lines: HashMap<(i32, i32), Vec<Segment>>,
}

impl Space {
    fn add_line(&mut self, owner: Option<usize>, a: (f32, f32), b: (f32, f32)) {
        let reach = Rect { x: a.0.min(b.0), y: a.1.min(b.1), w: (a.0 - b.0).abs(), h: (a.1 - b.1).abs() };
        for cell in cells(&reach) {
            self.lines.entry(cell).or_default().push((owner, a, b));
        }
    }

    fn covers_box(&self, candidate: &Rect) -> bool {
        let padded =
            Rect { x: candidate.x - GAP, y: candidate.y - GAP, w: candidate.w + 2.0 * GAP, h: candidate.h + 2.0 * GAP };
        !self.bounds.contains(candidate) || self.boxes.iter().any(|other| other.overlaps(&padded))
    }

    fn covers_line(&self, candidate: &Rect, flow: usize) -> bool {
        cells(candidate).any(|cell| {
            self.lines.get(&cell).is_some_and(|segments| {
                segments.iter().any(|&(owner, a, b)| owner != Some(flow) && segment_hits(a, b, candidate))
            })
        })
    }

    /// Takes the first candidate clear of boxes and lines, or else the
    /// first clear of boxes.
    fn take(&mut self, candidates: &[Rect], flow: usize) -> Option<Rect> {
        let open: Vec<&Rect> = candidates.iter().filter(|c| !self.covers_box(c)).collect();
        let free = open.iter().find(|c| !self.covers_line(c, flow)).or(open.first()).map(|c| **c)?;
        self.boxes.push(free);
        Some(free)
    }
}

/// Where each flow meets its two boxes, in pixels below their middles.
/// The flows on one side of a box are spread along it, in the order of
/// the heights of their other ends (then in scene order), so that they
/// neither meet in one point nor cross there; flows between the same two
/// elements come out side by side.
fn ports(scene: &Scene, layout: &Layout) -> Vec<(f32, f32)> {
    // A flow's end on a side of a box: the height of its other end, the
    // flow, and whether this end is where the flow starts.
    type End = (f32, usize, bool);
    // By element and side (true: right).
    let mut attached: BTreeMap<(usize, bool), Vec<End>> = BTreeMap::new();
    for (index, edge) in scene.edges.iter().enumerate().filter(|(_, edge)| edge.from != edge.to) {
        let (s, t) = (&layout.nodes[edge.from], &layout.nodes[edge.to]);
        let (leave, enter) = sides(s, t);
        attached.entry((edge.from, leave > 0.0)).or_default().push((t.cy(), index, true));
        attached.entry((edge.to, enter > 0.0)).or_default().push((s.cy(), index, false));
    }
    let mut ends = vec![(0.0, 0.0); scene.edges.len()];
    for ((node, _), mut list) in attached {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let count = list.len() as f32;
        // 8px apart, closer when that would take the ends off the box.
        let spacing = if count > 1.0 { PORT_SPACING.min((layout.nodes[node].h - 12.0) / (count - 1.0)) } else { 0.0 };
        for (position, &(_, index, start)) in list.iter().enumerate() {
            let offset = (position as f32 - (count - 1.0) / 2.0) * spacing;
            if start {
                ends[index].0 = offset;
            } else {
                ends[index].1 = offset;
            }
        }
    }
    ends
}

/// Routes every flow and, with `labelled`, places every label. `bounds` is
/// the area labels may use, in layout coordinates.
pub fn plan(scene: &Scene, layout: &Layout, labelled: bool, bounds: Rect) -> Flows {
    let titles: Vec<Rect> = (0..scene.clusters.len()).map(|c| title_box(scene, layout, c)).collect();
    let mut router = Router::new(layout, scene.clusters.iter().map(|c| c.parent).collect(), &titles);
    let ports = ports(scene, layout);
    let routes: Vec<Option<Route>> = scene
        .edges
        .iter()
        .zip(&ports)
        .map(|(edge, &ends)| (edge.from != edge.to).then(|| router.route(edge.from, edge.to, ends)))
        .collect();
    let mut marks = vec![None; scene.edges.len()];
    let mut keyed = Vec::new();
    if !labelled {
        return Flows { routes, marks, keyed };
    }

    // Element boxes are widened by an arrowhead's length, so a label leaves
    // the arrows at their ends visible.
    let boxes = layout
        .nodes
        .iter()
        .map(|r| Rect { x: r.x - ARROW, y: r.y - GAP, w: r.w + 2.0 * ARROW, h: r.h + 2.0 * GAP })
        .chain(titles.iter().copied())
        .collect();
    let mut space = Space { bounds, boxes, lines: HashMap::new() };
    let measured: Vec<Option<Measured>> = routes.iter().map(|route| route.as_ref().map(Measured::new)).collect();
    for (flow, route) in measured.iter().enumerate() {
        let Some(route) = route else { continue };
        for pair in route.points.windows(2) {
            space.add_line(Some(flow), pair[0], pair[1]);
        }
    }
    for r in &layout.clusters {
        let corners = [(r.x, r.y), (r.right(), r.y), (r.right(), r.bottom()), (r.x, r.bottom())];
        for (i, &corner) in corners.iter().enumerate() {
            space.add_line(None, corner, corners[(i + 1) % 4]);
        }
    }
    // Short flows first (see the module's comment); ties in scene order.
    let mut order: Vec<(f32, usize)> =
        measured.iter().enumerate().filter_map(|(index, route)| Some((route.as_ref()?.length(), index))).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for &(_, index) in &order {
        let route = measured[index].as_ref().expect("only routed flows are ordered");
        let w = text_width(&label_text(scene, index), LABEL_FONT) + 2.0;
        if let Some(rect) = space.take(&candidates(route, w, LABEL_HEIGHT, false), index) {
            marks[index] = Some(Mark::Label(rect));
        }
    }
    // Markers after every label has had its chance, numbered in scene order.
    let mut unnumbered = Vec::new();
    for (index, route) in measured.iter().enumerate() {
        let Some(route) = route else { continue };
        if marks[index].is_some() {
            continue;
        }
        let number = keyed.len() + 1;
        let w = text_width(&number.to_string(), LABEL_FONT) + 8.0;
        match space.take(&candidates(route, w, MARKER_HEIGHT, true), index) {
            Some(rect) => {
                marks[index] = Some(Mark::Marker { number, rect });
                keyed.push(index);
            }
            None => {
                marks[index] = Some(Mark::KeyOnly);
                unnumbered.push(index);
            }
        }
    }
    keyed.extend(unnumbered);
    Flows { routes, marks, keyed }
}
