// The model's data assets: list, add, edit, delete.

import { useState } from 'react';
import type { Catalog } from '../api/types';
import { Checklist, IdField, SelectField, TextField } from './fields';
import { addData, deleteIds, setField, updateData } from './model/ops';
import type { SchemaInfo } from './model/schema';
import type { DataDef, EditorModel } from './model/types';

export function DataAssets(props: {
  model: EditorModel;
  catalog: Catalog;
  schema: SchemaInfo;
  readOnly: boolean;
  onChange(next: EditorModel, coalesceKey?: string): void;
  onRename(from: string, to: string): void;
  validateId(v: string): string | undefined;
}) {
  const { model, catalog, schema, readOnly, onChange } = props;
  const [open, setOpen] = useState<string | undefined>(undefined);
  const data = model.data ?? [];
  const categories = catalog.data_categories.map((c) => ({ id: c.id, label: c.id, description: c.description }));
  return (
    <section className="ed-data-assets" aria-label="Data assets">
      <h3>Data assets ({data.length})</h3>
      <ul className="ed-data-list">
        {data.map((d) => {
          const expanded = open === d.id;
          const set = (field: string, value: unknown, typing = false) =>
            onChange(updateData(model, d.id, (x) => setField(x, field, value) as DataDef), typing ? `data:${d.id}.${field}` : undefined);
          return (
            <li key={d.id} className="ed-data-item">
              <div className="ed-data-row">
                <button type="button" className="ed-link" aria-expanded={expanded} onClick={() => setOpen(expanded ? undefined : d.id)}>
                  {d.name ? `${d.name} (${d.id})` : d.id}
                </button>
                <span className="ed-hint">
                  C {d.confidentiality ?? '–'} · I {d.integrity ?? '–'} · A {d.availability ?? '–'}
                </span>
                <button type="button" disabled={readOnly} aria-label={`Delete data asset ${d.id}`} onClick={() => onChange(deleteIds(model, [d.id]))}>
                  Delete
                </button>
              </div>
              {expanded ? (
                <div className="ed-data-form">
                  <IdField label="Id" value={d.id} disabled={readOnly} validate={props.validateId} onCommit={(v) => { props.onRename(d.id, v); setOpen(v); }} />
                  <TextField label="Name" value={d.name} disabled={readOnly} onChange={(v) => set('name', v, true)} />
                  <Checklist label="Categories" items={categories} selected={d.categories} disabled={readOnly} onChange={(v) => set('categories', v)} />
                  <SelectField label="Confidentiality" value={d.confidentiality} options={schema.rating} disabled={readOnly} emptyLabel="(not set)" onChange={(v) => set('confidentiality', v)} />
                  <SelectField label="Integrity" value={d.integrity} options={schema.rating} disabled={readOnly} emptyLabel="(not set)" onChange={(v) => set('integrity', v)} />
                  <SelectField label="Availability" value={d.availability} options={schema.rating} disabled={readOnly} emptyLabel="(not set)" onChange={(v) => set('availability', v)} />
                  <TextField label="Description" value={d.description} disabled={readOnly} multiline onChange={(v) => set('description', v, true)} />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        disabled={readOnly}
        onClick={() => {
          const r = addData(model);
          onChange(r.model);
          setOpen(r.id);
        }}
      >
        Add data asset
      </button>
    </section>
  );
}
