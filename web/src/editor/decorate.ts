// Builds the xyflow nodes and edges of a model: geometry from convert.ts,
// plus what the node components show (type name, icon, severity badge,
// threat highlight, diff mark). Decorations are primitives so that
// reconcile() can keep unchanged nodes.

import { MarkerType } from '@xyflow/react';
import { modelToEdges, modelToNodes } from './model/convert';
import { flowLabel, flowSecurity } from './model/flowStyle';
import { badgeText, rollupDescription, type Rollup } from './model/severity';
import type { EditorModel, Layout } from './model/types';
import type { DiffMark, ElementNode, FlowEdge } from './nodeTypes';
import type { IconCategory } from './icons';

/** Shared so that reconcile() sees an unchanged edge as equal. */
const ARROW = { type: MarkerType.ArrowClosed, width: 16, height: 16 };

export interface CatalogIndex {
  types: Map<string, { name: string; category: IconCategory; domain: string }>;
  actors: Map<string, string>;
  protocolEncrypted: Map<string, boolean>;
}

export interface CatalogInput {
  component_types: { id: string; name: string; category: string; domain: string }[];
  actor_types: { id: string; name: string }[];
  protocols: { id: string; encrypted: boolean }[];
}

export function indexCatalog(catalog: CatalogInput): CatalogIndex {
  const types = new Map<string, { name: string; category: IconCategory; domain: string }>();
  for (const t of catalog.component_types) {
    const category: IconCategory = t.category === 'datastore' || t.category === 'external' ? t.category : 'process';
    types.set(t.id, { name: t.name, category, domain: t.domain });
  }
  const actors = new Map<string, string>();
  for (const a of catalog.actor_types) actors.set(a.id, a.name);
  const protocolEncrypted = new Map<string, boolean>();
  for (const p of catalog.protocols) protocolEncrypted.set(p.id, p.encrypted);
  return { types, actors, protocolEncrypted };
}

export interface Decorations {
  rollup?: ReadonlyMap<string, Rollup>;
  /** The selected threat's target (element or flow id). */
  threatTarget?: string;
  diff?: Readonly<Record<string, DiffMark>>;
  readOnly: boolean;
}

export function buildNodes(model: EditorModel, layout: Layout, catalog: CatalogIndex, deco: Decorations): ElementNode[] {
  return modelToNodes(model, layout).map((n) => {
    const el = n.data.element;
    let typeName = 'Trust boundary';
    let category: IconCategory = 'boundary';
    let domain = '';
    if (n.data.kind === 'component') {
      const kind = typeof el.kind === 'string' ? el.kind : '';
      const t = catalog.types.get(kind);
      typeName = t?.name ?? kind;
      category = t?.category ?? 'process';
      domain = t?.domain ?? '';
    } else if (n.data.kind === 'actor') {
      const kind = typeof el.kind === 'string' ? el.kind : 'user';
      typeName = catalog.actors.get(kind) ?? kind;
      category = 'actor';
    } else if (typeof el.kind === 'string' && el.kind) {
      typeName = el.kind;
    }
    const r = deco.rollup?.get(n.id);
    const node: ElementNode = {
      ...n,
      data: {
        ...n.data,
        typeName,
        category,
        domain,
        level: r?.level ?? 'none',
        badge: badgeText(r),
        sevText: rollupDescription(r),
        threatTarget: deco.threatTarget === n.id,
        readOnly: deco.readOnly,
      },
    };
    const mark = deco.diff?.[n.id];
    if (mark) node.data.diff = mark;
    return node;
  });
}

export function buildEdges(model: EditorModel, catalog: CatalogIndex, deco: Decorations): FlowEdge[] {
  return modelToEdges(model).map((e) => {
    const security = flowSecurity(e.data.flow, catalog.protocolEncrypted);
    const r = deco.rollup?.get(e.data.flowId);
    const edge: FlowEdge = {
      ...e,
      markerEnd: ARROW,
      data: {
        ...e.data,
        security,
        label: flowLabel(e.data.flow, security),
        level: r?.level ?? 'none',
        badge: badgeText(r),
        threatTarget: deco.threatTarget === e.data.flowId,
      },
    };
    const mark = deco.diff?.[e.data.flowId];
    if (mark && edge.data) edge.data.diff = mark;
    return edge;
  });
}
