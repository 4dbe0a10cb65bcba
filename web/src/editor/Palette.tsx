// The palette: catalog types grouped by domain, searchable, draggable onto
// the canvas with the pointer (mouse, pen or touch); Enter adds the entry at
// the centre of the view.

import { memo, useDeferredValue, useId, useMemo, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { CategoryIcon, DomainGlyph } from './icons';
import { filterPalette, paletteGroups, type CatalogLike, type PaletteEntry } from './model/palette';

export interface PaletteProps {
  catalog: CatalogLike;
  disabled: boolean;
  onAdd(entry: PaletteEntry): void;
  /** A pointer went down on an entry: the editor follows the drag from there. */
  onStartDrag(entry: PaletteEntry, event: ReactPointerEvent<HTMLElement>): void;
}

type EntryProps = { entry: PaletteEntry; disabled: boolean; onAdd(e: PaletteEntry): void; onStartDrag: PaletteProps['onStartDrag'] };

const Entry = memo(function Entry({ entry, disabled, onAdd, onStartDrag }: EntryProps) {
  return (
    <li>
      <button
        type="button"
        className="ed-palette-item"
        // Actor types may share an id with a component type (`external-system`).
        data-testid={entry.kind === 'actor' ? `palette-item-actor-${entry.type}` : `palette-item-${entry.type}`}
        disabled={disabled}
        title={entry.description}
        aria-label={`${entry.name}: drag onto the canvas, or press Enter to add`}
        onPointerDown={(e) => {
          if (disabled || e.button !== 0) return;
          onStartDrag(entry, e);
        }}
        onClick={(e) => {
          // A keyboard "click" (Enter / Space) adds the element; a mouse click only shows the tip.
          if (e.detail === 0) onAdd(entry);
        }}
      >
        <CategoryIcon category={entry.category} size={18} />
        <span className="ed-palette-name">{entry.name}</span>
        <DomainGlyph domain={entry.domain} />
      </button>
    </li>
  );
});

export function Palette({ catalog, disabled, onAdd, onStartDrag }: PaletteProps) {
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const groups = useMemo(() => paletteGroups(catalog), [catalog]);
  const shown = useMemo(() => filterPalette(groups, deferred), [groups, deferred]);
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const searchId = useId();
  const searching = deferred.trim() !== '';
  return (
    <aside className="ed-palette" aria-label="Palette">
      <label htmlFor={searchId} className="ed-visually-hidden">
        Search the palette
      </label>
      <input
        id={searchId}
        type="search"
        className="ed-palette-search"
        placeholder="Search components…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {disabled ? <p className="ed-hint">Read-only: you can view this model but not change it.</p> : null}
      <div className="ed-palette-groups">
        {shown.length === 0 ? <p className="ed-hint">Nothing matches “{deferred}”.</p> : null}
        {shown.map((g) => {
          const open = searching || !closed.has(g.id);
          return (
            <section key={g.id} className="ed-palette-group">
              <h3>
                <button
                  type="button"
                  className="ed-palette-group-toggle"
                  aria-expanded={open}
                  onClick={() =>
                    setClosed((prev) => {
                      const next = new Set(prev);
                      if (next.has(g.id)) next.delete(g.id);
                      else next.add(g.id);
                      return next;
                    })
                  }
                >
                  <span aria-hidden="true">{open ? '▾' : '▸'}</span> {g.name} <span className="ed-count">({g.entries.length})</span>
                </button>
              </h3>
              {open ? (
                <ul>
                  {g.entries.map((e) => (
                    <Entry key={`${e.kind}:${e.type}`} entry={e} disabled={disabled} onAdd={onAdd} onStartDrag={onStartDrag} />
                  ))}
                </ul>
              ) : null}
            </section>
          );
        })}
      </div>
    </aside>
  );
}
