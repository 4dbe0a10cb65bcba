// Palette contents: the catalog's component types grouped by domain, plus
// actor types and the boundary, filtered by a search string.

export interface PaletteEntry {
  kind: 'component' | 'actor' | 'boundary';
  /** Type id (component/actor type; "boundary" for the boundary). */
  type: string;
  name: string;
  description: string;
  category: 'process' | 'datastore' | 'external' | 'actor' | 'boundary';
  domain: string;
}

export interface PaletteGroup {
  id: string;
  name: string;
  entries: PaletteEntry[];
}

export interface CatalogLike {
  component_types: { id: string; name: string; category: string; domain: string; description: string }[];
  actor_types: { id: string; name: string; description: string }[];
  domains: { id: string; name: string }[];
}

const CATEGORIES = new Set(['process', 'datastore', 'external']);

/**
 * Groups: "Boundaries" first, then one group per catalog domain in catalog
 * order. Actor types join the catalog's `actor` domain ("People") when it
 * exists, else a "People" group at the end.
 */
export function paletteGroups(catalog: CatalogLike): PaletteGroup[] {
  const groups: PaletteGroup[] = [
    {
      id: '_boundaries',
      name: 'Boundaries',
      entries: [{ kind: 'boundary', type: 'boundary', name: 'Boundary', description: 'A trust boundary: a region whose contents share a level of trust.', category: 'boundary', domain: '' }],
    },
  ];
  const byDomain = new Map<string, PaletteEntry[]>();
  for (const t of catalog.component_types) {
    const category = CATEGORIES.has(t.category) ? (t.category as PaletteEntry['category']) : 'process';
    const list = byDomain.get(t.domain) ?? [];
    list.push({ kind: 'component', type: t.id, name: t.name, description: t.description, category, domain: t.domain });
    byDomain.set(t.domain, list);
  }
  const actors = catalog.actor_types.map<PaletteEntry>((a) => ({ kind: 'actor', type: a.id, name: a.name, description: a.description, category: 'actor', domain: '' }));
  const actorDomain = catalog.domains.some((d) => d.id === ACTOR_DOMAIN);
  if (actorDomain) byDomain.set(ACTOR_DOMAIN, [...actors, ...(byDomain.get(ACTOR_DOMAIN) ?? [])]);
  const sortEntries = (list: PaletteEntry[]) => list.sort((a, b) => a.name.localeCompare(b.name));
  for (const d of catalog.domains) {
    const list = byDomain.get(d.id);
    if (list && list.length > 0) {
      groups.push({ id: d.id, name: d.name, entries: sortEntries(list) });
      byDomain.delete(d.id);
    }
  }
  for (const [id, list] of byDomain) groups.push({ id, name: id, entries: sortEntries(list) });
  if (!actorDomain && actors.length > 0) groups.push({ id: ACTOR_DOMAIN, name: 'People', entries: sortEntries(actors) });
  return groups;
}

const ACTOR_DOMAIN = 'actor';

/** Keeps entries whose name, type id or description contains every word of the query. */
export function filterPalette(groups: readonly PaletteGroup[], query: string): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return groups as PaletteGroup[];
  const out: PaletteGroup[] = [];
  for (const g of groups) {
    const entries = g.entries.filter((e) => {
      const hay = `${e.name} ${e.type} ${e.description}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
    if (entries.length > 0) out.push({ ...g, entries });
  }
  return out;
}
