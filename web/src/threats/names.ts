// Names of threats' targets for the compact list: the live analysis answers
// ids only (the name is in the full account), and the editor has the model.

import type { ThreatPreview } from './types';

interface Named {
  id?: string;
  name?: unknown;
}

export interface NamedModel {
  name?: unknown;
  boundaries?: readonly Named[];
  actors?: readonly Named[];
  components?: readonly Named[];
  data?: readonly Named[];
  flows?: readonly (Named & { from: string; to: string })[];
}

/** Id → name of everything in the model that has a name (flows by their effective id). */
export function targetNames(model: NamedModel): Map<string, string> {
  const out = new Map<string, string>();
  const add = (id: string | undefined, name: unknown) => {
    if (id && typeof name === 'string' && name) out.set(id, name);
  };
  for (const list of [model.boundaries, model.actors, model.components, model.data]) {
    for (const item of list ?? []) add(item.id, item.name);
  }
  for (const f of model.flows ?? []) add(f.id ?? `${f.from}->${f.to}`, f.name);
  return out;
}

/** The threats with `target_name` set from the model where the entry has no name of its own. */
export function nameTargets<T extends ThreatPreview>(threats: readonly T[], model: NamedModel): T[] {
  let names: Map<string, string> | undefined;
  return threats.map((t) => {
    if (t.analysis?.target?.name !== undefined || t.target_name !== undefined) return t;
    names ??= targetNames(model);
    const name = t.target_kind === 'model' ? (typeof model.name === 'string' ? model.name : undefined) : names.get(t.target);
    return name === undefined ? t : { ...t, target_name: name };
  });
}
