// Level of detail for large diagrams. Below FAR_ZOOM the element and flow
// DOM is not painted (a class on the canvas container hides it); instead one
// <canvas> shows every element as a plain box and every flow as a straight
// line. Panning and zooming then move one picture instead of repainting
// thousands of elements (Chromium without a GPU paints in software).
// This module has no React: the scene is plain data, drawn on any 2D context.

import { boundaryDepths } from './model/convert';
import { kindIndex, rectOf } from './model/geometry';
import { flowId, type EditorModel, type ElementKind, type Layout, type Rect } from './model/types';
import type { Rollup } from './model/severity';
import { LEVEL_COLOURS, LEVEL_TINTS } from './severityStyle';

/** Below this zoom the diagram is drawn as the overview picture. */
export const FAR_ZOOM = 0.3;

/** The overview applies only to diagrams with at least this many elements and flows together. */
export const FAR_MIN_ITEMS = 150;

/** Largest side and area of the overview bitmap (pixels). */
const MAX_SIDE = 8192;
const MAX_AREA = 24_000_000;

export function isFar(zoom: number, items: number): boolean {
  return zoom < FAR_ZOOM && items >= FAR_MIN_ITEMS;
}

export interface SceneBox {
  id: string;
  kind: ElementKind;
  rect: Rect;
  level: string;
  /** Boundaries: trust level (border colour); nesting depth orders the drawing. */
  trust?: string;
  depth: number;
}

export interface SceneLine {
  id: string;
  from: { x: number; y: number };
  to: { x: number; y: number };
  level: string;
}

export interface Scene {
  /** Boundaries first (outer before inner), then actors and components. */
  boxes: SceneBox[];
  lines: SceneLine[];
  /** Union of every box; undefined when there is nothing to draw. */
  bounds: Rect | undefined;
}

/** The boxes and lines of a model at its (absolute) layout, coloured by each target's worst open risk. */
export function buildScene(model: EditorModel, layout: Layout, rollup: ReadonlyMap<string, Rollup> | undefined): Scene {
  const kinds = kindIndex(model);
  const depths = boundaryDepths(model);
  const boxes: SceneBox[] = [];
  const rects = new Map<string, Rect>();
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  const add = (id: string, kind: ElementKind, trust: string | undefined, depth: number) => {
    const entry = layout[id];
    if (!entry) return;
    const rect = rectOf(entry, kind);
    rects.set(id, rect);
    x1 = Math.min(x1, rect.x);
    y1 = Math.min(y1, rect.y);
    x2 = Math.max(x2, rect.x + rect.width);
    y2 = Math.max(y2, rect.y + rect.height);
    const box: SceneBox = { id, kind, rect, level: rollup?.get(id)?.level ?? 'none', depth };
    if (trust !== undefined) box.trust = trust;
    boxes.push(box);
  };
  const bs = [...(model.boundaries ?? [])].sort((a, b) => (depths.get(a.id) ?? 0) - (depths.get(b.id) ?? 0));
  for (const b of bs) add(b.id, 'boundary', typeof b.trust === 'string' ? b.trust : '', depths.get(b.id) ?? 0);
  for (const a of model.actors ?? []) add(a.id, 'actor', undefined, 0);
  for (const c of model.components ?? []) add(c.id, 'component', undefined, 0);
  const lines: SceneLine[] = [];
  for (const f of model.flows ?? []) {
    const a = rects.get(f.from);
    const b = rects.get(f.to);
    if (!a || !b || f.from === f.to || !kinds.has(f.from) || !kinds.has(f.to)) continue;
    const id = flowId(f);
    lines.push({
      id,
      from: { x: a.x + a.width / 2, y: a.y + a.height / 2 },
      to: { x: b.x + b.width / 2, y: b.y + b.height / 2 },
      level: rollup?.get(id)?.level ?? 'none',
    });
  }
  const bounds = boxes.length > 0 ? { x: x1, y: y1, width: x2 - x1, height: y2 - y1 } : undefined;
  return { boxes, lines, bounds };
}

/** Resolutions of the overview bitmap (pixels per diagram unit at a pixel ratio of 1). */
const STEPS = [FAR_ZOOM / 4, FAR_ZOOM / 2, FAR_ZOOM];

/**
 * The resolution the overview needs at a zoom: the smallest step at or above
 * it. A bitmap much finer than the screen costs time on every frame (it is
 * scaled down each time the view moves), so it is redrawn at the next step
 * when the zoom crosses one.
 */
export function overviewStep(zoom: number): number {
  for (const step of STEPS) if (zoom <= step) return step;
  return FAR_ZOOM;
}

/**
 * Pixels per diagram unit of the overview bitmap: sharp at `step` (see
 * overviewStep) on this screen, but never a bitmap larger than MAX_SIDE or MAX_AREA.
 */
export function bitmapScale(bounds: Rect, pixelRatio = 1, step = FAR_ZOOM): number {
  const wanted = step * Math.max(1, pixelRatio);
  const w = Math.max(1, bounds.width);
  const h = Math.max(1, bounds.height);
  return Math.min(wanted, MAX_SIDE / w, MAX_SIDE / h, Math.sqrt(MAX_AREA / (w * h)));
}

/** The element under a point (diagram coordinates): the last drawn (innermost) box wins. */
export function hitTest(scene: Scene, p: { x: number; y: number }): string | undefined {
  for (let i = scene.boxes.length - 1; i >= 0; i -= 1) {
    const { rect, id } = scene.boxes[i] as SceneBox;
    if (p.x >= rect.x && p.x <= rect.x + rect.width && p.y >= rect.y && p.y <= rect.y + rect.height) return id;
  }
  return undefined;
}

export interface Highlight {
  selected: ReadonlySet<string>;
  threatTarget?: string;
}

const TRUST_COLOURS: Record<string, string> = { untrusted: '#882255', partner: '#aa6600' };

/** The subset of CanvasRenderingContext2D that drawScene uses (so that tests can record calls). */
export type Pen = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'clearRect'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'stroke'
  | 'fillRect'
  | 'strokeRect'
  | 'setLineDash'
  | 'arc'
  | 'closePath'
  | 'fill'
> & {
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  lineWidth: number;
};

/**
 * Draws the scene with `scale` pixels per diagram unit, the bounds' corner at
 * the bitmap's origin. Lines first (under the boxes), batched per colour.
 */
export function drawScene(pen: Pen, scene: Scene, scale: number, width: number, height: number, hl: Highlight): void {
  pen.setTransform(1, 0, 0, 1, 0, 0);
  pen.clearRect(0, 0, width, height);
  const b = scene.bounds;
  if (!b) return;
  pen.setTransform(scale, 0, 0, scale, -b.x * scale, -b.y * scale);
  // Hairlines: at least one pixel wide whatever the scale.
  const px = 1 / scale;
  const byLevel = new Map<string, SceneLine[]>();
  const strong: SceneLine[] = [];
  for (const l of scene.lines) {
    if (hl.selected.has(l.id) || hl.threatTarget === l.id) {
      strong.push(l);
      continue;
    }
    const list = byLevel.get(l.level);
    if (list) list.push(l);
    else byLevel.set(l.level, [l]);
  }
  pen.setLineDash([]);
  for (const [level, list] of byLevel) {
    pen.strokeStyle = level === 'none' ? '#9aa3ae' : (LEVEL_COLOURS[level] ?? '#9aa3ae');
    pen.lineWidth = px;
    pen.beginPath();
    for (const l of list) {
      pen.moveTo(l.from.x, l.from.y);
      pen.lineTo(l.to.x, l.to.y);
    }
    pen.stroke();
  }
  for (const l of strong) {
    pen.strokeStyle = hl.threatTarget === l.id ? '#111827' : '#2563eb';
    pen.lineWidth = 3 * px;
    pen.beginPath();
    pen.moveTo(l.from.x, l.from.y);
    pen.lineTo(l.to.x, l.to.y);
    pen.stroke();
  }
  for (const box of scene.boxes) {
    const { x, y, width: w, height: h } = box.rect;
    if (box.kind === 'boundary') {
      pen.fillStyle = box.trust === 'untrusted' ? 'rgba(136, 34, 85, 0.05)' : 'rgba(100, 116, 139, 0.06)';
      pen.fillRect(x, y, w, h);
      pen.strokeStyle = TRUST_COLOURS[box.trust ?? ''] ?? '#64748b';
      pen.lineWidth = Math.max(2, 2 * px);
      pen.setLineDash(box.trust === 'restricted' ? [] : [8 * px, 6 * px]);
      pen.strokeRect(x, y, w, h);
      pen.setLineDash([]);
    } else {
      pen.fillStyle = LEVEL_TINTS[box.level] ?? '#ffffff';
      pen.fillRect(x, y, w, h);
      pen.strokeStyle = box.level === 'none' ? '#9aa3ae' : (LEVEL_COLOURS[box.level] ?? '#9aa3ae');
      pen.lineWidth = Math.max(3, 1.5 * px);
      pen.strokeRect(x, y, w, h);
    }
    if (box.kind !== 'boundary' && box.level !== 'none') {
      // Colour is not the only cue, even here: the severity's shape (as in
      // the badges and the threat list) once a box is a few pixels wide.
      const r = Math.min(w, h) * 0.3;
      if (r * scale >= 3) drawSeverityShape(pen, box.level, x + w / 2, y + h / 2, r);
    }
    if (hl.threatTarget === box.id || hl.selected.has(box.id)) {
      pen.strokeStyle = hl.threatTarget === box.id ? '#111827' : '#2563eb';
      pen.lineWidth = Math.max(6, 3 * px);
      const m = pen.lineWidth;
      pen.strokeRect(x - m, y - m, w + 2 * m, h + 2 * m);
    }
  }
}

/** Critical ◆, high ▲, medium ●, low ■, filled in the severity's colour, centred on (cx, cy). */
export function drawSeverityShape(pen: Pen, level: string, cx: number, cy: number, r: number): void {
  pen.fillStyle = LEVEL_COLOURS[level] ?? '#9aa3ae';
  if (level === 'low') {
    pen.fillRect(cx - 0.8 * r, cy - 0.8 * r, 1.6 * r, 1.6 * r);
    return;
  }
  pen.beginPath();
  if (level === 'critical') {
    pen.moveTo(cx, cy - r);
    pen.lineTo(cx + r, cy);
    pen.lineTo(cx, cy + r);
    pen.lineTo(cx - r, cy);
  } else if (level === 'high') {
    pen.moveTo(cx, cy - r);
    pen.lineTo(cx + r, cy + 0.85 * r);
    pen.lineTo(cx - r, cy + 0.85 * r);
  } else {
    pen.arc(cx, cy, 0.9 * r, 0, 2 * Math.PI);
  }
  pen.closePath();
  pen.fill();
}
