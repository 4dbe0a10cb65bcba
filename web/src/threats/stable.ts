// Keeps threat objects stable between two live analyses: a threat whose
// listed fields did not change keeps its previous object, so that memoised
// rows (and everything keyed on object identity) skip re-rendering; the list
// itself is the previous array when nothing changed at all.

import type { ThreatPreview } from './types';

const SCALAR_KEYS = ['id', 'rule', 'title', 'target', 'target_kind', 'severity', 'score', 'status', 'owner', 'due_date', 'stored', 'target_name'] as const;
const ACCOUNT_KEYS = ['description', 'references', 'analysis', 'countermeasures'] as const;

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Equal as far as the list and the detail view can tell. */
export function sameThreat(a: ThreatPreview, b: ThreatPreview): boolean {
  if (a === b) return true;
  for (const k of SCALAR_KEYS) if (a[k] !== b[k]) return false;
  if (!sameStrings(a.stride, b.stride)) return false;
  // Full entries (a server without the compact list): their account may differ
  // where the listed fields do not, and comparing it costs more than re-rendering.
  for (const k of ACCOUNT_KEYS) if (a[k] !== b[k]) return false;
  return true;
}

/** `next` with every unchanged threat replaced by its object from `prev`; `prev` itself when nothing changed. */
export function stabiliseThreats<T extends ThreatPreview>(prev: readonly T[], next: readonly T[]): T[] {
  const old = new Map<string, T>();
  for (const t of prev) old.set(t.id, t);
  let changed = prev.length !== next.length;
  const out = next.map((t, i) => {
    const p = old.get(t.id);
    if (p && sameThreat(p, t)) {
      if (prev[i] !== p) changed = true;
      return p;
    }
    changed = true;
    return t;
  });
  return changed ? out : (prev as T[]);
}
