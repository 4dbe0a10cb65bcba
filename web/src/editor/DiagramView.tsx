// A read-only diagram of a model, for the history and diff views. Elements in
// `highlight` get a coloured outline AND a text badge; removed ones are faded
// and dashed.

import { useCallback, useEffect, useMemo, useState } from 'react';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, applyNodeChanges, type NodeChange } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './editor.css';

import { getCatalog } from '../api/cache';
import type { ModelJson } from '../model/types';
import { buildEdges, buildNodes, indexCatalog, type Decorations } from './decorate';
import { completeLayout } from './model/layout';
import { reconcile } from './model/convert';
import type { EditorModel } from './model/types';
import { edgeTypes, nodeTypes, type DiffMark, type ElementNode, type FlowEdge } from './nodeTypes';

export interface DiagramViewProps {
  model: ModelJson;
  highlight?: Record<string, DiffMark>;
  selectedId?: string;
  onSelect?(id: string): void;
}

const NO_CATALOG = indexCatalog({ component_types: [], actor_types: [], protocols: [] });

export function DiagramView(props: DiagramViewProps) {
  return (
    <ReactFlowProvider>
      <DiagramViewInner {...props} />
    </ReactFlowProvider>
  );
}

function DiagramViewInner({ model: modelProp, highlight, selectedId, onSelect }: DiagramViewProps) {
  const model = modelProp as unknown as EditorModel;
  // Type names and icons come from the catalog when it is available (cached per session).
  const [catalog, setCatalog] = useState(NO_CATALOG);
  useEffect(() => {
    let live = true;
    getCatalog()
      .then((c) => live && setCatalog(indexCatalog(c)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const layout = useMemo(() => completeLayout(model, model.layout), [model]);
  const deco: Decorations = useMemo(() => ({ readOnly: true, diff: highlight }), [highlight]);
  const build = useCallback(
    () => ({
      nodes: buildNodes(model, layout, catalog, deco).map((n) => (n.id === selectedId ? { ...n, selected: true } : n)),
      edges: buildEdges(model, catalog, deco).map((e) => (e.data?.flowId === selectedId ? { ...e, selected: true } : e)),
    }),
    [catalog, deco, layout, model, selectedId],
  );
  const [state, setState] = useState(build);
  useEffect(() => {
    setState((prev) => {
      const next = build();
      return { nodes: reconcile(prev.nodes, next.nodes, ['measured']), edges: reconcile(prev.edges, next.edges, []) };
    });
  }, [build]);
  const onNodesChange = useCallback((changes: NodeChange<ElementNode>[]) => {
    const dims = changes.filter((c) => c.type === 'dimensions');
    if (dims.length > 0) setState((s) => ({ ...s, nodes: applyNodeChanges(dims, s.nodes) }));
  }, []);
  return (
    <div className="ed-diagram-view" data-testid="diagram-view">
      <ReactFlow<ElementNode, FlowEdge>
        nodes={state.nodes}
        edges={state.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={Boolean(onSelect)}
        deleteKeyCode={null}
        onNodeClick={(_e, n) => onSelect?.(n.id)}
        onEdgeClick={(_e, e) => onSelect?.(e.data?.flowId ?? e.id)}
        onlyRenderVisibleElements
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.1 }}
        minZoom={0.05}
        aria-label="Diagram (read-only)"
      >
        <Background gap={20} />
        <MiniMap pannable zoomable ariaLabel="Overview of the diagram" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
