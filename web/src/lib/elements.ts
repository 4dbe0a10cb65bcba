import { flowId, type ModelJson } from '../model/types';

/** Display names of every element, flow and data asset, by id ("Web shop", "browser → web (https)"). */
export function elementLabels(model: ModelJson): Map<string, string> {
  const labels = new Map<string, string>();
  for (const b of model.boundaries ?? []) labels.set(b.id, b.name ?? b.id);
  for (const a of model.actors ?? []) labels.set(a.id, a.name ?? a.id);
  for (const c of model.components ?? []) labels.set(c.id, c.name ?? c.id);
  for (const d of model.data ?? []) labels.set(d.id, d.name ?? d.id);
  for (const f of model.flows ?? []) {
    const id = flowId(f);
    const from = labels.get(f.from) ?? f.from;
    const to = labels.get(f.to) ?? f.to;
    labels.set(id, f.name ?? `${from} → ${to} (${f.protocol})`);
  }
  return labels;
}
