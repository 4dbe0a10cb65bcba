// Model ⇄ diagram conversion. Diagram nodes and edges have the shape that
// @xyflow/react expects (id, type, position relative to the parent node,
// parentId, width/height); this module has no dependency on React.

import { defaultSize, kindIndex, rectOf, roundEntry } from './geometry';
import {
  flowId,
  type ActorDef,
  type BoundaryDef,
  type ComponentDef,
  type EditorModel,
  type ElementKind,
  type FlowDef,
  type Layout,
  type LayoutEntry,
} from './types';

export type ElementDef = ComponentDef | ActorDef | BoundaryDef;

export type DiagramNodeData = {
  kind: ElementKind;
  element: ElementDef;
  /** Nesting depth: 0 outside any boundary. */
  depth: number;
  [key: string]: unknown;
};

export type DiagramNode = {
  id: string;
  type: ElementKind;
  position: { x: number; y: number };
  parentId?: string;
  width?: number;
  height?: number;
  selected?: boolean;
  draggable?: boolean;
  selectable?: boolean;
  connectable?: boolean;
  data: DiagramNodeData;
  [key: string]: unknown;
};

export type DiagramEdgeData = {
  flow: FlowDef;
  /** Effective id of the flow (explicit id or FROM->TO). */
  flowId: string;
  /** Index of the flow in model.flows. */
  index: number;
  [key: string]: unknown;
};

export type DiagramEdge = {
  id: string;
  source: string;
  target: string;
  type: 'flow';
  selected?: boolean;
  data: DiagramEdgeData;
  [key: string]: unknown;
};

/** Elements in an order where every boundary comes before what it contains. */
export function orderedElements(model: EditorModel): OrderedElement[] {
  const depth = boundaryDepths(model);
  const out: OrderedElement[] = [];
  const bs = (model.boundaries ?? []).map((b, i) => ({ b, i, d: depth.get(b.id) ?? 0 }));
  bs.sort((p, q) => p.d - q.d || p.i - q.i);
  for (const { b, d } of bs) {
    const parent = d > 0 ? b.parent : undefined;
    out.push({ id: b.id, kind: 'boundary', def: b, container: parent, depth: d });
  }
  const place = (id: string, kind: ElementKind, def: ElementDef, boundary: string | undefined): void => {
    const d = boundary !== undefined ? depth.get(boundary) : undefined;
    if (d === undefined) out.push({ id, kind, def, depth: 0 });
    else out.push({ id, kind, def, container: boundary, depth: d + 1 });
  };
  for (const a of model.actors ?? []) place(a.id, 'actor', a, a.boundary);
  for (const c of model.components ?? []) place(c.id, 'component', c, c.boundary);
  return out;
}

export interface OrderedElement {
  id: string;
  kind: ElementKind;
  def: ElementDef;
  container?: string;
  depth: number;
}

/**
 * Nesting depth of every boundary (0 = top level). A boundary whose parent is
 * unknown or part of a cycle is treated as top level.
 */
export function boundaryDepths(model: EditorModel): Map<string, number> {
  const parents = new Map<string, string | undefined>();
  for (const b of model.boundaries ?? []) parents.set(b.id, b.parent);
  const depth = new Map<string, number>();
  const visit = (id: string, stack: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const parent = parents.get(id);
    let d = 0;
    if (parent !== undefined && parents.has(parent) && !stack.has(parent)) {
      stack.add(id);
      d = visit(parent, stack) + 1;
      stack.delete(id);
    }
    depth.set(id, d);
    return d;
  };
  for (const id of parents.keys()) visit(id, new Set([id]));
  return depth;
}

/**
 * Builds diagram nodes from the model and a layout with ABSOLUTE positions
 * covering every element (see layout.ts for filling gaps). Child positions
 * are made relative to their boundary, as xyflow requires.
 */
export function modelToNodes(model: EditorModel, layout: Layout): DiagramNode[] {
  const elements = orderedElements(model);
  const nodes: DiagramNode[] = [];
  for (const el of elements) {
    const entry: LayoutEntry = layout[el.id] ?? { x: 0, y: 0 };
    const r = rectOf(entry, el.kind);
    let x = r.x;
    let y = r.y;
    if (el.container !== undefined) {
      const pe = layout[el.container];
      if (pe) {
        x -= pe.x;
        y -= pe.y;
      }
    }
    const node: DiagramNode = {
      id: el.id,
      type: el.kind,
      position: { x, y },
      data: { kind: el.kind, element: el.def, depth: el.depth },
    };
    if (el.container !== undefined) node.parentId = el.container;
    if (el.kind === 'boundary') {
      node.width = r.width;
      node.height = r.height;
    } else if (entry.width !== undefined || entry.height !== undefined) {
      node.width = r.width;
      node.height = r.height;
    }
    nodes.push(node);
  }
  return nodes;
}

/** Diagram edges for the model's flows whose both ends exist. Edge ids are flow ids (made unique). */
export function modelToEdges(model: EditorModel): DiagramEdge[] {
  const kinds = kindIndex(model);
  const used = new Set<string>();
  const edges: DiagramEdge[] = [];
  (model.flows ?? []).forEach((flow, index) => {
    if (!kinds.has(flow.from) || !kinds.has(flow.to)) return;
    const fid = flowId(flow);
    let id = fid;
    let n = 2;
    while (used.has(id)) id = `${fid}#${n++}`;
    used.add(id);
    edges.push({ id, source: flow.from, target: flow.to, type: 'flow', data: { flow, flowId: fid, index } });
  });
  return edges;
}

/** Minimal node shape read back from xyflow (positions relative to parentId). */
export interface PlacedNode {
  id: string;
  type?: string;
  position: { x: number; y: number };
  parentId?: string;
  width?: number | null;
  height?: number | null;
  measured?: { width?: number; height?: number };
}

/** Absolute top-left corners of the given nodes (resolving parent chains). */
export function absolutePositions(nodes: readonly PlacedNode[]): Map<string, { x: number; y: number }> {
  const byId = new Map<string, PlacedNode>();
  for (const n of nodes) byId.set(n.id, n);
  const out = new Map<string, { x: number; y: number }>();
  const resolve = (n: PlacedNode, guard: Set<string>): { x: number; y: number } => {
    const done = out.get(n.id);
    if (done) return done;
    let p = { x: n.position.x, y: n.position.y };
    const parent = n.parentId !== undefined ? byId.get(n.parentId) : undefined;
    if (parent && !guard.has(parent.id)) {
      guard.add(n.id);
      const pp = resolve(parent, guard);
      p = { x: p.x + pp.x, y: p.y + pp.y };
    }
    out.set(n.id, p);
    return p;
  };
  for (const n of nodes) resolve(n, new Set());
  return out;
}

/**
 * Layout entries (ABSOLUTE) for the given nodes. Boundaries keep their size;
 * other elements keep a size only when `previous` had one.
 */
export function nodesToLayout(nodes: readonly PlacedNode[], previous: Layout = {}, only?: ReadonlySet<string>): Layout {
  const abs = absolutePositions(nodes);
  const out: Layout = {};
  for (const n of nodes) {
    if (only && !only.has(n.id)) continue;
    const p = abs.get(n.id) ?? n.position;
    const e: LayoutEntry = { x: p.x, y: p.y };
    const prev = previous[n.id];
    const w = n.width ?? n.measured?.width ?? undefined;
    const h = n.height ?? n.measured?.height ?? undefined;
    if (n.type === 'boundary') {
      const d = defaultSize('boundary');
      e.width = w ?? prev?.width ?? d.width;
      e.height = h ?? prev?.height ?? d.height;
    } else if (prev?.width !== undefined || prev?.height !== undefined) {
      if (w !== undefined) e.width = w;
      else if (prev?.width !== undefined) e.width = prev.width;
      if (h !== undefined) e.height = h;
      else if (prev?.height !== undefined) e.height = prev.height;
    }
    out[n.id] = roundEntry(e);
  }
  return out;
}

function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    const va = a[k];
    const vb = b[k];
    if (va === vb) continue;
    if (k === 'position' || k === 'data' || k === 'measured' || k === 'style') {
      if (va && vb && typeof va === 'object' && typeof vb === 'object') {
        if (!shallowEqual(va as Record<string, unknown>, vb as Record<string, unknown>)) return false;
        continue;
      }
    }
    return false;
  }
  return true;
}

/**
 * Keeps the previous object for every node/edge that did not change, so that
 * memoised node components do not re-render. `next` wins on every field it
 * sets; fields only in `prev` that xyflow manages (measured, selected,
 * dragging…) are carried over.
 */
export function reconcile<T extends { id: string }>(prev: readonly T[], next: readonly T[], carry: readonly string[] = ['measured', 'selected', 'dragging']): T[] {
  const old = new Map<string, T>();
  for (const p of prev) old.set(p.id, p);
  let changed = prev.length !== next.length;
  const out = next.map((n, i) => {
    const p = old.get(n.id);
    if (!p) {
      changed = true;
      return n;
    }
    const merged = { ...n } as Record<string, unknown>;
    const pr = p as unknown as Record<string, unknown>;
    for (const k of carry) {
      if (!(k in merged) && k in pr) merged[k] = pr[k];
    }
    if (shallowEqual(pr, merged)) {
      if (prev[i] !== p) changed = true;
      return p;
    }
    changed = true;
    return merged as unknown as T;
  });
  return changed ? out : (prev as T[]);
}
