// Form controls of the properties panel: labelled, keyboard-usable.

import { memo, useEffect, useId, useMemo, useState } from 'react';
import type { EnumOption } from './model/schema';

export function TextField(props: { label: string; value: string | undefined; disabled: boolean; multiline?: boolean; hint?: string; onChange(v: string): void }) {
  const id = useId();
  return (
    <div className="ed-field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea id={id} value={props.value ?? ''} disabled={props.disabled} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input id={id} type="text" value={props.value ?? ''} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.hint ? <p className="ed-hint">{props.hint}</p> : null}
    </div>
  );
}

/** An id field: edited locally, applied on Enter or when leaving the field. */
export function IdField(props: { label: string; value: string; disabled: boolean; validate(v: string): string | undefined; onCommit(v: string): void }) {
  const id = useId();
  const errId = useId();
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const error = text !== props.value ? props.validate(text) : undefined;
  const commit = () => {
    if (text === props.value) return;
    if (props.validate(text) === undefined) props.onCommit(text);
  };
  return (
    <div className="ed-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="text"
        value={text}
        disabled={props.disabled}
        aria-invalid={error !== undefined}
        aria-describedby={error ? errId : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(props.value);
        }}
      />
      {error ? (
        <p id={errId} className="ed-error" role="alert">
          {error}
        </p>
      ) : (
        <p className="ed-hint">Renaming updates every reference (press Enter to apply).</p>
      )}
    </div>
  );
}

export function SelectField(props: {
  label: string;
  value: string | undefined;
  options: readonly EnumOption[];
  disabled: boolean;
  /** Label of the empty choice; absent = no empty choice. */
  emptyLabel?: string;
  hint?: string;
  onChange(v: string | undefined): void;
}) {
  const id = useId();
  const current = props.options.find((o) => o.value === props.value);
  const unknown = props.value !== undefined && props.value !== '' && !current;
  return (
    <div className="ed-field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value ?? ''} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value === '' ? undefined : e.target.value)}>
        {props.emptyLabel !== undefined ? <option value="">{props.emptyLabel}</option> : null}
        {unknown ? <option value={props.value}>{props.value} (unknown)</option> : null}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} title={o.description}>
            {o.description ? `${o.value} — ${o.description.length > 60 ? `${o.description.slice(0, 57)}…` : o.description}` : o.value}
          </option>
        ))}
      </select>
      {current?.description ? <p className="ed-hint">{current.description}</p> : props.hint ? <p className="ed-hint">{props.hint}</p> : null}
    </div>
  );
}

/** `encrypted`: default (the protocol decides) / yes / no. */
export function TriState(props: { label: string; value: boolean | undefined; disabled: boolean; defaultText: string; onChange(v: boolean | undefined): void }) {
  const name = useId();
  const choices: { v: boolean | undefined; text: string }[] = [
    { v: undefined, text: `Default (${props.defaultText})` },
    { v: true, text: 'Yes' },
    { v: false, text: 'No' },
  ];
  return (
    <fieldset className="ed-field ed-tristate" disabled={props.disabled}>
      <legend>{props.label}</legend>
      {choices.map((c) => (
        <label key={String(c.v)}>
          <input type="radio" name={name} checked={props.value === c.v} onChange={() => props.onChange(c.v)} /> {c.text}
        </label>
      ))}
    </fieldset>
  );
}

export interface CheckItem {
  id: string;
  label: string;
  description?: string;
}

export interface ChecklistProps {
  label: string;
  items: readonly CheckItem[];
  selected: readonly string[] | undefined;
  disabled: boolean;
  searchable?: boolean;
  emptyText?: string;
  /**
   * May be a new function on every render: a checklist whose data did not
   * change does not re-render for it (long lists of data assets are costly
   * to re-render), so the handler kept from an earlier render must read the
   * current model itself (as the properties panel's handlers do, via a ref).
   */
  onChange(next: string[]): void;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Re-render only when what the checklist shows changed (not for a new onChange). */
export function sameChecklist(a: ChecklistProps, b: ChecklistProps): boolean {
  return (
    a.label === b.label &&
    a.items === b.items &&
    sameList(a.selected, b.selected) &&
    a.disabled === b.disabled &&
    a.searchable === b.searchable &&
    a.emptyText === b.emptyText
  );
}

/** A multi-select checklist, optionally searchable, with descriptions visible. */
export const Checklist = memo(function Checklist(props: ChecklistProps) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const selected = useMemo(() => new Set(props.selected ?? []), [props.selected]);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const items = words.length
    ? props.items.filter((i) => {
        const hay = `${i.id} ${i.label} ${i.description ?? ''}`.toLowerCase();
        return words.every((w) => hay.includes(w));
      })
    : props.items;
  // Selected ids the list does not know (kept, shown so that they can be removed).
  const unknown = (props.selected ?? []).filter((s) => !props.items.some((i) => i.id === s));
  const toggle = (id: string, on: boolean) => {
    const cur = props.selected ?? [];
    props.onChange(on ? [...cur, id] : cur.filter((x) => x !== id));
  };
  return (
    <fieldset className="ed-field ed-checklist" disabled={props.disabled}>
      <legend>
        {props.label} <span className="ed-count">({selected.size} selected)</span>
      </legend>
      {props.searchable ? (
        <>
          <label htmlFor={searchId} className="ed-visually-hidden">
            Search {props.label.toLowerCase()}
          </label>
          <input id={searchId} type="search" placeholder={`Search ${props.label.toLowerCase()}…`} value={query} onChange={(e) => setQuery(e.target.value)} />
        </>
      ) : null}
      <ul className="ed-checklist-items">
        {props.items.length === 0 ? <li className="ed-hint">{props.emptyText ?? 'Nothing to choose from.'}</li> : null}
        {unknown.map((u) => (
          <li key={`unknown-${u}`}>
            <label>
              <input type="checkbox" checked onChange={() => toggle(u, false)} /> <code>{u}</code> <span className="ed-hint">(not in the catalog)</span>
            </label>
          </li>
        ))}
        {items.map((i) => (
          <li key={i.id}>
            <label>
              <input type="checkbox" checked={selected.has(i.id)} onChange={(e) => toggle(i.id, e.target.checked)} />{' '}
              <span className="ed-check-label">{i.label}</span>
              {i.description ? <span className="ed-check-desc">{i.description}</span> : null}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}, sameChecklist);

/** A comma-separated list, edited as text and applied when leaving the field (or on Enter). */
export function ListField(props: { label: string; value: readonly string[] | undefined; disabled: boolean; onCommit(v: string[]): void }) {
  const id = useId();
  const joined = (props.value ?? []).join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => setText(joined), [joined]);
  const commit = () => {
    const next = text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (next.join(', ') !== joined) props.onCommit(next);
  };
  return (
    <div className="ed-field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="text"
        value={text}
        disabled={props.disabled}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </div>
  );
}
