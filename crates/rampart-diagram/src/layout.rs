//! Where everything goes.
//!
//! dagre-rs 0.1 lays out a flat directed graph: it assigns layers (ranks) and
//! spaces nodes of one size on a grid. It has no clusters, node sizes or edge
//! routes, and the order of nodes within a layer depends on hash iteration
//! order. So each boundary is laid out on its own, innermost first, as a
//! flat graph of its direct children (elements and nested boundaries, each a
//! box of known size) whose edges are the flows between their contents;
//! dagre-rs gives the layers (columns, left to right), a small deterministic
//! barycenter pass orders each column, and the boxes are stacked with their
//! real sizes. A boundary's box then takes part in its parent's layout like
//! any element. Boxes cannot overlap and every boundary encloses its contents
//! by construction.

use std::collections::{BTreeSet, HashMap};

use dagre_rs::{DagreLayout, LayoutOptions, RankDir};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::scene::{Scene, Shape};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

// `bottom`, `contains` and `overlaps` serve the tests' geometry checks.
#[cfg_attr(not(test), allow(dead_code))]
impl Rect {
    pub fn right(&self) -> f32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
    pub fn cx(&self) -> f32 {
        self.x + self.w / 2.0
    }
    pub fn cy(&self) -> f32 {
        self.y + self.h / 2.0
    }
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x && other.y >= self.y && other.right() <= self.right() && other.bottom() <= self.bottom()
    }
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }
}

pub struct Layout {
    pub nodes: Vec<Rect>,
    pub clusters: Vec<Rect>,
    pub width: f32,
    pub height: f32,
}

/// Text metrics: an average glyph width of the sans-serif fonts at 12px.
pub const CHAR_WIDTH: f32 = 7.0;
pub const NODE_HEIGHT: f32 = 46.0;
pub const LABEL_CHARS: usize = 32;
/// Gap between boxes in a column.
const NODE_GAP: f32 = 18.0;
/// Gap between bands of a folded layout.
const BAND_GAP: f32 = 60.0;
/// Space around the contents of a boundary, and above them for its title.
const PAD: f32 = 14.0;
const TITLE: f32 = 22.0;

pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

pub fn node_size(label: &str, kind: &str, shape: Shape) -> (f32, f32) {
    let chars = truncate(label, LABEL_CHARS).chars().count().max(truncate(kind, LABEL_CHARS).chars().count()) as f32;
    let glyph = if shape == Shape::Actor { 24.0 } else { 0.0 };
    ((chars * CHAR_WIDTH + 28.0 + glyph).max(100.0), NODE_HEIGHT)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Item {
    Node(usize),
    Cluster(usize),
}

/// Lays out a scene; `rank_gap` is the horizontal space between columns
/// (room for flow labels).
pub fn layout(scene: &Scene, rank_gap: f32) -> Layout {
    // Children of each container; `None` is the diagram itself.
    let mut children: HashMap<Option<usize>, Vec<Item>> = HashMap::new();
    for (index, cluster) in scene.clusters.iter().enumerate() {
        children.entry(cluster.parent).or_default().push(Item::Cluster(index));
    }
    for (index, node) in scene.nodes.iter().enumerate() {
        children.entry(node.cluster).or_default().push(Item::Node(index));
    }
    // Position of each item in its container's list.
    let mut slot: HashMap<Item, usize> = HashMap::new();
    for items in children.values() {
        for (position, item) in items.iter().enumerate() {
            slot.insert(*item, position);
        }
    }
    // The chain of items from the top level down to a node.
    let chain = |node: usize| -> Vec<Item> {
        let mut out = vec![Item::Node(node)];
        let mut current = scene.nodes[node].cluster;
        while let Some(cluster) = current {
            out.push(Item::Cluster(cluster));
            current = scene.clusters[cluster].parent;
        }
        out.reverse();
        out
    };
    // Each flow becomes an edge in the container where its ends' chains part.
    let mut edges: HashMap<Option<usize>, BTreeSet<(usize, usize)>> = HashMap::new();
    for edge in &scene.edges {
        let (a, b) = (chain(edge.from), chain(edge.to));
        let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        if common >= a.len() || common >= b.len() {
            continue; // a flow from an element to itself
        }
        let container = if common == 0 {
            None
        } else {
            match a[common - 1] {
                Item::Cluster(c) => Some(c),
                Item::Node(_) => continue,
            }
        };
        edges.entry(container).or_default().insert((slot[&a[common]], slot[&b[common]]));
    }

    // Sizes and relative offsets, innermost boundaries first.
    let mut size: HashMap<Item, (f32, f32)> = HashMap::new();
    for (index, node) in scene.nodes.iter().enumerate() {
        size.insert(Item::Node(index), node_size(&node.label, &node.kind, node.shape));
    }
    let mut order: Vec<usize> = (0..scene.clusters.len()).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(scene.depth(c)));
    let mut offset: HashMap<Item, (f32, f32)> = HashMap::new();
    let empty = Vec::new();
    let no_edges = BTreeSet::new();
    for &cluster in &order {
        let items = children.get(&Some(cluster)).unwrap_or(&empty);
        let sizes: Vec<(f32, f32)> = items.iter().map(|item| size[item]).collect();
        let (offsets, w, h) = arrange(&sizes, edges.get(&Some(cluster)).unwrap_or(&no_edges), rank_gap);
        for (item, (x, y)) in items.iter().zip(offsets) {
            offset.insert(*item, (x + PAD, y + PAD + TITLE));
        }
        let title_width = truncate(&scene.clusters[cluster].label, 48).chars().count() as f32 * CHAR_WIDTH + 90.0;
        size.insert(Item::Cluster(cluster), ((w + 2.0 * PAD).max(title_width), h + 2.0 * PAD + TITLE));
    }
    let top = children.get(&None).unwrap_or(&empty);
    let sizes: Vec<(f32, f32)> = top.iter().map(|item| size[item]).collect();
    let (offsets, width, height) = arrange(&sizes, edges.get(&None).unwrap_or(&no_edges), rank_gap);
    for (item, position) in top.iter().zip(offsets) {
        offset.insert(*item, position);
    }

    // Absolute positions, outermost first.
    let mut nodes = vec![Rect::default(); scene.nodes.len()];
    let mut clusters = vec![Rect::default(); scene.clusters.len()];
    let mut origin: HashMap<Option<usize>, (f32, f32)> = HashMap::from([(None, (0.0, 0.0))]);
    let mut outer_first = order.clone();
    outer_first.reverse();
    for &cluster in &outer_first {
        let (px, py) = origin[&scene.clusters[cluster].parent];
        let (dx, dy) = offset[&Item::Cluster(cluster)];
        let (w, h) = size[&Item::Cluster(cluster)];
        clusters[cluster] = Rect { x: px + dx, y: py + dy, w, h };
        origin.insert(Some(cluster), (px + dx, py + dy));
    }
    for (index, node) in scene.nodes.iter().enumerate() {
        let (px, py) = origin[&node.cluster];
        let (dx, dy) = offset[&Item::Node(index)];
        let (w, h) = size[&Item::Node(index)];
        nodes[index] = Rect { x: px + dx, y: py + dy, w, h };
    }
    Layout { nodes, clusters, width, height }
}

/// Places boxes of the given sizes in columns: dagre-rs ranks them along the
/// edges, a barycenter pass orders each column, and long columns wrap.
/// Returns each box's top-left corner and the total size.
fn arrange(sizes: &[(f32, f32)], edges: &BTreeSet<(usize, usize)>, rank_gap: f32) -> (Vec<(f32, f32)>, f32, f32) {
    let n = sizes.len();
    if n == 0 {
        return (Vec::new(), 60.0, 20.0);
    }
    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, edges.len());
    for _ in 0..n {
        graph.add_node(());
    }
    for &(a, b) in edges {
        graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }
    let result = DagreLayout::with_options(LayoutOptions { rank_dir: RankDir::LeftToRight, ..Default::default() })
        .compute(&graph);
    // dagre-rs's order within a layer follows a HashMap's iteration order, so
    // only its layer assignment is used; the order is recomputed below.
    let layers: Vec<Vec<usize>> = result
        .layers
        .iter()
        .map(|layer| {
            let mut members: Vec<usize> = layer.iter().map(|node| node.index()).collect();
            members.sort_unstable();
            members
        })
        .collect();
    // dagre-rs 0.1's "longest path" stops at nodes it has already visited,
    // so an edge can end up inside one layer or pointing back (in a chain
    // a → b → c with a → c, b and c can share a layer). Its layers are kept
    // as the cycle-breaking order and tightened so that every edge that
    // does not point back ends at least one layer further right.
    let mut rank = vec![0usize; n];
    for (l, layer) in layers.iter().enumerate() {
        for &member in layer {
            rank[member] = l;
        }
    }
    let mut by_order: Vec<usize> = (0..n).collect();
    by_order.sort_by_key(|&m| (rank[m], m));
    let forward: Vec<(usize, usize)> = edges.iter().copied().filter(|&(a, b)| (rank[a], a) < (rank[b], b)).collect();
    let mut tightened = vec![0usize; n];
    for &member in &by_order {
        for &(a, b) in forward.iter().filter(|&&(a, _)| a == member) {
            debug_assert_eq!(a, member);
            tightened[b] = tightened[b].max(tightened[member] + 1);
        }
    }
    let depth = tightened.iter().copied().max().unwrap_or(0) + 1;
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (member, &l) in tightened.iter().enumerate() {
        layers[l].push(member);
    }
    layers.retain(|layer| !layer.is_empty());
    let mut neighbours = vec![Vec::new(); n];
    for &(a, b) in edges {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let mut position = vec![0.0f32; n];
    let update = |layers: &[Vec<usize>], position: &mut Vec<f32>| {
        for layer in layers {
            for (index, &member) in layer.iter().enumerate() {
                position[member] = index as f32 / layer.len().max(1) as f32;
            }
        }
    };
    update(&layers, &mut position);
    for _ in 0..8 {
        for pass in 0..2 {
            let sequence: Vec<usize> = if pass == 0 {
                (1..layers.len()).collect()
            } else {
                (0..layers.len().saturating_sub(1)).rev().collect()
            };
            for l in sequence {
                let adjacent: BTreeSet<usize> = layers[if pass == 0 { l - 1 } else { l + 1 }].iter().copied().collect();
                let mut keyed: Vec<(f32, usize)> = layers[l]
                    .iter()
                    .map(|&member| {
                        let linked: Vec<f32> = neighbours[member]
                            .iter()
                            .filter(|other| adjacent.contains(other))
                            .map(|&other| position[other])
                            .collect();
                        let key = if linked.is_empty() {
                            position[member]
                        } else {
                            linked.iter().sum::<f32>() / linked.len() as f32
                        };
                        (key, member)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                layers[l] = keyed.into_iter().map(|(_, member)| member).collect();
                update(&layers, &mut position);
            }
        }
    }

    // Columns; a layer taller than about a square's side wraps into several.
    let cap = ((n as f32).sqrt().ceil() as usize * 2).max(6);
    let columns: Vec<&[usize]> = layers.iter().flat_map(|layer| layer.chunks(cap)).collect();
    let heights: Vec<f32> = columns
        .iter()
        .map(|column| column.iter().map(|&m| sizes[m].1).sum::<f32>() + NODE_GAP * (column.len() as f32 - 1.0))
        .collect();
    let widths: Vec<f32> =
        columns.iter().map(|column| column.iter().map(|&m| sizes[m].0).fold(0.0, f32::max)).collect();
    // A long chain of layers folds into bands stacked top to bottom, so the
    // whole stays near a 16:9 page instead of one very wide strip.
    let flat_width = widths.iter().sum::<f32>() + rank_gap * (columns.len() as f32 - 1.0);
    let flat_height = heights.iter().copied().fold(0.0, f32::max);
    let bands = ((flat_width / flat_height.max(1.0) / 1.8).sqrt().floor() as usize).clamp(1, columns.len().max(1));
    let band_width = flat_width / bands as f32;
    let mut band_of = Vec::with_capacity(columns.len());
    let mut band = 0;
    let mut used = 0.0;
    for width in &widths {
        if used > 0.0 && used + width > band_width * 1.05 && band + 1 < bands {
            band += 1;
            used = 0.0;
        }
        band_of.push(band);
        used += width + rank_gap;
    }
    let bands = band + 1;
    let band_heights: Vec<f32> = (0..bands)
        .map(|b| (0..columns.len()).filter(|&c| band_of[c] == b).map(|c| heights[c]).fold(0.0, f32::max))
        .collect();
    let mut out = vec![(0.0, 0.0); n];
    let (mut x, mut top, mut total_width) = (0.0f32, 0.0f32, 0.0f32);
    for (c, column) in columns.iter().enumerate() {
        if c > 0 && band_of[c] != band_of[c - 1] {
            top += band_heights[band_of[c - 1]] + BAND_GAP;
            x = 0.0;
        }
        let mut y = top + (band_heights[band_of[c]] - heights[c]) / 2.0;
        for &member in column.iter() {
            out[member] = (x + (widths[c] - sizes[member].0) / 2.0, y);
            y += sizes[member].1 + NODE_GAP;
        }
        total_width = total_width.max(x + widths[c]);
        x += widths[c] + rank_gap;
    }
    (out, total_width, top + band_heights[bands - 1])
}
