// Automatic layout: dagre for ordinary models (compound graph: boundaries are
// clusters), a recursive row packer for very large models or when dagre
// fails. Boundaries are always sized around what they contain.

import dagre from '@dagrejs/dagre';
import { orderedElements, type OrderedElement } from './convert';
import { defaultSize, rectOf, roundEntry, union } from './geometry';
import { BOUNDARY_HEADER, BOUNDARY_PADDING, type EditorModel, type Layout, type Rect } from './types';

/** Above this many elements dagre is too slow for an interactive editor. */
export const DAGRE_LIMIT = 400;

export interface LayoutOptions {
  direction?: 'LR' | 'TB';
  /** Force an engine (tests); default: dagre up to DAGRE_LIMIT elements. */
  engine?: 'dagre' | 'pack';
}

/** A fresh layout (ABSOLUTE positions) for every element of the model. */
export function autoLayout(model: EditorModel, options: LayoutOptions = {}): Layout {
  const elements = orderedElements(model);
  const engine = options.engine ?? (elements.length > DAGRE_LIMIT ? 'pack' : 'dagre');
  if (engine === 'dagre') {
    try {
      if (options.direction) return dagreLayout(model, elements, options.direction);
      // Both directions; keep the one that shows largest in a landscape view.
      const lr = dagreLayout(model, elements, 'LR');
      const tb = dagreLayout(model, elements, 'TB');
      return fitScore(lr, elements) >= fitScore(tb, elements) ? lr : tb;
    } catch {
      // dagre's compound layout can fail on unusual nestings; pack instead.
    }
  }
  return packLayout(elements, { x: 0, y: 0 });
}

/** How large the drawing appears when fitted into a 4:3 view (higher is better). */
function fitScore(layout: Layout, elements: readonly OrderedElement[]): number {
  const u = union(elements.filter((e) => layout[e.id]).map((e) => rectOf(layout[e.id] as NonNullable<Layout[string]>, e.kind)));
  if (!u || u.width <= 0 || u.height <= 0) return 0;
  return Math.min(4 / u.width, 3 / u.height);
}

function childrenIndex(elements: readonly OrderedElement[]): Map<string | undefined, OrderedElement[]> {
  const m = new Map<string | undefined, OrderedElement[]>();
  for (const e of elements) {
    const list = m.get(e.container);
    if (list) list.push(e);
    else m.set(e.container, [e]);
  }
  return m;
}

/** Sizes boundaries bottom-up around their contents (contents must be placed). */
function fitBoundaries(elements: readonly OrderedElement[], layout: Layout): void {
  const children = childrenIndex(elements);
  const boundaries = elements.filter((e) => e.kind === 'boundary').sort((a, b) => b.depth - a.depth);
  for (const b of boundaries) {
    const kids = children.get(b.id) ?? [];
    const rects: Rect[] = [];
    for (const k of kids) {
      const e = layout[k.id];
      if (e) rects.push(rectOf(e, k.kind));
    }
    const u = union(rects);
    if (!u) {
      if (!layout[b.id]) layout[b.id] = { x: 0, y: 0, ...defaultSize('boundary') };
      continue;
    }
    layout[b.id] = {
      x: u.x - BOUNDARY_PADDING,
      y: u.y - BOUNDARY_PADDING - BOUNDARY_HEADER,
      width: u.width + 2 * BOUNDARY_PADDING,
      height: u.height + 2 * BOUNDARY_PADDING + BOUNDARY_HEADER,
    };
  }
}

function dagreLayout(model: EditorModel, elements: readonly OrderedElement[], direction: 'LR' | 'TB'): Layout {
  const children = childrenIndex(elements);
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: direction, nodesep: 30, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const isCluster = (id: string): boolean => (children.get(id)?.length ?? 0) > 0;
  for (const e of elements) {
    if (e.kind === 'boundary' && isCluster(e.id)) {
      g.setNode(e.id, { paddingTop: BOUNDARY_HEADER + BOUNDARY_PADDING, paddingBottom: BOUNDARY_PADDING, paddingLeft: BOUNDARY_PADDING, paddingRight: BOUNDARY_PADDING });
    } else {
      const s = defaultSize(e.kind);
      g.setNode(e.id, { width: s.width, height: s.height });
    }
  }
  for (const e of elements) if (e.container !== undefined) g.setParent(e.id, e.container);
  const leaves = new Set(elements.filter((e) => !(e.kind === 'boundary' && isCluster(e.id))).map((e) => e.id));
  for (const f of model.flows ?? []) {
    if (f.from !== f.to && leaves.has(f.from) && leaves.has(f.to)) g.setEdge(f.from, f.to);
  }
  dagre.layout(g);
  const layout: Layout = {};
  for (const e of elements) {
    if (!leaves.has(e.id)) continue;
    const n = g.node(e.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (!n || !Number.isFinite(n.x) || !Number.isFinite(n.y)) throw new Error(`dagre did not place ${e.id}`);
    const entry = { x: n.x - n.width / 2, y: n.y - n.height / 2 };
    layout[e.id] = e.kind === 'boundary' ? { ...entry, width: n.width, height: n.height } : entry;
  }
  fitBoundaries(elements, layout);
  return roundAll(normalise(layout));
}

/**
 * Packs elements in rows, container by container: each boundary's contents
 * are packed first, then the boundary is placed as a block in its parent.
 */
function packLayout(elements: readonly OrderedElement[], origin: { x: number; y: number }): Layout {
  const children = childrenIndex(elements);
  const gap = 40;
  // Relative layouts per container, computed bottom-up.
  const blockSize = new Map<string, { width: number; height: number }>();
  const relative = new Map<string, { x: number; y: number }>();
  const pack = (container: string | undefined): { width: number; height: number } => {
    const kids = children.get(container) ?? [];
    const sizes = kids.map((k) => {
      if (k.kind === 'boundary' && (children.get(k.id)?.length ?? 0) > 0) {
        const inner = pack(k.id);
        const s = {
          width: inner.width + 2 * BOUNDARY_PADDING,
          height: inner.height + 2 * BOUNDARY_PADDING + BOUNDARY_HEADER,
        };
        blockSize.set(k.id, s);
        return s;
      }
      const s = defaultSize(k.kind);
      if (k.kind === 'boundary') blockSize.set(k.id, s);
      return s;
    });
    const area = sizes.reduce((a, s) => a + (s.width + gap) * (s.height + gap), 0);
    const rowWidth = Math.max(600, Math.sqrt(area) * 1.6);
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    let maxWidth = 0;
    kids.forEach((k, i) => {
      const s = sizes[i] ?? defaultSize(k.kind);
      if (x > 0 && x + s.width > rowWidth) {
        x = 0;
        y += rowHeight + gap;
        rowHeight = 0;
      }
      relative.set(k.id, { x, y });
      x += s.width + gap;
      rowHeight = Math.max(rowHeight, s.height);
      maxWidth = Math.max(maxWidth, x - gap);
    });
    return { width: maxWidth, height: y + rowHeight };
  };
  pack(undefined);
  const layout: Layout = {};
  // Parents come first in `elements`, so their absolute position is known.
  for (const e of elements) {
    const rel = relative.get(e.id) ?? { x: 0, y: 0 };
    let base = origin;
    if (e.container !== undefined) {
      const p = layout[e.container];
      if (p) base = { x: p.x + BOUNDARY_PADDING, y: p.y + BOUNDARY_PADDING + BOUNDARY_HEADER };
    }
    const entry = { x: base.x + rel.x, y: base.y + rel.y };
    const size = blockSize.get(e.id);
    layout[e.id] = e.kind === 'boundary' && size ? { ...entry, ...size } : entry;
  }
  return roundAll(layout);
}

function normalise(layout: Layout): Layout {
  let minX = Infinity;
  let minY = Infinity;
  for (const e of Object.values(layout)) {
    minX = Math.min(minX, e.x);
    minY = Math.min(minY, e.y);
  }
  if (!Number.isFinite(minX)) return layout;
  const out: Layout = {};
  for (const [id, e] of Object.entries(layout)) out[id] = { ...e, x: e.x - minX + 20, y: e.y - minY + 20 };
  return out;
}

function roundAll(layout: Layout): Layout {
  const out: Layout = {};
  for (const [id, e] of Object.entries(layout)) out[id] = roundEntry(e);
  return out;
}

/**
 * A layout covering every element: existing entries are kept; elements
 * without one are laid out automatically. When nothing has a layout, the
 * whole model is laid out; otherwise the missing elements are laid out among
 * themselves and placed below the existing drawing, or inside their boundary
 * when that boundary already has a place (which then grows to fit them).
 */
export function completeLayout(model: EditorModel, layout: Layout | undefined, options: LayoutOptions = {}): Layout {
  const elements = orderedElements(model);
  const existing: Layout = {};
  for (const e of elements) {
    const entry = layout?.[e.id];
    if (entry && Number.isFinite(entry.x) && Number.isFinite(entry.y)) existing[e.id] = entry;
  }
  const missing = elements.filter((e) => !existing[e.id]);
  if (missing.length === 0) return existing;
  if (missing.length === elements.length) return autoLayout(model, options);

  const out: Layout = { ...existing };
  const missingIds = new Set(missing.map((e) => e.id));
  // Missing elements whose container is placed: put them in a row inside it.
  const placedInside = new Map<string, number>();
  const grown = new Set<string>();
  for (const e of missing) {
    if (e.container === undefined || missingIds.has(e.container)) continue;
    const p = out[e.container];
    if (!p) continue;
    const k = placedInside.get(e.container) ?? 0;
    placedInside.set(e.container, k + 1);
    const s = defaultSize(e.kind);
    const prect = rectOf(p, 'boundary');
    out[e.id] =
      e.kind === 'boundary'
        ? { x: prect.x + BOUNDARY_PADDING + k * (s.width + 20), y: prect.y + prect.height, ...s }
        : { x: prect.x + BOUNDARY_PADDING + k * (s.width + 20), y: prect.y + prect.height };
    grown.add(e.container);
  }
  // The rest: lay out the sub-model of missing elements, below the drawing.
  const rest = missing.filter((e) => !out[e.id]);
  if (rest.length > 0) {
    const restIds = new Set(rest.map((e) => e.id));
    const sub: EditorModel = {
      ...model,
      boundaries: (model.boundaries ?? []).filter((b) => restIds.has(b.id)).map((b) => (b.parent !== undefined && restIds.has(b.parent) ? b : { ...b, parent: undefined })),
      actors: (model.actors ?? []).filter((a) => restIds.has(a.id)).map((a) => (a.boundary !== undefined && restIds.has(a.boundary) ? a : { ...a, boundary: undefined })),
      components: (model.components ?? []).filter((c) => restIds.has(c.id)).map((c) => (c.boundary !== undefined && restIds.has(c.boundary) ? c : { ...c, boundary: undefined })),
      flows: (model.flows ?? []).filter((f) => restIds.has(f.from) && restIds.has(f.to)),
    };
    const subLayout = autoLayout(sub, options);
    const bounds = union(elements.filter((e) => existing[e.id]).map((e) => rectOf(existing[e.id] as NonNullable<Layout[string]>, e.kind)));
    const dx = bounds ? bounds.x : 0;
    const dy = bounds ? bounds.y + bounds.height + 80 : 0;
    for (const [id, e] of Object.entries(subLayout)) out[id] = roundEntry({ ...e, x: e.x + dx, y: e.y + dy });
  }
  // Grow boundaries (and their ancestors) that received new contents.
  if (grown.size > 0) {
    const byId = new Map(elements.map((e) => [e.id, e] as const));
    const children = childrenIndex(elements);
    const queue = [...grown];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const b = out[id];
      const el = byId.get(id);
      if (!b || !el) continue;
      const r = rectOf(b, 'boundary');
      const kids = (children.get(id) ?? []).map((k) => (out[k.id] ? rectOf(out[k.id] as NonNullable<Layout[string]>, k.kind) : undefined)).filter((x): x is Rect => x !== undefined);
      const u = union([r, ...kids.map((k) => ({ x: k.x - BOUNDARY_PADDING, y: k.y - BOUNDARY_PADDING, width: k.width + 2 * BOUNDARY_PADDING, height: k.height + 2 * BOUNDARY_PADDING }))]);
      if (u) out[id] = roundEntry({ x: u.x, y: u.y, width: u.width, height: u.height });
      if (el.container !== undefined) queue.push(el.container);
    }
  }
  return out;
}
