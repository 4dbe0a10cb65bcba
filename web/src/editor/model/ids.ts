import { flowId, type EditorModel, type ElementKind } from './types';

const ID_RE = /^[A-Za-z0-9_.-]+$/;

/** Whether `id` is a valid model id (letters, digits, `-`, `_`, `.`). */
export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}

/** Every id used in the model: elements, data assets and flows. */
export function takenIds(model: EditorModel): Set<string> {
  const ids = new Set<string>();
  for (const b of model.boundaries ?? []) ids.add(b.id);
  for (const a of model.actors ?? []) ids.add(a.id);
  for (const c of model.components ?? []) ids.add(c.id);
  for (const d of model.data ?? []) ids.add(d.id);
  for (const f of model.flows ?? []) ids.add(flowId(f));
  return ids;
}

/** Turns an arbitrary string into something usable as an id base. */
export function slug(text: string): string {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'element';
}

/**
 * A fresh id derived from `base`: `base` itself when free, otherwise `base-2`,
 * `base-3`, …. A base that already ends in `-N` is continued from its stem so
 * that copying `web-app-2` gives `web-app-3`, not `web-app-2-2`.
 */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  const clean = isValidId(base) ? base : slug(base);
  if (!taken.has(clean)) return clean;
  const m = /^(.*)-(\d+)$/.exec(clean);
  const stem = m && m[1] ? m[1] : clean;
  let n = m ? Math.max(2, Number(m[2]) + 1) : 2;
  while (taken.has(`${stem}-${n}`)) n += 1;
  return `${stem}-${n}`;
}

/** The id for a new flow from → to: `FROM->TO`, or `FROM->TO-2`, … when taken. */
export function freshFlowId(from: string, to: string, taken: ReadonlySet<string>): string {
  const base = `${from}->${to}`;
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

/** What an element id refers to, if anything. */
export function elementKindOf(model: EditorModel, id: string): ElementKind | undefined {
  if ((model.components ?? []).some((c) => c.id === id)) return 'component';
  if ((model.actors ?? []).some((a) => a.id === id)) return 'actor';
  if ((model.boundaries ?? []).some((b) => b.id === id)) return 'boundary';
  return undefined;
}

/** The enclosing boundary of an element (component/actor: `boundary`; boundary: `parent`). */
export function containerOf(model: EditorModel, id: string): string | undefined {
  const c = (model.components ?? []).find((x) => x.id === id);
  if (c) return c.boundary;
  const a = (model.actors ?? []).find((x) => x.id === id);
  if (a) return a.boundary;
  const b = (model.boundaries ?? []).find((x) => x.id === id);
  if (b) return b.parent;
  return undefined;
}

/** Boundary ids enclosing `id`, innermost first; stops on cycles and unknown ids. */
export function ancestors(model: EditorModel, id: string): string[] {
  const parents = new Map<string, string | undefined>();
  for (const b of model.boundaries ?? []) parents.set(b.id, b.parent);
  const out: string[] = [];
  const seen = new Set<string>([id]);
  let cur = containerOf(model, id);
  while (cur !== undefined && !seen.has(cur) && parents.has(cur)) {
    out.push(cur);
    seen.add(cur);
    cur = parents.get(cur);
  }
  return out;
}

/** Boundary ids nested (at any depth) inside boundary `id`. */
export function descendantBoundaries(model: EditorModel, id: string): Set<string> {
  const out = new Set<string>();
  let frontier = [id];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const b of model.boundaries ?? []) {
      if (b.parent !== undefined && frontier.includes(b.parent) && !out.has(b.id) && b.id !== id) {
        out.add(b.id);
        next.push(b.id);
      }
    }
    frontier = next;
  }
  return out;
}
