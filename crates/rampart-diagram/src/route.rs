//! Where flows run: a route for each flow that passes over no element box
//! but its own two, and enters or leaves a boundary only where it must.
//!
//! The drawing is cut into vertical slabs at every left and right edge of
//! an element box (grown by [`CLEARANCE`]), a boundary title and a
//! boundary; within a slab, the free heights between boxes are cells,
//! each inside a known innermost boundary. A flow between boxes side by
//! side runs from one box's side to the facing side of the other, slab
//! after slab, changing cells where they meet. Its cells are the cheapest
//! such chain (a dynamic programme, slab by slab, since the route never
//! turns back), costed by the height it climbs, each boundary border it
//! crosses, each stretch over a boundary title and, to break ties, how far
//! it strays from the straight line. This is what the dummy nodes of a
//! layered layout do, with the gaps found in the real geometry of nested
//! boundaries instead of in a flat grid of ranks.
//!
//! The chain becomes as few level runs as fit in it, each at the height
//! nearest the straight line that no other flow's run holds (so flows
//! sharing a gap are spread apart), joined by S-curves. A curve spans the
//! stretch where the cells leave its whole climb free, so it stays clear
//! by construction; where there is none, the widest curve found clear of
//! every box and extra border, else a rounded or square step, which always
//! fits. A flow whose plain curve is already clear keeps it.
//!
//! Two boxes stacked in one column are joined by a loop out to the right,
//! through the first upright gap clear of boxes. What neither can do (say,
//! boxes far apart in a folded layout) takes a shortest path over the
//! cells in any direction, drawn square with rounded corners. The routes
//! avoid the borders of boundaries but do not promise it: a flow may enter
//! and leave a boundary in between when going around it is far longer
//! (see [`BORDER_COST`]), and the loops only avoid boxes.
//!
//! Flows are routed one after another in scene order, each seeing the runs
//! of those before it, so the same scene gives the same routes.

use crate::layout::{Layout, Rect};

pub type Point = (f32, f32);

/// Space kept between a flow and any box it does not end at.
const CLEARANCE: f32 = 5.0;
/// Further space kept inside a cell from a box.
const INSET: f32 = 4.0;
/// Space kept inside a cell from a boundary's border.
const BORDER_INSET: f32 = 8.0;
/// Space between flows running level through the same gap.
const LANE: f32 = 6.0;
/// Cost of crossing a boundary's border, in pixels of extra route.
const BORDER_COST: f32 = 300.0;
/// Cost per pixel of running over a boundary's title.
const TITLE_COST: f32 = 4.0;
/// Cost per pixel of length and pixel of distance of straying from the straight line.
const STRAY_COST: f32 = 0.002;
/// How far above and below the boxes a route may run.
const OUTSIDE: f32 = 12.0;
/// Side of a cell of the grids that index boxes, boundaries and runs.
const CELL: f32 = 64.0;
/// How much of the room on either side of a climb an S-curve may take.
const FRACTIONS: [f32; 6] = [1.0, 0.6, 0.35, 0.2, 0.1, 0.0];
/// Cubic control offset of a quarter circle, as a fraction of its radius.
const QUARTER: f32 = 0.5523;

/// A chain of cubic Béziers.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub start: Point,
    /// Each piece's two control points and its end; a straight piece has
    /// its control points on its line.
    pub pieces: Vec<[Point; 3]>,
}

fn lerp(a: Point, b: Point, t: f32) -> Point {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

fn bezier(a: Point, b: Point, c: Point, d: Point, t: f32) -> Point {
    let u = 1.0 - t;
    let (ka, kb, kc, kd) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (ka * a.0 + kb * b.0 + kc * c.0 + kd * d.0, ka * a.1 + kb * b.1 + kc * c.1 + kd * d.1)
}

fn distance(a: Point, b: Point) -> f32 {
    (b.0 - a.0).hypot(b.1 - a.1)
}

impl Route {
    fn new(start: Point) -> Route {
        Route { start, pieces: Vec::new() }
    }

    pub fn end(&self) -> Point {
        self.pieces.last().map_or(self.start, |piece| piece[2])
    }

    fn line_to(&mut self, to: Point) {
        let from = self.end();
        if distance(from, to) > 0.01 {
            self.pieces.push([lerp(from, to, 1.0 / 3.0), lerp(from, to, 2.0 / 3.0), to]);
        }
    }

    fn curve_to(&mut self, c1: Point, c2: Point, to: Point) {
        self.pieces.push([c1, c2, to]);
    }

    /// Each piece with its start, and whether it is straight.
    fn each(&self) -> impl Iterator<Item = (Point, [Point; 3], bool)> + '_ {
        let starts = std::iter::once(self.start).chain(self.pieces.iter().map(|piece| piece[2]));
        starts.zip(&self.pieces).map(|(from, &piece)| {
            let [c1, c2, to] = piece;
            let straight =
                distance(c1, lerp(from, to, 1.0 / 3.0)) < 0.01 && distance(c2, lerp(from, to, 2.0 / 3.0)) < 0.01;
            (from, piece, straight)
        })
    }

    /// The `d` attribute of an SVG path.
    pub fn svg_path(&self) -> String {
        use std::fmt::Write;
        let mut out = format!("M{:.1},{:.1}", self.start.0, self.start.1);
        for (_, [c1, c2, to], straight) in self.each() {
            if straight {
                let _ = write!(out, " L{:.1},{:.1}", to.0, to.1);
            } else {
                let _ = write!(out, " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", c1.0, c1.1, c2.0, c2.1, to.0, to.1);
            }
        }
        out
    }

    /// Points along the route: the ends of straight pieces, and on curves
    /// points about 4 pixels apart (at most 128 to a curve), so that the
    /// line through them strays from the curve by well under a pixel.
    pub fn polyline(&self) -> Vec<Point> {
        let mut out = vec![self.start];
        for (from, [c1, c2, to], straight) in self.each() {
            if straight {
                out.push(to);
                continue;
            }
            let length = (distance(from, c1) + distance(c1, c2) + distance(c2, to) + distance(from, to)) / 2.0;
            let steps = ((length / 4.0).ceil() as usize).clamp(6, 128);
            out.extend((1..=steps).map(|i| bezier(from, c1, c2, to, i as f32 / steps as f32)));
        }
        out
    }
}

/// The sides of box `s` and box `t` a flow from one to the other leaves
/// and enters by (1: right, -1: left): facing sides when the boxes are
/// side by side, else both right sides.
pub fn sides(s: &Rect, t: &Rect) -> (f32, f32) {
    if t.x >= s.right() + 1.0 {
        (1.0, -1.0)
    } else if t.right() <= s.x - 1.0 {
        (-1.0, 1.0)
    } else {
        (1.0, 1.0)
    }
}

/// The curve from box `s` to box `t`, `ends` pixels below their middles,
/// that ignores everything in between: the fallback when no clear route
/// is found.
pub fn direct(s: &Rect, t: &Rect, ends: (f32, f32)) -> Route {
    let (leave, enter) = sides(s, t);
    let start = (if leave > 0.0 { s.right() } else { s.x }, s.cy() + ends.0);
    let end = (if enter > 0.0 { t.right() } else { t.x }, t.cy() + ends.1);
    let (c1, c2) = if leave != enter {
        let dx = ((end.0 - start.0).abs() / 2.0).max(30.0) * leave;
        ((start.0 + dx, start.1), (end.0 - dx, end.1))
    } else {
        // Stacked in one column: loop out to the right.
        let bulge = start.0.max(end.0) + 30.0 + ((end.1 - start.1).abs() / 6.0).min(80.0);
        ((bulge, start.1), (bulge, end.1))
    };
    let mut route = Route::new(start);
    route.curve_to(c1, c2, end);
    route
}

/// Whether the segment from `a` to `b` passes through `r` (Liang–Barsky clipping).
pub fn segment_hits(a: Point, b: Point, r: &Rect) -> bool {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut enter, mut leave) = (0.0f32, 1.0f32);
    for (p, q) in [(-dx, a.0 - r.x), (dx, r.right() - a.0), (-dy, a.1 - r.y), (dy, r.bottom() - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else if p < 0.0 {
            enter = enter.max(q / p);
        } else {
            leave = leave.min(q / p);
        }
        if enter > leave {
            return false;
        }
    }
    true
}

/// Things indexed by the squares of a grid they overlap; anything beyond
/// the grid's edge counts as in the nearest square.
struct Grid<T> {
    columns: usize,
    rows: usize,
    squares: Vec<Vec<T>>,
}

impl<T: Copy> Grid<T> {
    fn new(width: f32, height: f32) -> Grid<T> {
        let columns = (width.max(0.0) / CELL).ceil() as usize + 2;
        let rows = (height.max(0.0) / CELL).ceil() as usize + 2;
        Grid { columns, rows, squares: (0..columns * rows).map(|_| Vec::new()).collect() }
    }

    fn column(&self, x: f32) -> usize {
        ((x / CELL).floor() + 1.0).clamp(0.0, (self.columns - 1) as f32) as usize
    }

    fn row(&self, y: f32) -> usize {
        ((y / CELL).floor() + 1.0).clamp(0.0, (self.rows - 1) as f32) as usize
    }

    /// The squares a rectangle overlaps.
    fn under(&self, r: &Rect) -> impl Iterator<Item = usize> + use<T> {
        let (x0, x1) = (self.column(r.x), self.column(r.right()));
        let (y0, y1) = (self.row(r.y), self.row(r.bottom()));
        let columns = self.columns;
        (y0..=y1).flat_map(move |y| (x0..=x1).map(move |x| y * columns + x))
    }

    fn insert(&mut self, r: &Rect, value: T) {
        for square in self.under(r).collect::<Vec<_>>() {
            self.squares[square].push(value);
        }
    }

    fn at(&self, p: Point) -> &[T] {
        &self.squares[self.row(p.1) * self.columns + self.column(p.0)]
    }
}

fn inflate(r: &Rect, by: f32) -> Rect {
    Rect { x: r.x - by, y: r.y - by, w: r.w + 2.0 * by, h: r.h + 2.0 * by }
}

/// For each cell a search visits: its cost so far, the cell before it,
/// and the height it is crossed at.
#[derive(Default)]
struct Scratch {
    cost: Vec<f32>,
    back: Vec<usize>,
    height: Vec<f32>,
}

/// Cells that meet, by a pixel at least, across a slab edge: cell `c`'s
/// are `to[start[c]..start[c + 1]]`, each with the borders between the two.
#[derive(Default)]
struct Links {
    start: Vec<usize>,
    to: Vec<(usize, usize)>,
}

impl Links {
    fn of(&self, cell: usize) -> &[(usize, usize)] {
        &self.to[self.start[cell]..self.start[cell + 1]]
    }
}

/// A free height within a slab.
#[derive(Clone, Copy, Debug)]
struct Cell {
    lo: f32,
    hi: f32,
    /// How far a route keeps from `lo` and from `hi`.
    lo_gap: f32,
    hi_gap: f32,
    /// Over a boundary's title.
    title: bool,
    /// The innermost boundary around it.
    cluster: Option<usize>,
}

/// Along a route, a stretch of the x axis and the heights it may use there;
/// `u` is x in the direction of travel.
#[derive(Clone, Copy, Debug)]
struct Span {
    u0: f32,
    u1: f32,
    lo: f32,
    hi: f32,
    /// The heights a level run uses, kept from boxes and borders.
    inner: (f32, f32),
}

/// The heights from `lo + lo_gap` to `hi - hi_gap`, or where there is no
/// room for both gaps, one height splitting the room in their proportion.
fn inner(lo: f32, hi: f32, lo_gap: f32, hi_gap: f32) -> (f32, f32) {
    if hi - lo > lo_gap + hi_gap {
        (lo + lo_gap, hi - hi_gap)
    } else {
        let y = lo + (hi - lo) * lo_gap / (lo_gap + hi_gap);
        (y, y)
    }
}

impl Cell {
    fn inner(&self) -> (f32, f32) {
        inner(self.lo, self.hi, self.lo_gap, self.hi_gap)
    }
}

/// A level stretch of a route.
#[derive(Clone, Copy, Debug)]
struct Run {
    u0: f32,
    u1: f32,
    lo: f32,
    hi: f32,
    y: f32,
    fixed: bool,
}

/// How a route climbs from one run to the next, around the point where they meet.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// An S-curve from `before` ahead of the meeting point to `after` beyond it.
    Curve { before: f32, after: f32 },
    /// Level, a quarter circle, upright, a quarter circle, level.
    Corner(f32),
}

pub struct Router<'a> {
    nodes: &'a [Rect],
    clusters: &'a [Rect],
    parent: Vec<Option<usize>>,
    depth: Vec<usize>,
    /// Boxes to keep clear of, grown by [`CLEARANCE`], with the element each is (`None`: a title).
    obstacles: Vec<(Rect, Option<usize>)>,
    obstacle_grid: Grid<usize>,
    cluster_grid: Grid<usize>,
    /// Slab edges, left to right; slab `k` runs from `xs[k]` to `xs[k + 1]`.
    xs: Vec<f32>,
    /// Slab `k`'s cells, bottom up, are `cells[cell_start[k]..cell_start[k + 1]]`.
    cell_start: Vec<usize>,
    cells: Vec<Cell>,
    /// The slab each cell is in.
    slab_of: Vec<usize>,
    /// The cells each cell meets in the slab to its left (`[0]`) and to its right (`[1]`).
    links: [Links; 2],
    /// Level runs placed so far: (left, right, height).
    runs: Grid<(f32, f32, f32)>,
    /// Room for the search's per-cell numbers, kept from flow to flow.
    scratch: Scratch,
}

impl<'a> Router<'a> {
    /// `parents` gives each boundary's enclosing one; `titles` are the
    /// boxes of the boundaries' titles.
    pub fn new(layout: &'a Layout, parents: Vec<Option<usize>>, titles: &[Rect]) -> Router<'a> {
        let depth: Vec<usize> =
            (0..parents.len()).map(|c| std::iter::successors(parents[c], |&p| parents[p]).count()).collect();
        let obstacles: Vec<(Rect, Option<usize>)> = layout
            .nodes
            .iter()
            .enumerate()
            .map(|(index, r)| (inflate(r, CLEARANCE), Some(index)))
            .chain(titles.iter().map(|r| (inflate(r, 1.0), None)))
            .collect();
        let mut obstacle_grid = Grid::new(layout.width, layout.height);
        for (index, (r, _)) in obstacles.iter().enumerate() {
            obstacle_grid.insert(r, index);
        }
        let mut cluster_grid = Grid::new(layout.width, layout.height);
        for (index, r) in layout.clusters.iter().enumerate() {
            cluster_grid.insert(r, index);
        }

        let (top, bottom) = (-OUTSIDE, layout.height + OUTSIDE);
        let mut xs: Vec<f32> = vec![-OUTSIDE, layout.width + OUTSIDE];
        for r in obstacles.iter().map(|(r, _)| r).chain(&layout.clusters) {
            xs.extend([r.x, r.right()]);
        }
        xs.sort_by(f32::total_cmp);
        xs.dedup_by(|b, a| *b - *a < 0.01);
        let mut cell_start = Vec::with_capacity(xs.len());
        let mut cells: Vec<Cell> = Vec::new();
        for k in 0..xs.len() - 1 {
            cell_start.push(cells.len());
            let (left, right) = (xs[k], xs[k + 1]);
            let across = |r: &Rect| r.x < right - 0.005 && r.right() > left + 0.005;
            let blocking: Vec<&(Rect, Option<usize>)> = obstacles.iter().filter(|(r, _)| across(r)).collect();
            let around: Vec<usize> = (0..layout.clusters.len()).filter(|&c| across(&layout.clusters[c])).collect();
            let mut ys = vec![top, bottom];
            for r in blocking.iter().map(|(r, _)| r).chain(around.iter().map(|&c| &layout.clusters[c])) {
                ys.extend([r.y.clamp(top, bottom), r.bottom().clamp(top, bottom)]);
            }
            ys.sort_by(f32::total_cmp);
            ys.dedup_by(|b, a| *b - *a < 0.01);
            let blocked: Vec<bool> = ys
                .windows(2)
                .map(|pair| {
                    let middle = (pair[0] + pair[1]) / 2.0;
                    blocking.iter().any(|(r, node)| node.is_some() && r.y < middle && middle < r.bottom())
                })
                .collect();
            for (i, pair) in ys.windows(2).enumerate() {
                let (lo, hi) = (pair[0], pair[1]);
                let middle = (lo + hi) / 2.0;
                let inside = |r: &Rect| r.y < middle && middle < r.bottom();
                if blocked[i] {
                    continue;
                }
                // Routes keep further from a border than from a grown box.
                let gap = |next_to_box: bool| if next_to_box { INSET } else { BORDER_INSET };
                let (lo_gap, hi_gap) = (gap(i > 0 && blocked[i - 1]), gap(blocked.get(i + 1) == Some(&true)));
                let title = blocking.iter().any(|(r, node)| node.is_none() && inside(r));
                let cluster = around.iter().copied().filter(|&c| inside(&layout.clusters[c])).max_by_key(|&c| depth[c]);
                let own_slab = cells.len() > cell_start[k];
                match cells.last_mut() {
                    Some(last)
                        if own_slab
                            && (last.hi - lo).abs() < 0.01
                            && last.title == title
                            && last.cluster == cluster =>
                    {
                        (last.hi, last.hi_gap) = (hi, hi_gap);
                    }
                    _ => cells.push(Cell { lo, hi, lo_gap, hi_gap, title, cluster }),
                }
            }
        }
        cell_start.push(cells.len());
        let slab_of =
            (0..xs.len() - 1).flat_map(|k| std::iter::repeat_n(k, cell_start[k + 1] - cell_start[k])).collect();
        let mut router = Router {
            nodes: &layout.nodes,
            clusters: &layout.clusters,
            parent: parents,
            depth,
            obstacles,
            obstacle_grid,
            cluster_grid,
            xs,
            cell_start,
            cells,
            slab_of,
            links: Default::default(),
            runs: Grid::new(layout.width, 0.0),
            scratch: Scratch::default(),
        };
        for (side, step) in [(0, -1isize), (1, 1)] {
            let mut links = Links::default();
            for c in 0..router.cells.len() {
                links.start.push(links.to.len());
                let cell = router.cells[c];
                let Some(k) = router.slab_of[c].checked_add_signed(step).filter(|&k| k + 1 < router.xs.len()) else {
                    continue;
                };
                let range = router.cell_start[k]..router.cell_start[k + 1];
                let mut p = range.start + router.cells[range.clone()].partition_point(|q| q.hi <= cell.lo);
                while p < range.end && router.cells[p].lo < cell.hi {
                    let q = router.cells[p];
                    if q.hi.min(cell.hi) - q.lo.max(cell.lo) >= 1.0 {
                        links.to.push((p, router.borders(cell.cluster, q.cluster)));
                    }
                    p += 1;
                }
            }
            links.start.push(links.to.len());
            router.links[side] = links;
        }
        router
    }

    /// Borders crossed between the insides of two boundaries (`None`: outside all).
    fn borders(&self, mut a: Option<usize>, mut b: Option<usize>) -> usize {
        let depth = |c: Option<usize>| c.map_or(0, |c| self.depth[c] + 1);
        let mut count = 0;
        while a != b {
            if depth(a) >= depth(b) {
                a = a.and_then(|c| self.parent[c]);
            } else {
                b = b.and_then(|c| self.parent[c]);
            }
            count += 1;
        }
        count
    }

    /// The innermost boundary around a point.
    fn cluster_at(&self, p: Point) -> Option<usize> {
        let r_contains = |r: &Rect| r.x < p.0 && p.0 < r.right() && r.y < p.1 && p.1 < r.bottom();
        self.cluster_grid
            .at(p)
            .iter()
            .copied()
            .filter(|&c| r_contains(&self.clusters[c]))
            .max_by_key(|&c| self.depth[c])
    }

    /// Whether a line through these points keeps clear of every box but the
    /// flow's own ends and, with `borders`, crosses no more boundary
    /// borders than it must.
    fn clear(&self, points: &[Point], ends: (usize, usize), borders: bool) -> bool {
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let reach = Rect { x: a.0.min(b.0), y: a.1.min(b.1), w: (a.0 - b.0).abs(), h: (a.1 - b.1).abs() };
            for square in self.obstacle_grid.under(&reach) {
                for &index in &self.obstacle_grid.squares[square] {
                    let (r, node) = &self.obstacles[index];
                    if *node != Some(ends.0) && *node != Some(ends.1) && segment_hits(a, b, r) {
                        return false;
                    }
                }
            }
        }
        let (Some(&first), Some(&last)) = (points.first(), points.last()) else { return true };
        if !borders {
            return true;
        }
        let crossed: usize =
            points.windows(2).map(|pair| self.borders(self.cluster_at(pair[0]), self.cluster_at(pair[1]))).sum();
        crossed <= self.borders(self.cluster_at(first), self.cluster_at(last))
    }

    /// Whether a level run at height `y` from `left` to `right` would lie
    /// on one already placed.
    fn lane_taken(&self, left: f32, right: f32, y: f32) -> bool {
        let reach = Rect { x: left, y: 0.0, w: right - left, h: 0.0 };
        self.runs.under(&reach).any(|square| {
            self.runs.squares[square]
                .iter()
                .any(|&(l, r, other)| l < right - 1.0 && left < r - 1.0 && (other - y).abs() < LANE - 0.01)
        })
    }

    fn take_lane(&mut self, left: f32, right: f32, y: f32) {
        self.runs.insert(&Rect { x: left, y: 0.0, w: right - left, h: 0.0 }, (left, right, y));
    }

    /// The route of a flow from element `from` to element `to`, meeting
    /// them `ends` pixels below their middles (on the [`sides`] given).
    pub fn route(&mut self, from: usize, to: usize, ends: (f32, f32)) -> Route {
        let (leave, enter) = sides(&self.nodes[from], &self.nodes[to]);
        if leave != enter { self.across(from, to, leave, ends) } else { self.around(from, to, ends) }
    }

    /// A route from one box's side to the facing side of a box to the
    /// right (`dir` 1) or left (`dir` -1).
    fn across(&mut self, from: usize, to: usize, dir: f32, ends: (f32, f32)) -> Route {
        let (s, t) = (self.nodes[from], self.nodes[to]);
        let fallback = direct(&s, &t, ends);
        let (y0, y1) = (s.cy() + ends.0, t.cy() + ends.1);
        let (x0, x1) = if dir > 0.0 { (s.right(), t.x) } else { (s.x, t.right()) };
        if self.clear(&fallback.polyline(), (from, to), true) {
            return fallback;
        }
        let Some(spans) = self.cells_between(x0, y0, x1, y1, dir) else {
            return self.detour(from, to, ends, dir, -dir).unwrap_or(fallback);
        };
        let mut runs = level_runs(&spans, y0, y1);
        // Heights: nearest the straight line, off other flows' runs.
        let slope = |u: f32| y0 + (y1 - y0) * (u - dir * x0) / (dir * x1 - dir * x0);
        for run in runs.iter_mut().filter(|run| !run.fixed) {
            let preferred = slope((run.u0 + run.u1) / 2.0).clamp(run.lo, run.hi);
            let (left, right) = ((dir * run.u0).min(dir * run.u1), (dir * run.u0).max(dir * run.u1));
            run.y = (0..24)
                .map(|i| preferred + LANE * ((i + 1) / 2) as f32 * if i % 2 == 0 { 1.0 } else { -1.0 })
                .filter(|&y| y >= run.lo && y <= run.hi)
                .find(|&y| !self.lane_taken(left, right, y))
                .unwrap_or(preferred);
        }
        runs.dedup_by(|b, a| {
            let same = (a.y - b.y).abs() < 0.01;
            if same {
                a.u1 = b.u1;
            }
            same
        });
        for run in &runs {
            let (a, b) = (dir * run.u0, dir * run.u1);
            self.take_lane(a.min(b), a.max(b), run.y);
        }

        // How each run climbs to the next.
        let last = runs.len() - 1;
        let steps: Vec<Step> = (0..last)
            .map(|j| {
                let (a, b) = (runs[j], runs[j + 1]);
                let ahead = if j == 0 { a.u1 - a.u0 } else { (a.u1 - a.u0) / 2.0 };
                let beyond = if j + 1 == last { b.u1 - b.u0 } else { (b.u1 - b.u0) / 2.0 };
                let at = b.u0;
                // Where the spans leave the whole climb clear, an S-curve
                // within that stretch is clear: it stays within the
                // rectangle of its ends.
                let (low, high) = (a.y.min(b.y), a.y.max(b.y));
                let clear = |span: &&Span| span.lo <= low && high <= span.hi;
                let meet = spans.partition_point(|span| span.u0 < at - 0.01);
                let room =
                    |range: &[Span], limit: f32| range.iter().map(|span| span.u1 - span.u0).sum::<f32>().min(limit);
                let behind: Vec<Span> = spans[..meet].iter().rev().take_while(clear).copied().collect();
                let ahead_of: Vec<Span> = spans[meet..].iter().take_while(clear).copied().collect();
                let known = (room(&behind, ahead), room(&ahead_of, beyond));
                let known_width = known.0 + known.1;
                if known_width >= (high - low).min(60.0) {
                    return Step::Curve { before: known.0, after: known.1 };
                }
                // Else, if that is steep, the widest curve found clear; of
                // two as wide, the more even.
                let mut widths: Vec<(f32, f32)> = FRACTIONS
                    .iter()
                    .flat_map(|&f| FRACTIONS.iter().map(move |&g| (ahead * f, beyond * g)))
                    .filter(|&(before, after)| before + after >= 4.0_f32.max(known_width + 1.0))
                    .collect();
                widths.sort_by(|p, q| {
                    (q.0 + q.1).total_cmp(&(p.0 + p.1)).then((p.0 - p.1).abs().total_cmp(&(q.0 - q.1).abs()))
                });
                for (before, after) in widths {
                    let p = (dir * (at - before), a.y);
                    let q = (dir * (at + after), b.y);
                    let half = dir * (before + after) / 2.0;
                    let mut curve = Route::new(p);
                    curve.curve_to((p.0 + half, p.1), (q.0 - half, q.1), q);
                    if self.clear(&curve.polyline(), (from, to), true) {
                        return Step::Curve { before, after };
                    }
                }
                if known_width >= 4.0 {
                    return Step::Curve { before: known.0, after: known.1 };
                }
                let room = ahead.min(beyond).min((b.y - a.y).abs() / 2.0);
                for radius in [10.0f32, 5.0, 2.0] {
                    let r = radius.min(room);
                    let sign = (b.y - a.y).signum();
                    let points = [
                        (dir * (at - r), a.y),
                        (dir * (at - r * (1.0 - QUARTER)), a.y + sign * r * (1.0 - QUARTER)),
                        (dir * at, a.y + sign * r),
                        (dir * at, b.y - sign * r),
                        (dir * (at + r * (1.0 - QUARTER)), b.y - sign * r * (1.0 - QUARTER)),
                        (dir * (at + r), b.y),
                    ];
                    if self.clear(&points, (from, to), true) {
                        return Step::Corner(r);
                    }
                }
                Step::Corner(0.0)
            })
            .collect();

        let mut route = Route::new((x0, y0));
        for (j, run) in runs.iter().enumerate() {
            let Some(&step) = steps.get(j) else {
                route.line_to((x1, y1));
                break;
            };
            let at = runs[j + 1].u0;
            let next = runs[j + 1].y;
            match step {
                Step::Curve { before, after } => {
                    route.line_to((dir * (at - before), run.y));
                    let half = (before + after) / 2.0;
                    route.curve_to(
                        (dir * (at - before + half), run.y),
                        (dir * (at + after - half), next),
                        (dir * (at + after), next),
                    );
                }
                Step::Corner(r) => {
                    let sign = (next - run.y).signum();
                    route.line_to((dir * (at - r), run.y));
                    if r > 0.0 {
                        route.curve_to(
                            (dir * (at - r + r * QUARTER), run.y),
                            (dir * at, run.y + sign * (r - r * QUARTER)),
                            (dir * at, run.y + sign * r),
                        );
                    }
                    route.line_to((dir * at, next - sign * r));
                    if r > 0.0 {
                        route.curve_to(
                            (dir * at, next - sign * (r - r * QUARTER)),
                            (dir * (at + r - r * QUARTER), next),
                            (dir * (at + r), next),
                        );
                    }
                }
            }
        }
        route
    }

    /// The cheapest chain of cells from `(x0, y0)` to `(x1, y1)`, as spans
    /// in the direction of travel; `None` when there is none.
    fn cells_between(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, dir: f32) -> Option<Vec<Span>> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let spans = self.cheapest(&mut scratch, (x0, y0), (x1, y1), dir);
        self.scratch = scratch;
        spans
    }

    fn cheapest(&self, scratch: &mut Scratch, (x0, y0): Point, (x1, y1): Point, dir: f32) -> Option<Vec<Span>> {
        let (a, b) = (x0 + dir * CLEARANCE, x1 - dir * CLEARANCE);
        let (left, right) = (a.min(b), a.max(b));
        if right - left < 1.0 || dir * (b - a) < 0.0 {
            return None;
        }
        let first = self.xs.partition_point(|&x| x < left - 0.01);
        let end = self.xs.partition_point(|&x| x < right - 0.01);
        if first >= end || end >= self.xs.len() {
            return None;
        }
        let mut order: Vec<usize> = (first..end).collect();
        if dir < 0.0 {
            order.reverse();
        }
        let base = self.cell_start[first];
        let count = self.cell_start[end] - base;
        let slope = |x: f32| y0 + (y1 - y0) * (x - x0) / (x1 - x0);
        let slab_cells = |k: usize| self.cell_start[k]..self.cell_start[k + 1];
        let containing = |k: usize, y: f32| slab_cells(k).find(|&c| self.cells[c].lo <= y && y <= self.cells[c].hi);
        let start = containing(order[0], y0)?;
        let finish = containing(*order.last()?, y1)?;

        const NONE: usize = usize::MAX;
        let Scratch { cost, back, height } = scratch;
        cost.clear();
        cost.resize(count, f32::INFINITY);
        back.clear();
        back.resize(count, NONE);
        height.clear();
        height.resize(count, 0.0);
        for (i, &k) in order.iter().enumerate() {
            let (x_lo, x_hi) = (self.xs[k], self.xs[k + 1]);
            let (middle, width) = ((x_lo + x_hi) / 2.0, x_hi - x_lo);
            let line = slope(middle);
            let own = |c: usize, y: f32| {
                let cell = &self.cells[c];
                STRAY_COST * (y - line).abs() * width + if cell.title { TITLE_COST * width } else { 0.0 }
            };
            for c in slab_cells(k) {
                let cell = &self.cells[c];
                height[c - base] = if c == start && i == 0 {
                    y0
                } else if c == finish && i + 1 == order.len() {
                    y1
                } else {
                    let (lo, hi) = cell.inner();
                    line.clamp(lo, hi)
                };
            }
            if i == 0 {
                cost[start - base] = own(start, y0);
            } else {
                // The cells met in the slab before, which is to the left going right.
                let links = &self.links[if dir > 0.0 { 0 } else { 1 }];
                for c in slab_cells(k) {
                    let mut best = (f32::INFINITY, NONE);
                    for &(p, borders) in links.of(c) {
                        let candidate =
                            cost[p - base] + (height[p - base] - height[c - base]).abs() + BORDER_COST * borders as f32;
                        if candidate < best.0 {
                            best = (candidate, p);
                        }
                    }
                    if best.1 != NONE {
                        cost[c - base] = best.0 + own(c, height[c - base]);
                        back[c - base] = best.1;
                    }
                }
            }
            // Up and down within the slab, across a border between cells.
            let range = slab_cells(k);
            let upward = (range.start..range.end.saturating_sub(1)).map(|c| (c, c + 1));
            let downward = (range.start..range.end.saturating_sub(1)).rev().map(|c| (c + 1, c));
            for (from, to) in upward.chain(downward) {
                let (lower, upper) = (from.min(to), from.max(to));
                if (self.cells[lower].hi - self.cells[upper].lo).abs() > 0.01 || !cost[from - base].is_finite() {
                    continue;
                }
                let candidate = cost[from - base]
                    + (height[from - base] - height[to - base]).abs()
                    + BORDER_COST * self.borders(self.cells[from].cluster, self.cells[to].cluster) as f32
                    + own(to, height[to - base]);
                if candidate < cost[to - base] {
                    cost[to - base] = candidate;
                    back[to - base] = from;
                }
            }
        }
        if !cost[finish - base].is_finite() {
            return None;
        }

        // Back from the end: the lowest and highest cell used in each slab.
        let mut used: Vec<(usize, usize)> = vec![(NONE, NONE); order.len()];
        let position = |k: usize| if dir > 0.0 { k - first } else { end - 1 - k };
        let mut current = finish;
        loop {
            let i = position(self.slab_of[current]);
            used[i] =
                if used[i].0 == NONE { (current, current) } else { (used[i].0.min(current), used[i].1.max(current)) };
            if current == start && i == 0 {
                break;
            }
            current = back[current - base];
            if current == NONE {
                return None;
            }
        }
        let mut spans: Vec<Span> = order
            .iter()
            .zip(&used)
            .map(|(&k, &(bottom, top))| {
                let (p, q) = (dir * self.xs[k], dir * self.xs[k + 1]);
                let (low, high) = (self.cells[bottom], self.cells[top]);
                let inner = inner(low.lo, high.hi, low.lo_gap, high.hi_gap);
                Span { u0: p.min(q), u1: p.max(q), lo: low.lo, hi: high.hi, inner }
            })
            .collect();
        // The stretches beside the ends' own boxes belong to the first and last slabs.
        spans[0].u0 = dir * x0;
        if let Some(span) = spans.last_mut() {
            span.u1 = dir * x1;
        }
        Some(spans)
    }

    /// A loop out to the right from one box to another stacked with it.
    fn around(&mut self, from: usize, to: usize, ends: (f32, f32)) -> Route {
        let (s, t) = (self.nodes[from], self.nodes[to]);
        let fallback = direct(&s, &t, ends);
        if self.clear(&fallback.polyline(), (from, to), false) {
            return fallback;
        }
        let (y0, y1) = (s.cy() + ends.0, t.cy() + ends.1);
        let (x0, x1) = (s.right(), t.right());
        let base = x0.max(x1) + CLEARANCE + 4.0 + ((y1 - y0).abs() / 8.0).min(40.0);
        let first = self.xs.partition_point(|&x| x <= base);
        for k in first.saturating_sub(1)..self.xs.len().saturating_sub(1) {
            // Upright at least a border's inset from either side of a slab
            // (its sides are the edges of boxes and boundaries), or in its middle.
            let inset = ((self.xs[k + 1] - self.xs[k]) / 2.0).min(BORDER_INSET);
            let x = base.max(self.xs[k] + inset);
            if x > self.xs[k + 1] - inset + 0.01 {
                continue;
            }
            let points = [(x0, y0), (x, y0), (x, y1), (x1, y1)];
            if !self.clear(&points, (from, to), false) {
                continue;
            }
            return self.rounded(&points, (from, to));
        }
        self.detour(from, to, ends, 1.0, 1.0).unwrap_or(fallback)
    }

    /// The slab just outside the side of a box at `x` (`side` 1: its
    /// right, -1: its left), and its cell at height `y`.
    fn beside(&self, x: f32, side: f32, y: f32) -> Option<usize> {
        let edge = x + side * CLEARANCE;
        let k = self.xs.partition_point(|&e| e < edge - 0.01);
        let k = if side > 0.0 { (k + 1 < self.xs.len()).then_some(k)? } else { k.checked_sub(1)? };
        (self.cell_start[k]..self.cell_start[k + 1]).find(|&c| self.cells[c].lo <= y && y <= self.cells[c].hi)
    }

    /// What the routes above cannot do: a shortest path over the cells in
    /// any direction, from the `leave` side of one box to the `enter` side
    /// of the other (1: right, -1: left), drawn square with rounded corners.
    fn detour(&self, from: usize, to: usize, ends: (f32, f32), leave: f32, enter: f32) -> Option<Route> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let (s, t) = (self.nodes[from], self.nodes[to]);
        let (y0, y1) = (s.cy() + ends.0, t.cy() + ends.1);
        let x0 = if leave > 0.0 { s.right() } else { s.x };
        let x1 = if enter > 0.0 { t.right() } else { t.x };
        let start = self.beside(x0, leave, y0)?;
        let goal = self.beside(x1, enter, y1)?;
        let line = |x: f32| {
            if (x1 - x0).abs() > 1.0 {
                y0 + (y1 - y0) * ((x - x0) / (x1 - x0)).clamp(0.0, 1.0)
            } else {
                (y0 + y1) / 2.0
            }
        };
        let height = |c: usize| {
            let cell = &self.cells[c];
            let k = self.slab_of[c];
            if c == start {
                y0
            } else if c == goal {
                y1
            } else {
                let (lo, hi) = cell.inner();
                line((self.xs[k] + self.xs[k + 1]) / 2.0).clamp(lo, hi)
            }
        };
        const NONE: usize = usize::MAX;
        let mut best = vec![f32::INFINITY; self.cells.len()];
        let mut back = vec![NONE; self.cells.len()];
        let mut queue = BinaryHeap::new();
        best[start] = 0.0;
        // Costs are never negative, so their bits order like them.
        queue.push(Reverse((0.0f32.to_bits(), start)));
        while let Some(Reverse((bits, c))) = queue.pop() {
            if f32::from_bits(bits) > best[c] {
                continue;
            }
            if c == goal {
                break;
            }
            let k = self.slab_of[c];
            let cell = self.cells[c];
            let mut next: Vec<usize> =
                self.links.iter().flat_map(|links| links.of(c).iter().map(|&(p, _)| p)).collect();
            for other in [c.wrapping_sub(1), c + 1] {
                if other < self.cells.len()
                    && self.slab_of[other] == k
                    && ((self.cells[other].lo - cell.hi).abs() < 0.01 || (self.cells[other].hi - cell.lo).abs() < 0.01)
                {
                    next.push(other);
                }
            }
            for n in next {
                let m = self.slab_of[n];
                let width = if m == k { 0.0 } else { self.xs[m + 1] - self.xs[m] };
                let candidate = best[c]
                    + (height(c) - height(n)).abs()
                    + width
                    + BORDER_COST * self.borders(cell.cluster, self.cells[n].cluster) as f32
                    + if self.cells[n].title { TITLE_COST * width.max(1.0) } else { 0.0 };
                if candidate < best[n] {
                    best[n] = candidate;
                    back[n] = c;
                    queue.push(Reverse((candidate.to_bits(), n)));
                }
            }
        }
        if !best[goal].is_finite() {
            return None;
        }
        let mut path = vec![goal];
        while let Some(&c) = path.last() {
            if c == start {
                break;
            }
            path.push(back[c]);
        }
        path.reverse();

        // Cells in one slab in a row are one visit.
        let mut visits: Vec<(usize, f32, f32)> = Vec::new();
        for &c in &path {
            let (k, cell) = (self.slab_of[c], self.cells[c]);
            match visits.last_mut() {
                Some((last, lo, hi)) if *last == k => (*lo, *hi) = (lo.min(cell.lo), hi.max(cell.hi)),
                _ => visits.push((k, cell.lo, cell.hi)),
            }
        }
        let mut points = vec![(x0, y0)];
        let mut y = y0;
        for (i, &(k, lo, hi)) in visits.iter().enumerate() {
            let middle = (self.xs[k] + self.xs[k + 1]) / 2.0;
            let out = match visits.get(i + 1) {
                Some(&(next, next_lo, next_hi)) => {
                    let (lo, hi) = (lo.max(next_lo), hi.min(next_hi));
                    let y = if hi - lo > 2.0 * INSET { y.clamp(lo + INSET, hi - INSET) } else { (lo + hi) / 2.0 };
                    (self.xs[k.max(next)], y)
                }
                None => (x1, y1),
            };
            if (out.1 - y).abs() > 0.01 {
                points.extend([(middle, y), (middle, out.1)]);
            }
            points.push(out);
            y = out.1;
        }
        Some(self.rounded(&points, (from, to)))
    }

    /// A line through points that is clear of boxes, its corners rounded
    /// when that keeps it clear.
    fn rounded(&self, points: &[Point], ends: (usize, usize)) -> Route {
        let route = rounded(points, 10.0);
        if self.clear(&route.polyline(), ends, false) { route } else { rounded(points, 0.0) }
    }
}

/// A line through points, its corners rounded with `radius`, or less where
/// half the shorter of the two pieces beside a corner is less.
fn rounded(points: &[Point], radius: f32) -> Route {
    let mut kept: Vec<Point> = Vec::new();
    for &p in points {
        if kept.last().is_some_and(|&q| distance(p, q) < 0.01) {
            continue;
        }
        // Drop a point on the line between its neighbours.
        if let [.., a, b] = kept[..] {
            let cross = (b.0 - a.0) * (p.1 - b.1) - (b.1 - a.1) * (p.0 - b.0);
            let forward = (b.0 - a.0) * (p.0 - b.0) + (b.1 - a.1) * (p.1 - b.1);
            if cross.abs() < 0.01 && forward > 0.0 {
                kept.pop();
            }
        }
        kept.push(p);
    }
    let mut route = Route::new(kept[0]);
    for i in 1..kept.len() {
        let (a, b) = (kept[i - 1], kept[i]);
        let Some(&c) = kept.get(i + 1) else {
            route.line_to(b);
            break;
        };
        let r = radius.min(distance(a, b) / 2.0).min(distance(b, c) / 2.0);
        if r <= 0.0 {
            route.line_to(b);
            continue;
        }
        let (into, out) = (lerp(b, a, r / distance(a, b)), lerp(b, c, r / distance(b, c)));
        route.line_to(into);
        route.curve_to(lerp(into, b, QUARTER), lerp(out, b, QUARTER), out);
    }
    route
}

/// As few level runs as fit in the spans, the first at `y0` for as long
/// as it can be and the last at `y1` when it can be (else a last run of no
/// length at `y1`); each run's `lo..hi` is where it may be moved.
fn level_runs(spans: &[Span], y0: f32, y1: f32) -> Vec<Run> {
    let inset = |span: &Span| span.inner;
    let mut runs = Vec::new();
    let mut current = Run { u0: spans[0].u0, u1: spans[0].u0, lo: y0, hi: y0, y: y0, fixed: true };
    for span in spans {
        let fits = if current.fixed {
            span.lo <= y0 && y0 <= span.hi
        } else {
            let (lo, hi) = inset(span);
            let (lo, hi) = (current.lo.max(lo), current.hi.min(hi));
            if lo <= hi {
                (current.lo, current.hi) = (lo, hi);
            }
            lo <= hi
        };
        if !fits {
            runs.push(current);
            let (lo, hi) = inset(span);
            current = Run { u0: span.u0, u1: span.u0, lo, hi, y: (lo + hi) / 2.0, fixed: false };
        }
        current.u1 = span.u1;
    }
    let end = current.u1;
    if current.fixed && (y1 - y0).abs() < 0.01 {
        runs.push(current);
    } else if !current.fixed && current.lo <= y1 && y1 <= current.hi {
        runs.push(Run { y: y1, fixed: true, ..current });
    } else {
        runs.push(current);
        runs.push(Run { u0: end, u1: end, lo: y1, hi: y1, y: y1, fixed: true });
    }
    runs
}
