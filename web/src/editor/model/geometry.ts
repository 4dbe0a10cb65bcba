import {
  ACTOR_SIZE,
  BOUNDARY_MIN,
  COMPONENT_SIZE,
  type EditorModel,
  type ElementKind,
  type Layout,
  type LayoutEntry,
  type Rect,
} from './types';

/** Default size of an element of the given kind. */
export function defaultSize(kind: ElementKind): { width: number; height: number } {
  if (kind === 'boundary') return { ...BOUNDARY_MIN };
  if (kind === 'actor') return { ...ACTOR_SIZE };
  return { ...COMPONENT_SIZE };
}

/** A layout entry as a rectangle, defaulting its size by kind. */
export function rectOf(entry: LayoutEntry, kind: ElementKind): Rect {
  const d = defaultSize(kind);
  return { x: entry.x, y: entry.y, width: entry.width ?? d.width, height: entry.height ?? d.height };
}

export function center(r: Rect): { x: number; y: number } {
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

export function containsPoint(r: Rect, p: { x: number; y: number }): boolean {
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

export function union(rects: Rect[]): Rect | undefined {
  if (rects.length === 0) return undefined;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const r of rects) {
    x1 = Math.min(x1, r.x);
    y1 = Math.min(y1, r.y);
    x2 = Math.max(x2, r.x + r.width);
    y2 = Math.max(y2, r.y + r.height);
  }
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** Map element id → kind for every element of the model. */
export function kindIndex(model: EditorModel): Map<string, ElementKind> {
  const m = new Map<string, ElementKind>();
  for (const b of model.boundaries ?? []) m.set(b.id, 'boundary');
  for (const a of model.actors ?? []) m.set(a.id, 'actor');
  for (const c of model.components ?? []) m.set(c.id, 'component');
  return m;
}

/** Absolute rectangles of every element that has a layout entry. */
export function rectIndex(model: EditorModel, layout: Layout): Map<string, Rect> {
  const kinds = kindIndex(model);
  const out = new Map<string, Rect>();
  for (const [id, kind] of kinds) {
    const e = layout[id];
    if (e) out.set(id, rectOf(e, kind));
  }
  return out;
}

/** Rounds to a whole pixel so that saved layouts stay readable. */
export function roundEntry(e: LayoutEntry): LayoutEntry {
  const out: LayoutEntry = { x: Math.round(e.x), y: Math.round(e.y) };
  if (e.width !== undefined) out.width = Math.round(e.width);
  if (e.height !== undefined) out.height = Math.round(e.height);
  return out;
}
