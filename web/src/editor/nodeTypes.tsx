// Custom xyflow nodes (components, actors, boundaries) and the flow edge.
// Memoised: a node re-renders only when its own data object changes.

import { createContext, memo, useContext } from 'react';
import {
  BaseEdge,
  EdgeLabelRenderer,
  Handle,
  NodeResizer,
  Position,
  getBezierPath,
  useInternalNode,
  useStore,
  type InternalNode,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { CategoryIcon, DomainGlyph, SeverityGlyph, type IconCategory } from './icons';
import { LEVEL_COLOURS, LEVEL_NAMES } from './severityStyle';
import type { DiagramEdgeData, DiagramNodeData } from './model/convert';
import { labelAboveElements, type FlowSecurity } from './model/flowStyle';

export type DiffMark = 'added' | 'removed' | 'changed';

export type ElementNodeData = DiagramNodeData & {
  typeName: string;
  category: IconCategory;
  domain: string;
  level: string;
  badge: string;
  sevText: string;
  threatTarget: boolean;
  diff?: DiffMark;
  readOnly: boolean;
};

export type FlowEdgeData = DiagramEdgeData & {
  security: FlowSecurity;
  label: string;
  level: string;
  badge: string;
  threatTarget: boolean;
  diff?: DiffMark;
};

export type ElementNode = Node<ElementNodeData>;
export type FlowEdge = Edge<FlowEdgeData>;

export interface NodeActions {
  onResizeStart(id: string): void;
  onResizeEnd(id: string): void;
}

/** True while exporting: every edge label is drawn, whatever the zoom. */
export const AllLabelsContext = createContext(false);

export const NodeActionsContext = createContext<NodeActions>({ onResizeStart: () => undefined, onResizeEnd: () => undefined });

function displayName(data: ElementNodeData, id: string): string {
  const n = data.element.name;
  return typeof n === 'string' && n ? n : id;
}

function Badges({ data }: { data: ElementNodeData }) {
  return (
    <span className="ed-node-badges">
      {data.badge ? (
        <span className={`ed-badge ed-sev-${data.level}`} title={data.sevText} aria-label={`${LEVEL_NAMES[data.level] ?? ''} risk: ${data.sevText}`}>
          <SeverityGlyph level={data.level} />
          {data.badge}
        </span>
      ) : null}
      {data.diff ? <span className={`ed-diff-badge ed-diff-${data.diff}`}>{data.diff}</span> : null}
      {data.threatTarget ? <span className="ed-target-badge">threat target</span> : null}
    </span>
  );
}

function ElementBody({ id, data, selected }: { id: string; data: ElementNodeData; selected: boolean }) {
  const classes = [
    'ed-node',
    `ed-node-${data.kind}`,
    `ed-cat-${data.category}`,
    `ed-level-${data.level}`,
    selected ? 'is-selected' : '',
    data.threatTarget ? 'is-threat-target' : '',
    data.diff ? `is-diff-${data.diff}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const colour = LEVEL_COLOURS[data.level] ?? LEVEL_COLOURS.none;
  return (
    <div
      className={classes}
      data-testid={`node-${id}`}
      style={{ borderColor: data.level === 'none' ? undefined : colour }}
      title={`${displayName(data, id)} (${data.typeName}): ${data.sevText}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={!data.readOnly} />
      <span className="ed-node-icon" style={{ color: colour }}>
        <CategoryIcon category={data.category} size={22} />
      </span>
      <span className="ed-node-text">
        <span className="ed-node-name">{displayName(data, id)}</span>
        <span className="ed-node-type">
          <DomainGlyph domain={data.domain} /> {data.typeName}
        </span>
      </span>
      <Badges data={data} />
      <Handle type="source" position={Position.Right} isConnectable={!data.readOnly} />
    </div>
  );
}

export const ComponentNode = memo(function ComponentNode({ id, data, selected }: NodeProps<ElementNode>) {
  return <ElementBody id={id} data={data} selected={selected} />;
});

export const ActorNode = memo(function ActorNode({ id, data, selected }: NodeProps<ElementNode>) {
  return <ElementBody id={id} data={data} selected={selected} />;
});

export const BoundaryNode = memo(function BoundaryNode({ id, data, selected }: NodeProps<ElementNode>) {
  const actions = useContext(NodeActionsContext);
  const trust = typeof data.element.trust === 'string' ? data.element.trust : '';
  const classes = [
    'ed-boundary',
    trust ? `ed-trust-${trust}` : '',
    selected ? 'is-selected' : '',
    data.threatTarget ? 'is-threat-target' : '',
    data.diff ? `is-diff-${data.diff}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} data-testid={`node-${id}`}>
      <NodeResizer
        isVisible={selected && !data.readOnly}
        minWidth={120}
        minHeight={80}
        color="#2563eb"
        onResizeStart={() => actions.onResizeStart(id)}
        onResizeEnd={() => actions.onResizeEnd(id)}
      />
      <div className="ed-boundary-label">
        <span className="ed-boundary-name">{displayName(data, id)}</span>
        {trust ? <span className="ed-boundary-trust">{trust}</span> : null}
        <Badges data={data} />
      </div>
    </div>
  );
});

function nodeBox(n: InternalNode<ElementNode>): { x: number; y: number; w: number; h: number } {
  const p = n.internals.positionAbsolute;
  return { x: p.x, y: p.y, w: n.measured.width ?? n.width ?? 0, h: n.measured.height ?? n.height ?? 0 };
}

/** Where the line between two node centres crosses each node's border, and on which side. */
function floatingEnds(a: InternalNode<ElementNode>, b: InternalNode<ElementNode>) {
  const ra = nodeBox(a);
  const rb = nodeBox(b);
  const ca = { x: ra.x + ra.w / 2, y: ra.y + ra.h / 2 };
  const cb = { x: rb.x + rb.w / 2, y: rb.y + rb.h / 2 };
  const side = (r: typeof ra, c: { x: number; y: number }, toward: { x: number; y: number }) => {
    const dx = toward.x - c.x;
    const dy = toward.y - c.y;
    // Compare the direction with the box's aspect: leave through the side the line meets first.
    if (Math.abs(dx) * r.h > Math.abs(dy) * r.w) {
      return dx > 0 ? { x: r.x + r.w, y: c.y, pos: Position.Right } : { x: r.x, y: c.y, pos: Position.Left };
    }
    return dy > 0 ? { x: c.x, y: r.y + r.h, pos: Position.Bottom } : { x: c.x, y: r.y, pos: Position.Top };
  };
  const s = side(ra, ca, cb);
  const t = side(rb, cb, ca);
  return { sourceX: s.x, sourceY: s.y, sourcePosition: s.pos, targetX: t.x, targetY: t.y, targetPosition: t.pos };
}

const DASH: Record<FlowSecurity, string | undefined> = {
  secure: undefined,
  unauthenticated: '7 5',
  unencrypted: '2 4',
};

/** A short flow's label is drawn above the elements at its ends (a selected element, at 1000 and more, still comes first). */
const RAISED_LABEL_Z = 500;

/** Edge labels are hidden when zoomed far out (unreadable there, and costly with thousands of flows). */
const labelsVisible = (s: { transform: [number, number, number] }) => s.transform[2] >= 0.45;

export const FlowEdgeView = memo(function FlowEdgeView(props: EdgeProps<FlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const zoomedIn = useStore(labelsVisible);
  const allLabels = useContext(AllLabelsContext);
  // Floating ends: the edge leaves and enters each node on the side facing the other node.
  const sourceNode = useInternalNode<ElementNode>(props.source);
  const targetNode = useInternalNode<ElementNode>(props.target);
  const ends = sourceNode && targetNode && props.source !== props.target ? floatingEnds(sourceNode, targetNode) : undefined;
  // The label layer comes after the edges and before the elements: at its
  // edge's own z-index (xyflow lifts an edge to the depth of a nested
  // element at either end) the label is above its line and under elements.
  const edgeZ = Math.max(
    sourceNode?.parentId ? sourceNode.internals.z : 0,
    targetNode?.parentId ? targetNode.internals.z : 0,
  );
  const geometry = ends ?? { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition };
  const [path, labelX, labelY] = getBezierPath(geometry);
  const level = data?.level ?? 'none';
  const emphasis = selected || data?.threatTarget;
  const stroke = data?.diff === 'added' ? '#1b7f3b' : data?.diff === 'removed' ? '#8e1b1b' : data?.diff === 'changed' ? '#7c3aed' : LEVEL_COLOURS[level];
  const parts = [data?.label ?? ''];
  if (data?.badge) parts.push(data.badge);
  if (data?.diff) parts.push(data.diff);
  if (data?.threatTarget) parts.push('threat target');
  const label = allLabels || zoomedIn || emphasis || data?.diff ? parts.filter(Boolean).join(' · ') : '';
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={`ed-edge ed-edge-${data?.security ?? 'secure'}${data?.diff === 'removed' ? ' is-removed' : ''}`}
        style={{
          stroke,
          strokeWidth: emphasis ? 3.5 : 1.6,
          strokeDasharray: data?.diff === 'removed' ? '4 4' : data ? DASH[data.security] : undefined,
          opacity: data?.diff === 'removed' ? 0.6 : 1,
        }}
        interactionWidth={14}
      />
      {label ? (
        // HTML in xyflow's label layer; a short flow's label goes above the
        // elements at its ends (editor.css), which would otherwise cut it.
        <EdgeLabelRenderer>
          <div
            className="ed-flow-label"
            style={{
              transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`,
              zIndex: labelAboveElements(label, { x: geometry.sourceX, y: geometry.sourceY }, { x: geometry.targetX, y: geometry.targetY })
                ? RAISED_LABEL_Z
                : edgeZ,
            }}>
            {label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
});

export const nodeTypes = { component: ComponentNode, actor: ActorNode, boundary: BoundaryNode };
export const edgeTypes = { flow: FlowEdgeView };
