// Merging two versions of a model into one read-only view of their differences.
import type { ModelJson, Severity } from '../model/types';
import { flowId } from '../model/types';
import { defaultSize } from '../editor/model/geometry';

export type Change = 'added' | 'removed' | 'changed';

export interface ElementChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface DiffView {
  /** The newer model, with the elements removed since the older one put back (at their old place). */
  model: ModelJson;
  highlight: Record<string, Change>;
}

type Collection = 'boundaries' | 'actors' | 'components' | 'data' | 'flows';
const COLLECTIONS: readonly Collection[] = ['boundaries', 'actors', 'components', 'data', 'flows'];

interface WithId {
  id?: string;
  from?: string;
  to?: string;
}

function idOf(collection: Collection, item: WithId): string {
  if (collection === 'flows' && item.from !== undefined && item.to !== undefined) {
    return flowId({ id: item.id, from: item.from, to: item.to });
  }
  return item.id ?? '';
}

function itemsOf(model: ModelJson, collection: Collection): WithId[] {
  const items = model[collection];
  return Array.isArray(items) ? (items as WithId[]) : [];
}

/** Every element and flow id of a model. */
export function modelIds(model: ModelJson): Set<string> {
  const ids = new Set<string>();
  for (const collection of COLLECTIONS) {
    for (const item of itemsOf(model, collection)) ids.add(idOf(collection, item));
  }
  return ids;
}

/**
 * Builds the diff view: the newer model plus every element of the older model that the newer one
 * no longer has (so that removed elements can be drawn ghosted at their old position), and the
 * highlight map from the server's element changes. Ids the server reports as removed but that
 * the older model does not have are left out of the highlight.
 */
export function mergeForDiff(older: ModelJson, newer: ModelJson, changes: ElementChanges): DiffView {
  const model: ModelJson = structuredClone(newer);
  const present = modelIds(newer);
  const restored = new Set<string>();
  const layout = { ...(model.layout ?? {}) };
  for (const collection of COLLECTIONS) {
    const gone = itemsOf(older, collection).filter((item) => !present.has(idOf(collection, item)));
    if (gone.length === 0) continue;
    const merged = [...itemsOf(model, collection), ...gone.map((item) => structuredClone(item))];
    (model as unknown as Record<Collection, WithId[]>)[collection] = merged;
    for (const item of gone) {
      const id = idOf(collection, item);
      restored.add(id);
      const old = older.layout?.[id];
      if (old && !layout[id]) layout[id] = { ...old };
    }
  }
  separateRestored(model, layout, restored);
  if (Object.keys(layout).length > 0 || model.layout) model.layout = layout;

  const highlight: Record<string, Change> = {};
  for (const id of changes.changed) if (present.has(id)) highlight[id] = 'changed';
  for (const id of changes.added) if (present.has(id)) highlight[id] = 'added';
  for (const id of changes.removed) if (restored.has(id)) highlight[id] = 'removed';
  // Anything restored that the server did not list is still gone from the newer version.
  for (const id of restored) if (!highlight[id]) highlight[id] = 'removed';
  return { model, highlight };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const GAP = 12;

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

type LayoutMap = NonNullable<ModelJson['layout']>;

/**
 * A removed element put back at its old place may lie under an element of
 * the newer version (typically the one that replaced it): move it down,
 * below whatever it would cover, so that both are visible. Boundaries are
 * regions that overlap by nature and stay where they were.
 */
function separateRestored(model: ModelJson, layout: LayoutMap, restored: ReadonlySet<string>): void {
  const boxes: { id: string; box: Box; restored: boolean }[] = [];
  for (const collection of ['actors', 'components'] as const) {
    const size = defaultSize(collection === 'actors' ? 'actor' : 'component');
    for (const item of itemsOf(model, collection)) {
      const id = idOf(collection, item);
      const e = layout[id];
      if (!e) continue;
      boxes.push({ id, box: { x: e.x, y: e.y, width: e.width ?? size.width, height: e.height ?? size.height }, restored: restored.has(id) });
    }
  }
  const placed = boxes.filter((b) => !b.restored).map((b) => b.box);
  for (const b of boxes) {
    if (!b.restored) continue;
    const box = { ...b.box };
    for (let tries = 0; tries < 50 && placed.some((p) => overlaps(p, box)); tries += 1) box.y += box.height + GAP;
    const entry = layout[b.id];
    if (entry && box.y !== b.box.y) layout[b.id] = { ...entry, y: box.y };
    placed.push(box);
  }
}

export interface ThreatRef {
  id: string;
  title: string;
  severity: Severity;
  score: number;
  status: string;
  unresolved: boolean;
}

export interface ThreatChangeRef {
  id: string;
  title: string;
  before: ThreatRef;
  after: ThreatRef;
  worsened: boolean;
}

export interface ThreatDiffSummary {
  added: ThreatRef[];
  /** Gone from the newer version, or no longer needing attention in it. */
  resolved: ThreatRef[];
  /** Other changes (severity or status), worsened ones first. */
  changed: ThreatChangeRef[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SEVERITIES: readonly string[] = ['low', 'medium', 'high', 'critical'];

function threatRef(value: unknown): ThreatRef | null {
  if (!isRecord(value) || typeof value.id !== 'string') return null;
  const severity = typeof value.severity === 'string' && SEVERITIES.includes(value.severity) ? value.severity : 'low';
  return {
    id: value.id,
    title: typeof value.title === 'string' ? value.title : value.id,
    severity: severity as Severity,
    score: typeof value.score === 'number' ? value.score : 0,
    status: typeof value.status === 'string' ? value.status : 'open',
    unresolved: value.unresolved !== false,
  };
}

function refs(value: unknown): ThreatRef[] {
  return Array.isArray(value) ? value.map(threatRef).filter((t): t is ThreatRef => t !== null) : [];
}

/** Reads the core's threat diff (`rampart diff` JSON) defensively. */
export function summariseThreatDiff(threats: unknown): ThreatDiffSummary {
  if (!isRecord(threats)) return { added: [], resolved: [], changed: [] };
  const added = refs(threats.added);
  const resolved = refs(threats.removed);
  const changed: ThreatChangeRef[] = [];
  for (const entry of Array.isArray(threats.changed) ? threats.changed : []) {
    if (!isRecord(entry)) continue;
    const before = threatRef(entry.before);
    const after = threatRef(entry.after);
    if (!before || !after) continue;
    if (before.unresolved && !after.unresolved) {
      resolved.push(after);
    } else {
      changed.push({
        id: typeof entry.id === 'string' ? entry.id : after.id,
        title: typeof entry.title === 'string' ? entry.title : after.title,
        before,
        after,
        worsened: entry.worsened === true,
      });
    }
  }
  return { added, resolved, changed };
}

/** The element, flow or data id a threat is about (`rule@target`). */
export function threatTarget(threatId: string): string {
  const at = threatId.indexOf('@');
  return at >= 0 ? threatId.slice(at + 1) : threatId;
}
