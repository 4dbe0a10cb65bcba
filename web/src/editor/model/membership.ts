// Which boundary an element lies in, from its position.

import { descendantBoundaries } from './ids';
import { center, containsPoint, kindIndex, rectOf } from './geometry';
import { setContainer } from './ops';
import type { EditorModel, Layout, Rect } from './types';

/**
 * The innermost boundary whose rectangle contains the centre of `rect`,
 * ignoring `self` and the boundaries nested in it (a boundary cannot be put
 * inside itself). "Innermost" = smallest area.
 */
export function boundaryAt(model: EditorModel, layout: Layout, rect: Rect, self?: string): string | undefined {
  const excluded = self !== undefined ? descendantBoundaries(model, self) : new Set<string>();
  if (self !== undefined) excluded.add(self);
  const c = center(rect);
  let best: string | undefined;
  let bestArea = Infinity;
  for (const b of model.boundaries ?? []) {
    if (excluded.has(b.id)) continue;
    const e = layout[b.id];
    if (!e) continue;
    const r = rectOf(e, 'boundary');
    if (!containsPoint(r, c)) continue;
    const area = r.width * r.height;
    if (area < bestArea) {
      best = b.id;
      bestArea = area;
    }
  }
  return best;
}

/**
 * Updates `boundary` / `parent` of the given elements from their positions in
 * `layout` (ABSOLUTE). Returns the new model and the ids whose container changed.
 */
export function updateMembership(model: EditorModel, layout: Layout, ids: Iterable<string>): { model: EditorModel; changed: string[] } {
  const kinds = kindIndex(model);
  let next = model;
  const changed: string[] = [];
  for (const id of ids) {
    const kind = kinds.get(id);
    const e = layout[id];
    if (!kind || !e) continue;
    const target = boundaryAt(next, layout, rectOf(e, kind), kind === 'boundary' ? id : undefined);
    const before = next;
    next = setContainer(next, id, target);
    if (next !== before) changed.push(id);
  }
  return { model: next, changed };
}

/** The candidates whose centre lies inside boundary `boundaryId` (by `layout`). */
export function enclosedBy(model: EditorModel, layout: Layout, boundaryId: string, candidates: Iterable<string>): string[] {
  const e = layout[boundaryId];
  if (!e) return [];
  const r = rectOf(e, 'boundary');
  const kinds = kindIndex(model);
  const out: string[] = [];
  for (const id of candidates) {
    const kind = kinds.get(id);
    const ce = layout[id];
    if (id === boundaryId || !kind || !ce) continue;
    if (containsPoint(r, center(rectOf(ce, kind)))) out.push(id);
  }
  return out;
}
