// A cache of threats' full accounts per model revision: the live list is
// compact, and the detail view asks for one threat's account when it is
// selected. The same threat of the same model object is asked for once;
// a changed model (a new object) asks again. Failed or cancelled loads are
// not kept.

import type { FullThreat } from './types';

export type AccountLoader<M extends object> = (model: M, id: string, signal: AbortSignal) => Promise<FullThreat>;

export function cachedAccounts<M extends object>(load: AccountLoader<M>): AccountLoader<M> {
  const byModel = new WeakMap<M, Map<string, FullThreat>>();
  return async (model, id, signal) => {
    let known = byModel.get(model);
    if (!known) {
      known = new Map();
      byModel.set(model, known);
    }
    const hit = known.get(id);
    if (hit) return hit;
    const full = await load(model, id, signal);
    known.set(id, full);
    return full;
  };
}
