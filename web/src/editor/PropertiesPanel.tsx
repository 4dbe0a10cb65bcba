// The properties panel: fields generated from the model schema and the catalog.

import { memo, useMemo, useRef } from 'react';
import type { Catalog } from '../api/types';
import { Checklist, IdField, ListField, SelectField, TextField, TriState, type CheckItem } from './fields';
import { DataAssets } from './DataAssets';
import { descendantBoundaries, isValidId, takenIds } from './model/ids';
import { setField, updateElement, updateFlow } from './model/ops';
import type { EnumOption, SchemaInfo } from './model/schema';
import { flowId, type EditorModel, type FlowDef } from './model/types';
import type { AlignMode, DistributeAxis } from './model/align';

export type Selection = { kind: 'none' } | { kind: 'element'; id: string } | { kind: 'flow'; id: string } | { kind: 'multi'; ids: string[] };

export interface PropertiesPanelProps {
  model: EditorModel;
  selection: Selection;
  catalog: Catalog;
  schema: SchemaInfo;
  readOnly: boolean;
  /** `typingKey`: set while typing in a text field; edits with the same key merge into one undo step. */
  onChange(next: EditorModel, typingKey?: string): void;
  onRename(from: string, to: string): void;
  onAlign(mode: AlignMode): void;
  onDistribute(axis: DistributeAxis): void;
}

type Obj = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function list(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/**
 * Memoised: the live analysis's answers do not re-render it. Handlers read the
 * latest model through a ref (see Checklist: a list whose data did not change
 * keeps the handler of an earlier render); the body is keyed by the selection.
 */
export const PropertiesPanel = memo(function PropertiesPanel(props: PropertiesPanelProps) {
  const { model: current, selection, catalog, schema, readOnly, onChange } = props;
  const latest = useRef(current);
  latest.current = current;
  // Read by the handlers when they run, not when they were made.
  const modelNow = () => latest.current;
  const model = current;
  const taken = useMemo(() => takenIds(model), [model]);
  const validateId = (v: string): string | undefined => {
    if (!isValidId(v)) return 'Use letters, digits, “-”, “_” and “.” only.';
    if (taken.has(v)) return `“${v}” is already used in this model.`;
    return undefined;
  };
  const controls = useMemo<CheckItem[]>(
    () => catalog.countermeasures.map((c) => ({ id: c.id, label: c.name, description: c.description })),
    [catalog.countermeasures],
  );
  const dataItems = useMemo<CheckItem[]>(
    () => (model.data ?? []).map((d) => ({ id: d.id, label: d.name ? `${d.name} (${d.id})` : d.id })),
    [model.data],
  );
  const formatItems = useMemo<CheckItem[]>(() => catalog.data_formats.map((d) => ({ id: d.id, label: d.id, description: d.description })), [catalog.data_formats]);
  const capabilityItems = useMemo<CheckItem[]>(() => catalog.capabilities.map((d) => ({ id: d.id, label: d.id, description: d.description })), [catalog.capabilities]);
  const boundaryOptions = (exclude: ReadonlySet<string>): EnumOption[] =>
    (model.boundaries ?? []).filter((b) => !exclude.has(b.id)).map((b) => ({ value: b.id, description: b.name }));

  let body;
  let title = 'Model';
  if (selection.kind === 'multi') {
    title = `${selection.ids.length} elements selected`;
    body = (
      <div className="ed-multi">
        <p>Align or distribute the selection:</p>
        <div className="ed-button-grid" role="group" aria-label="Align">
          {(['left', 'center', 'right', 'top', 'middle', 'bottom'] as const).map((m) => (
            <button key={m} type="button" disabled={readOnly} onClick={() => props.onAlign(m)}>
              Align {m}
            </button>
          ))}
          <button type="button" disabled={readOnly || selection.ids.length < 3} onClick={() => props.onDistribute('horizontal')}>
            Distribute horizontally
          </button>
          <button type="button" disabled={readOnly || selection.ids.length < 3} onClick={() => props.onDistribute('vertical')}>
            Distribute vertically
          </button>
        </div>
      </div>
    );
  } else if (selection.kind === 'flow') {
    const flow = (model.flows ?? []).find((f) => flowId(f) === selection.id);
    if (flow) {
      title = `Flow ${selection.id}`;
      const key = `flow:${selection.id}`;
      const set = (field: string, value: unknown, typing = false) =>
        onChange(updateFlow(modelNow(), selection.id, (f) => setField(f, field, value) as FlowDef), typing ? `${key}.${field}` : undefined);
      const proto = catalog.protocols.find((p) => p.id === flow.protocol);
      body = (
        <>
          <p className="ed-hint">
            From <code>{flow.from}</code> to <code>{flow.to}</code>
          </p>
          <IdField label="Id" value={flowId(flow)} disabled={readOnly} validate={validateId} onCommit={(v) => props.onRename(selection.id, v)} />
          <TextField label="Name" value={flow.name} disabled={readOnly} onChange={(v) => set('name', v, true)} />
          <SelectField
            label="Protocol"
            value={flow.protocol}
            disabled={readOnly}
            options={catalog.protocols.map((p) => ({ value: p.id, description: p.description }))}
            onChange={(v) => set('protocol', v ?? 'https')}
          />
          <SelectField label="Authentication" value={flow.authentication} disabled={readOnly} options={schema.authentication} emptyLabel="(not set: none)" onChange={(v) => set('authentication', v)} />
          <SelectField label="Authorization" value={flow.authorization} disabled={readOnly} options={schema.authorization} emptyLabel="(not set)" onChange={(v) => set('authorization', v)} />
          <TriState
            label="Encrypted"
            value={flow.encrypted}
            disabled={readOnly}
            defaultText={proto ? (proto.encrypted ? `yes, ${proto.id} is encrypted` : `no, ${proto.id} is not encrypted`) : 'from the protocol'}
            onChange={(v) => set('encrypted', v)}
          />
          <Checklist label="Data" items={dataItems} selected={flow.data} disabled={readOnly} emptyText="The model has no data assets yet (add them with nothing selected)." onChange={(v) => set('data', v)} />
          <Checklist label="Controls" items={controls} selected={flow.controls} disabled={readOnly} searchable onChange={(v) => set('controls', v)} />
          <TextField label="Description" value={flow.description} disabled={readOnly} multiline onChange={(v) => set('description', v, true)} />
        </>
      );
    }
  } else if (selection.kind === 'element') {
    const id = selection.id;
    const comp = (model.components ?? []).find((c) => c.id === id);
    const actor = comp ? undefined : (model.actors ?? []).find((a) => a.id === id);
    const boundary = comp || actor ? undefined : (model.boundaries ?? []).find((b) => b.id === id);
    const el: Obj | undefined = comp ?? actor ?? boundary;
    if (el) {
      const key = `el:${id}`;
      const set = (field: string, value: unknown, typing = false) =>
        onChange(updateElement(modelNow(), id, (e) => setField(e, field, value)), typing ? `${key}.${field}` : undefined);
      const common = (
        <>
          <IdField label="Id" value={id} disabled={readOnly} validate={validateId} onCommit={(v) => props.onRename(id, v)} />
          <TextField label="Name" value={str(el.name)} disabled={readOnly} onChange={(v) => set('name', v, true)} />
        </>
      );
      const tail = (
        <>
          <Checklist label="Controls" items={controls} selected={list(el.controls)} disabled={readOnly} searchable onChange={(v) => set('controls', v)} />
          <TextField label="Description" value={str(el.description)} disabled={readOnly} multiline onChange={(v) => set('description', v, true)} />
        </>
      );
      if (comp) {
        title = `Component ${id}`;
        const type = catalog.component_types.find((t) => t.id === comp.kind);
        body = (
          <>
            {common}
            <SelectField
              label="Type (kind)"
              value={comp.kind}
              disabled={readOnly}
              options={catalog.component_types.map((t) => ({ value: t.id, description: t.name }))}
              onChange={(v) => v && set('kind', v)}
              hint={type?.description}
            />
            <TextField label="Technology" value={comp.technology} disabled={readOnly} onChange={(v) => set('technology', v, true)} />
            <SelectField label="Boundary" value={comp.boundary} disabled={readOnly} options={boundaryOptions(new Set())} emptyLabel="(outside every boundary)" onChange={(v) => set('boundary', v)} />
            <SelectField label="Exposure" value={comp.exposure} disabled={readOnly} options={schema.exposure} emptyLabel="(not set)" onChange={(v) => set('exposure', v)} />
            <Checklist label="Accepts (data formats)" items={formatItems} selected={comp.accepts} disabled={readOnly} onChange={(v) => set('accepts', v)} />
            <Checklist label="Capabilities" items={capabilityItems} selected={comp.capabilities} disabled={readOnly} searchable onChange={(v) => set('capabilities', v)} />
            <Checklist label="Stores (data)" items={dataItems} selected={comp.stores} disabled={readOnly} emptyText="The model has no data assets yet." onChange={(v) => set('stores', v)} />
            <Checklist label="Processes (data)" items={dataItems} selected={comp.processes} disabled={readOnly} emptyText="The model has no data assets yet." onChange={(v) => set('processes', v)} />
            <ListField label="Tags (comma separated)" value={comp.tags} disabled={readOnly} onCommit={(v) => set('tags', v)} />
            {tail}
          </>
        );
      } else if (actor) {
        title = `Actor ${id}`;
        body = (
          <>
            {common}
            <SelectField
              label="Type (kind)"
              value={actor.kind}
              disabled={readOnly}
              options={catalog.actor_types.map((t) => ({ value: t.id, description: t.name }))}
              emptyLabel="(default: user)"
              onChange={(v) => set('kind', v)}
            />
            <SelectField label="Boundary" value={actor.boundary} disabled={readOnly} options={boundaryOptions(new Set())} emptyLabel="(outside every boundary)" onChange={(v) => set('boundary', v)} />
            {tail}
          </>
        );
      } else if (boundary) {
        title = `Boundary ${id}`;
        const exclude = descendantBoundaries(model, id);
        exclude.add(id);
        body = (
          <>
            {common}
            <TextField label="Kind" value={boundary.kind} disabled={readOnly} hint="For example vpc, subnet, network." onChange={(v) => set('kind', v, true)} />
            <SelectField label="Trust" value={boundary.trust} disabled={readOnly} options={schema.trust} emptyLabel="(not set)" onChange={(v) => set('trust', v)} />
            <SelectField label="Parent boundary" value={boundary.parent} disabled={readOnly} options={boundaryOptions(exclude)} emptyLabel="(top level)" onChange={(v) => set('parent', v)} />
            {tail}
          </>
        );
      }
    }
  }
  if (!body) {
    title = 'Model';
    const set = (field: string, value: unknown, typing = false) => onChange(setField(modelNow(), field, value), typing ? `model.${field}` : undefined);
    body = (
      <>
        <TextField label="Model name" value={model.name} disabled={readOnly} onChange={(v) => onChange({ ...modelNow(), name: v }, 'model.name')} />
        <TextField label="Description" value={model.description} disabled={readOnly} multiline onChange={(v) => set('description', v, true)} />
        <Checklist label="Model-wide controls" items={controls} selected={model.controls} disabled={readOnly} searchable onChange={(v) => set('controls', v)} />
        <DataAssets model={model} catalog={catalog} schema={schema} readOnly={readOnly} onChange={onChange} onRename={props.onRename} validateId={validateId} />
      </>
    );
  }
  return (
    <aside className="ed-properties" data-testid="properties-panel" aria-label="Properties">
      <h2 className="ed-panel-title">{title}</h2>
      {readOnly ? <p className="ed-hint">Read-only.</p> : null}
      <div className="ed-properties-body" key={selectionKey(selection)}>
        {body}
      </div>
    </aside>
  );
});

/** Identity of a selection: the panel's fields are made anew when it changes. */
function selectionKey(selection: Selection): string {
  switch (selection.kind) {
    case 'none':
      return 'none';
    case 'multi':
      return `multi:${selection.ids.join('\n')}`;
    default:
      return `${selection.kind}:${selection.id}`;
  }
}
