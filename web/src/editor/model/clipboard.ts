// Copy / paste of elements with their properties and the flows between them.

import { descendantBoundaries, freshFlowId, freshId, takenIds } from './ids';
import { kindIndex } from './geometry';
import { type ActorDef, type BoundaryDef, type ComponentDef, type EditorModel, type ElementKind, type FlowDef, type Layout } from './types';

export interface Clip {
  elements: { kind: ElementKind; def: ComponentDef | ActorDef | BoundaryDef }[];
  flows: FlowDef[];
  layout: Layout;
}

/** Copies the selected elements (plus everything inside selected boundaries) and the flows between them. */
export function copySelection(model: EditorModel, ids: Iterable<string>): Clip {
  const kinds = kindIndex(model);
  const chosen = new Set<string>();
  for (const id of ids) if (kinds.has(id)) chosen.add(id);
  // Boundaries bring their contents.
  const boundaries = [...chosen].filter((id) => kinds.get(id) === 'boundary');
  const inside = new Set<string>(boundaries);
  for (const b of boundaries) for (const d of descendantBoundaries(model, b)) inside.add(d);
  for (const d of inside) chosen.add(d);
  for (const a of model.actors ?? []) if (a.boundary !== undefined && inside.has(a.boundary)) chosen.add(a.id);
  for (const c of model.components ?? []) if (c.boundary !== undefined && inside.has(c.boundary)) chosen.add(c.id);

  const clip: Clip = { elements: [], flows: [], layout: {} };
  for (const b of model.boundaries ?? []) if (chosen.has(b.id)) clip.elements.push({ kind: 'boundary', def: structuredClone(b) });
  for (const a of model.actors ?? []) if (chosen.has(a.id)) clip.elements.push({ kind: 'actor', def: structuredClone(a) });
  for (const c of model.components ?? []) if (chosen.has(c.id)) clip.elements.push({ kind: 'component', def: structuredClone(c) });
  for (const f of model.flows ?? []) if (chosen.has(f.from) && chosen.has(f.to)) clip.flows.push(structuredClone(f));
  for (const id of chosen) {
    const e = model.layout?.[id];
    if (e) clip.layout[id] = { ...e };
  }
  return clip;
}

/**
 * Pastes a clip with fresh ids (`web-app` → `web-app-2`), positions offset by
 * `offset`. Containers copied along are remapped; others are kept when they
 * still exist. References to data assets the model lacks are dropped.
 */
export function pasteClip(model: EditorModel, clip: Clip, offset = { x: 40, y: 40 }): { model: EditorModel; ids: string[] } {
  const taken = takenIds(model);
  const boundaryIds = new Set((model.boundaries ?? []).map((b) => b.id));
  const dataIds = new Set((model.data ?? []).map((d) => d.id));
  const map = new Map<string, string>();
  for (const { def } of clip.elements) {
    const id = freshId(def.id, taken);
    taken.add(id);
    map.set(def.id, id);
  }
  const container = (c: string | undefined): string | undefined => {
    if (c === undefined) return undefined;
    return map.get(c) ?? (boundaryIds.has(c) ? c : undefined);
  };
  const dataRefs = (list: string[] | undefined): string[] | undefined => {
    if (!list) return undefined;
    const kept = list.filter((d) => dataIds.has(d));
    return kept.length > 0 ? kept : undefined;
  };
  const boundaries = [...(model.boundaries ?? [])];
  const actors = [...(model.actors ?? [])];
  const components = [...(model.components ?? [])];
  const layout: Layout = { ...(model.layout ?? {}) };
  const newIds: string[] = [];
  for (const { kind, def } of clip.elements) {
    const id = map.get(def.id) as string;
    newIds.push(id);
    const copy: Record<string, unknown> = { ...structuredClone(def), id };
    const key = kind === 'boundary' ? 'parent' : 'boundary';
    const c = container(def[key] as string | undefined);
    if (c === undefined) delete copy[key];
    else copy[key] = c;
    if (kind === 'component') {
      for (const k of ['stores', 'processes'] as const) {
        const refs = dataRefs(copy[k] as string[] | undefined);
        if (refs) copy[k] = refs;
        else delete copy[k];
      }
    }
    if (kind === 'boundary') boundaries.push(copy as BoundaryDef);
    else if (kind === 'actor') actors.push(copy as ActorDef);
    else components.push(copy as ComponentDef);
    const e = clip.layout[def.id];
    if (e) layout[id] = { ...e, x: e.x + offset.x, y: e.y + offset.y };
  }
  const flows = [...(model.flows ?? [])];
  for (const f of clip.flows) {
    const from = map.get(f.from);
    const to = map.get(f.to);
    if (from === undefined || to === undefined) continue;
    const copy: FlowDef = { ...structuredClone(f), from, to };
    const fid = freshFlowId(from, to, taken);
    taken.add(fid);
    if (f.id === undefined && fid === `${from}->${to}`) delete copy.id;
    else copy.id = fid;
    const refs = dataRefs(copy.data);
    if (refs) copy.data = refs;
    else delete copy.data;
    flows.push(copy);
  }
  const next: EditorModel = { ...model, layout };
  if (boundaries.length > 0 || model.boundaries) next.boundaries = boundaries;
  if (actors.length > 0 || model.actors) next.actors = actors;
  if (components.length > 0 || model.components) next.components = components;
  if (flows.length > 0 || model.flows) next.flows = flows;
  return { model: next, ids: newIds };
}
