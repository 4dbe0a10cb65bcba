// The diagram editor: palette, canvas, properties, live threats, history,
// clipboard, layout tools, export and save with conflict handling.

import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent } from 'react';
import { useBlocker } from 'react-router';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './editor.css';

import { ApiError } from '../api/client';
import type { Catalog } from '../api/types';
import type { ModelJson } from '../model/types';
import { cachedAccounts } from '../threats/accounts';
import { ThreatPanel } from '../threats/ThreatPanel';
import type { FullThreat, ThreatPreview } from '../threats/types';
import { buildEdges, buildNodes, indexCatalog, type Decorations } from './decorate';
import { FarView } from './FarView';
import { buildScene, hitTest, type Highlight, type Scene } from './lod';
import { ConflictDialog, LeaveDialog, SaveDialog, ShortcutsDialog } from './dialogs';
import { analyseThreat, fetchHead, fetchVersionModel, saveModel, type HeadInfo } from './editorApi';
import { download, exportDiagram, fileNameFor } from './exportImage';
import { AllLabelsContext, NodeActionsContext, edgeTypes, nodeTypes, type ElementNode, type FlowEdge, type NodeActions } from './nodeTypes';
import { Palette } from './Palette';
import { CategoryIcon } from './icons';
import { PropertiesPanel, type Selection } from './PropertiesPanel';
import { useLiveAnalysis } from './useLiveAnalysis';
import { LEVEL_COLOURS } from './severityStyle';
import { align, distribute, type AlignMode, type DistributeAxis } from './model/align';
import { copySelection, pasteClip, type Clip } from './model/clipboard';
import { nodesToLayout, orderedElements, reconcile } from './model/convert';
import { defaultSize, kindIndex, rectOf, union } from './model/geometry';
import { UndoStack } from './model/history';
import { autoLayout, completeLayout } from './model/layout';
import { boundaryAt, enclosedBy, updateMembership } from './model/membership';
import { addElement, addFlow, deleteIds, mergeLayout, renameId } from './model/ops';
import type { PaletteEntry } from './model/palette';
import { readSchema } from './model/schema';
import { rollupByTarget } from './model/severity';
import { BOUNDARY_HEADER, BOUNDARY_PADDING, type EditorModel, type Layout, type LayoutEntry } from './model/types';

export type Role = 'viewer' | 'developer' | 'security-architect' | 'admin';

export interface EditorProps {
  modelId: string;
  model: ModelJson;
  version: number;
  etag: string;
  catalog: Catalog;
  schema: unknown;
  role: Role;
  onSaved(r: { version: number; etag: string }): void;
}

export function Editor(props: EditorProps) {
  return (
    <ReactFlowProvider>
      <EditorInner {...props} />
    </ReactFlowProvider>
  );
}

/** Analysis debounce while typing, and after a discrete change (ms). */
const TYPING_DELAY = 250;
const QUICK_DELAY = 0;

const FIT_OPTIONS = { maxZoom: 1, padding: 0.1 };

const EMPTY_SCENE: Scene = { boxes: [], lines: [], bounds: undefined };

const EMPTY_SUMMARY = { components: 0, flows: 0, threats: 0, unresolved: 0, critical: 0, high: 0, medium: 0, low: 0, risk_score: 0 };

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.closest('[role="dialog"]') !== null;
}

/** Fills in positions for elements the layout lacks, so that saved models keep what the user saw. */
function materialise(model: EditorModel, known: Layout): EditorModel {
  const kinds = kindIndex(model);
  const current = model.layout ?? {};
  let missing = false;
  for (const id of kinds.keys()) {
    if (!current[id]) {
      missing = true;
      break;
    }
  }
  if (!missing) return model;
  const complete = completeLayout(model, { ...known, ...current });
  return { ...model, layout: { ...current, ...complete } };
}

function EditorInner({ modelId, model: modelProp, version, etag, catalog, schema, role, onSaved }: EditorProps) {
  const readOnly = role === 'viewer';
  const canDecide = role === 'security-architect' || role === 'admin';
  const canPropose = role !== 'viewer';
  const flow = useReactFlow<ElementNode, FlowEdge>();
  const schemaInfo = useMemo(() => readSchema(schema), [schema]);
  const catIndex = useMemo(() => indexCatalog(catalog), [catalog]);

  // ---- the model, its saved baseline and history ----
  const initial = modelProp as unknown as EditorModel;
  const [model, setModel] = useState<EditorModel>(initial);
  const [baseline, setBaseline] = useState<EditorModel>(initial);
  const [baseEtag, setBaseEtag] = useState(etag);
  const [savedVersion, setSavedVersion] = useState(version);
  const modelRef = useRef(model);
  const baselineRef = useRef(baseline);
  baselineRef.current = baseline;
  const history = useRef(new UndoStack<EditorModel>(200));
  const lastCommit = useRef<{ key?: string; at: number }>({ at: 0 });
  const analysisDelay = useRef(0);
  /** Sends a model to the live analysis at once (set below, once the hook exists). */
  const sendNow = useRef<(m: EditorModel) => void>(() => undefined);
  const [, setHistoryTick] = useState(0);

  useEffect(() => {
    const incoming = modelProp as unknown as EditorModel;
    if (incoming === baselineRef.current) return;
    if (JSON.stringify(incoming) === JSON.stringify(baselineRef.current)) return;
    modelRef.current = incoming;
    setModel(incoming);
    setBaseline(incoming);
    history.current.clear();
    setHistoryTick((t) => t + 1);
  }, [modelProp]);
  useEffect(() => setBaseEtag(etag), [etag]);
  useEffect(() => setSavedVersion(version), [version]);

  // Positions of elements without a stored layout, kept stable between changes.
  const knownLayout = useRef<Layout>({});
  const layout = useMemo(() => {
    const l = completeLayout(model, { ...knownLayout.current, ...(model.layout ?? {}) });
    knownLayout.current = l;
    return l;
  }, [model]);
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  const setCurrent = useCallback((next: EditorModel) => {
    modelRef.current = next;
    setModel(next);
  }, []);

  /** Applies a change as one undo step; typing in one field (same key within 1.5 s) merges into one step. */
  const commit = useCallback(
    (next: EditorModel, key?: string) => {
      const cur = modelRef.current;
      if (next === cur) return;
      const now = Date.now();
      const merge = key !== undefined && lastCommit.current.key === key && now - lastCommit.current.at < 1500;
      if (!merge) history.current.push(cur);
      // Typing (repeated edits of one field) waits for a pause; single changes analyse almost at once.
      analysisDelay.current = merge ? TYPING_DELAY : QUICK_DELAY;
      lastCommit.current = { key, at: now };
      const final = materialise(next, knownLayout.current);
      setCurrent(final);
      // A single change goes to the server now, while React renders it.
      if (!merge) sendNow.current(final);
      setHistoryTick((t) => t + 1);
    },
    [setCurrent],
  );

  const undo = useCallback(() => {
    const prev = history.current.undo(modelRef.current);
    if (prev === undefined) return;
    lastCommit.current = { at: 0 };
    analysisDelay.current = QUICK_DELAY;
    setCurrent(prev);
    sendNow.current(prev);
    setHistoryTick((t) => t + 1);
  }, [setCurrent]);

  const redo = useCallback(() => {
    const next = history.current.redo(modelRef.current);
    if (next === undefined) return;
    lastCommit.current = { at: 0 };
    analysisDelay.current = QUICK_DELAY;
    setCurrent(next);
    sendNow.current(next);
    setHistoryTick((t) => t + 1);
  }, [setCurrent]);

  const dirty = model !== baseline;

  // ---- live analysis and threat selection ----
  const analysis = useLiveAnalysis(modelId, model, analysisDelay);
  sendNow.current = analysis.sendNow;
  const threats: ThreatPreview[] = useMemo(() => analysis.result?.threats ?? [], [analysis.result]);
  const rollup = useMemo(() => rollupByTarget(threats), [threats]);
  const [selectedThreatId, setSelectedThreatId] = useState<string | undefined>(undefined);
  const selectedThreat = useMemo(() => threats.find((t) => t.id === selectedThreatId), [threats, selectedThreatId]);
  const threatTarget = selectedThreat && (selectedThreat.target_kind === 'element' || selectedThreat.target_kind === 'flow') ? selectedThreat.target : undefined;
  const deco: Decorations = useMemo(() => ({ rollup, threatTarget, readOnly }), [rollup, threatTarget, readOnly]);

  // ---- xyflow nodes and edges, rebuilt from the model ----
  const [nodes, setNodes] = useState<ElementNode[]>(() => buildNodes(model, layout, catIndex, deco));
  const [edges, setEdges] = useState<FlowEdge[]>(() => buildEdges(model, catIndex, deco));
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  // Fit the view on open only when there is something to fit (else the first drop would jump).
  const fitOnOpen = useRef(nodes.length > 0);
  const interacting = useRef(false);
  const [rebuildTick, setRebuildTick] = useState(0);
  const pendingSelect = useRef<Set<string> | null>(null);

  useEffect(() => {
    if (interacting.current) return;
    const want = pendingSelect.current;
    pendingSelect.current = null;
    setNodes((prev) => {
      let next = reconcile(prev, buildNodes(model, layout, catIndex, deco));
      if (want) next = next.map((n) => (Boolean(n.selected) === want.has(n.id) ? n : { ...n, selected: want.has(n.id) }));
      return next;
    });
    setEdges((prev) => {
      let next = reconcile(prev, buildEdges(model, catIndex, deco));
      if (want) next = next.map((e) => (Boolean(e.selected) === want.has(e.id) ? e : { ...e, selected: want.has(e.id) }));
      return next;
    });
  }, [model, layout, catIndex, deco, rebuildTick]);

  const onNodesChange = useCallback((changes: NodeChange<ElementNode>[]) => {
    const kept = changes.filter((c) => c.type !== 'remove' && c.type !== 'add' && c.type !== 'replace');
    if (kept.length > 0) setNodes((nds) => applyNodeChanges(kept, nds));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    const kept = changes.filter((c) => c.type === 'select');
    if (kept.length > 0) setEdges((eds) => applyEdgeChanges(kept, eds));
  }, []);

  // ---- selection ----
  const [selected, setSelected] = useState<{ nodes: string[]; edges: string[] }>({ nodes: [], edges: [] });
  const onSelectionChange = useCallback(({ nodes: ns, edges: es }: OnSelectionChangeParams<ElementNode, FlowEdge>) => {
    setSelected((prev) => {
      const n = ns.map((x) => x.id);
      const e = es.map((x) => x.data?.flowId ?? x.id);
      if (n.length === prev.nodes.length && e.length === prev.edges.length && n.every((x, i) => x === prev.nodes[i]) && e.every((x, i) => x === prev.edges[i])) return prev;
      return { nodes: n, edges: e };
    });
  }, []);
  const selection: Selection = useMemo(() => {
    const total = selected.nodes.length + selected.edges.length;
    if (total === 0) return { kind: 'none' };
    if (total > 1) return { kind: 'multi', ids: [...selected.nodes, ...selected.edges] };
    if (selected.nodes.length === 1) return { kind: 'element', id: selected.nodes[0] as string };
    return { kind: 'flow', id: selected.edges[0] as string };
  }, [selected]);

  const selectIds = useCallback((ids: Iterable<string>) => {
    const want = new Set(ids);
    setNodes((nds) => nds.map((n) => (Boolean(n.selected) === want.has(n.id) ? n : { ...n, selected: want.has(n.id) })));
    setEdges((eds) => eds.map((e) => {
      const on = want.has(e.id) || (e.data !== undefined && want.has(e.data.flowId));
      return Boolean(e.selected) === on ? e : { ...e, selected: on };
    }));
  }, []);

  // ---- moving and resizing ----
  const descendantsOf = useCallback((roots: ReadonlySet<string>, all: readonly ElementNode[]): Set<string> => {
    const parent = new Map<string, string | undefined>();
    for (const n of all) parent.set(n.id, n.parentId);
    const out = new Set<string>(roots);
    for (const n of all) {
      let cur = n.parentId;
      const seen = new Set<string>();
      while (cur !== undefined && !seen.has(cur)) {
        if (roots.has(cur)) {
          out.add(n.id);
          break;
        }
        seen.add(cur);
        cur = parent.get(cur);
      }
    }
    return out;
  }, []);

  const commitPositions = useCallback(
    (all: readonly ElementNode[], moved: ReadonlySet<string>, membershipIds: Iterable<string>) => {
      const cur = modelRef.current;
      const affected = descendantsOf(moved, all);
      const entries = nodesToLayout(all, { ...layoutRef.current, ...(cur.layout ?? {}) }, affected);
      let next = mergeLayout(cur, entries);
      const full = { ...layoutRef.current, ...entries };
      next = updateMembership(next, full, membershipIds).model;
      commit(next);
      setRebuildTick((t) => t + 1);
    },
    [commit, descendantsOf],
  );

  const onNodeDragStart = useCallback(() => {
    interacting.current = true;
  }, []);
  const onNodeDragStop = useCallback(
    (_e: unknown, _node: ElementNode, dragged: ElementNode[]) => {
      interacting.current = false;
      const byId = new Map(dragged.map((n) => [n.id, n]));
      const all = nodesRef.current.map((n) => {
        const d = byId.get(n.id);
        return d ? { ...n, position: d.position } : n;
      });
      commitPositions(all, new Set(byId.keys()), byId.keys());
    },
    [commitPositions],
  );

  const nodeActions: NodeActions = useMemo(
    () => ({
      onResizeStart: () => {
        interacting.current = true;
      },
      onResizeEnd: (id: string) => {
        // Let the resizer's last dimension change land first.
        requestAnimationFrame(() => {
          interacting.current = false;
          const all = nodesRef.current;
          const me = all.find((n) => n.id === id);
          // The boundary itself, its contents (which may now be outside), and
          // the siblings it now encloses.
          const abs = nodesToLayout(all, layoutRef.current, new Set(all.filter((n) => n.id === id || n.parentId === me?.parentId).map((n) => n.id)));
          const full = { ...layoutRef.current, ...abs };
          const siblings = all.filter((n) => n.id !== id && n.parentId === me?.parentId).map((n) => n.id);
          const contents = all.filter((n) => n.parentId === id).map((n) => n.id);
          commitPositions(all, new Set([id]), [id, ...contents, ...enclosedBy(modelRef.current, full, id, siblings)]);
        });
      },
    }),
    [commitPositions],
  );

  // ---- adding elements and flows ----
  const wrapper = useRef<HTMLDivElement>(null);
  const addFromPalette = useCallback(
    (entry: PaletteEntry, centre: { x: number; y: number }) => {
      if (readOnly) return;
      const cur = modelRef.current;
      const size = defaultSize(entry.kind);
      const rect = { x: centre.x - size.width / 2, y: centre.y - size.height / 2, ...size };
      const container = boundaryAt(cur, layoutRef.current, rect);
      const r = addElement(cur, {
        kind: entry.kind,
        type: entry.kind === 'boundary' ? undefined : entry.type,
        name: entry.kind === 'boundary' ? 'Trust boundary' : entry.name,
        idBase: entry.kind === 'boundary' ? 'boundary' : entry.type,
        container,
        position: { x: rect.x, y: rect.y },
        size,
      });
      let next = r.model;
      if (entry.kind === 'boundary') {
        // A boundary drawn over elements encloses them (those at its own level).
        const full = { ...layoutRef.current, ...(next.layout ?? {}) };
        const siblings = orderedElements(next)
          .filter((el) => el.id !== r.id && el.container === container)
          .map((el) => el.id);
        const captured = enclosedBy(next, full, r.id, siblings);
        next = updateMembership(next, full, captured).model;
        // Grow the new boundary so that what it encloses fits inside.
        const own = full[r.id];
        if (own && captured.length > 0) {
          const rects = captured.map((id) => {
            const e = full[id] as LayoutEntry;
            const k = rectOf(e, kindIndex(next).get(id) ?? 'component');
            return { x: k.x - BOUNDARY_PADDING, y: k.y - BOUNDARY_PADDING - BOUNDARY_HEADER, width: k.width + 2 * BOUNDARY_PADDING, height: k.height + 2 * BOUNDARY_PADDING + BOUNDARY_HEADER };
          });
          const u = union([rectOf(own, 'boundary'), ...rects]);
          if (u) next = mergeLayout(next, { [r.id]: { x: Math.round(u.x), y: Math.round(u.y), width: Math.round(u.width), height: Math.round(u.height) } });
        }
      }
      pendingSelect.current = new Set([r.id]);
      commit(next);
    },
    [commit, readOnly],
  );

  // Dragging a palette entry: pointer events (mouse, pen, touch), a ghost
  // follows the pointer, and releasing over the canvas adds the element there.
  const [ghost, setGhost] = useState<{ entry: PaletteEntry; x: number; y: number } | null>(null);
  const startPaletteDrag = useCallback(
    (entry: PaletteEntry, down: ReactPointerEvent<HTMLElement>) => {
      if (readOnly) return;
      down.preventDefault();
      const start = { x: down.clientX, y: down.clientY };
      let dragging = false;
      const move = (e: PointerEvent) => {
        if (!dragging && Math.hypot(e.clientX - start.x, e.clientY - start.y) < 4) return;
        dragging = true;
        setGhost({ entry, x: e.clientX, y: e.clientY });
      };
      const finish = (e: PointerEvent) => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', finish);
        window.removeEventListener('pointercancel', cancel);
        setGhost(null);
        if (!dragging) return;
        const box = wrapper.current?.getBoundingClientRect();
        if (!box || e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) return;
        addFromPalette(entry, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      };
      const cancel = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', finish);
        window.removeEventListener('pointercancel', cancel);
        setGhost(null);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', finish);
      window.addEventListener('pointercancel', cancel);
    },
    [addFromPalette, flow, readOnly],
  );
  const addAtCentre = useCallback(
    (entry: PaletteEntry) => {
      const box = wrapper.current?.getBoundingClientRect();
      const centre = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
      addFromPalette(entry, centre);
    },
    [addFromPalette, flow],
  );

  // While panning or zooming, the viewport is its own compositor layer: the
  // browser moves the picture instead of repainting thousands of elements.
  const onMoveStart = useCallback(() => wrapper.current?.classList.add('is-moving'), []);
  const onMoveEnd = useCallback(() => wrapper.current?.classList.remove('is-moving'), []);

  const kinds = useMemo(() => kindIndex(model), [model]);
  const isValidConnection: IsValidConnection<FlowEdge> = useCallback(
    (c) => c.source !== c.target && kinds.get(c.source) !== 'boundary' && kinds.get(c.target) !== 'boundary' && kinds.has(c.source) && kinds.has(c.target),
    [kinds],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !c.source || !c.target || c.source === c.target) return;
      const r = addFlow(modelRef.current, c.source, c.target);
      pendingSelect.current = new Set([r.id]);
      commit(r.model);
    },
    [commit, readOnly],
  );

  // ---- editing commands ----
  const deleteSelection = useCallback(() => {
    if (readOnly) return;
    const ids = [...selected.nodes, ...selected.edges];
    if (ids.length === 0) return;
    commit(deleteIds(modelRef.current, ids));
  }, [commit, readOnly, selected]);

  const clipboard = useRef<{ clip: Clip; pastes: number } | null>(null);
  const copy = useCallback(() => {
    if (selected.nodes.length === 0) return;
    clipboard.current = { clip: copySelection(modelRef.current, selected.nodes), pastes: 0 };
  }, [selected]);
  const paste = useCallback(() => {
    if (readOnly || !clipboard.current) return;
    clipboard.current.pastes += 1;
    const k = clipboard.current.pastes * 40;
    const r = pasteClip(modelRef.current, clipboard.current.clip, { x: k, y: k });
    pendingSelect.current = new Set(r.ids);
    commit(r.model);
  }, [commit, readOnly]);

  const rename = useCallback(
    (from: string, to: string) => {
      const next = renameId(modelRef.current, from, to);
      if (next === modelRef.current) return;
      pendingSelect.current = new Set([to]);
      commit(next);
      setSelectedThreatId(undefined);
    },
    [commit],
  );

  const selectedRects = useCallback(() => {
    const rects = new Map<string, { x: number; y: number; width: number; height: number }>();
    for (const id of selected.nodes) {
      const kind = kinds.get(id);
      const e = layoutRef.current[id];
      if (kind && e) rects.set(id, rectOf(e, kind));
    }
    return rects;
  }, [kinds, selected]);

  const applyMoves = useCallback(
    (moves: Map<string, { x: number; y: number }>) => {
      if (moves.size === 0 || readOnly) return;
      const cur = modelRef.current;
      const entries: Layout = {};
      const full = { ...layoutRef.current, ...(cur.layout ?? {}) };
      // Moving a boundary moves what it contains by the same amount.
      const byParent = new Map<string | undefined, string[]>();
      for (const n of nodesRef.current) {
        const list = byParent.get(n.parentId) ?? [];
        list.push(n.id);
        byParent.set(n.parentId, list);
      }
      const shift = (id: string, dx: number, dy: number) => {
        for (const child of byParent.get(id) ?? []) {
          const e = full[child];
          if (e && !moves.has(child)) {
            entries[child] = { ...e, x: e.x + dx, y: e.y + dy };
            shift(child, dx, dy);
          }
        }
      };
      for (const [id, p] of moves) {
        const e = full[id];
        if (!e) continue;
        entries[id] = { ...e, x: p.x, y: p.y };
        shift(id, p.x - e.x, p.y - e.y);
      }
      let next = mergeLayout(cur, entries);
      next = updateMembership(next, { ...full, ...entries }, moves.keys()).model;
      commit(next);
    },
    [commit, readOnly],
  );
  const onAlign = useCallback((mode: AlignMode) => applyMoves(align(selectedRects(), mode)), [applyMoves, selectedRects]);
  const onDistribute = useCallback((axis: DistributeAxis) => applyMoves(distribute(selectedRects(), axis)), [applyMoves, selectedRects]);

  const runAutoLayout = useCallback(() => {
    if (readOnly) return;
    const cur = modelRef.current;
    commit({ ...cur, layout: { ...(cur.layout ?? {}), ...autoLayout(cur) } });
    requestAnimationFrame(() => requestAnimationFrame(() => void flow.fitView({ ...FIT_OPTIONS, duration: 200 })));
  }, [commit, flow, readOnly]);

  const zoomToFit = useCallback(() => void flow.fitView({ ...FIT_OPTIONS, duration: 200 }), [flow]);

  const [exportError, setExportError] = useState<string | undefined>(undefined);
  // While exporting, every element is rendered and drawn in full (labels too), whatever the zoom.
  const [allLabels, setAllLabels] = useState(false);
  const doExport = useCallback(
    async (format: 'svg' | 'png') => {
      setExportError(undefined);
      // Draw every flow label (they are hidden when zoomed out), then take the picture.
      setAllLabels(true);
      try {
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        // Elements that were off screen are rendered now: wait (a little) until xyflow has measured them.
        for (let i = 0; i < 60 && !flow.getNodes().every((n) => n.measured?.width); i += 1) {
          await new Promise((r) => requestAnimationFrame(r));
        }
        if (!wrapper.current) return;
        const url = await exportDiagram(wrapper.current, flow.getNodes(), format);
        download(url, fileNameFor(modelRef.current.name, format));
      } catch (err) {
        setExportError(err instanceof Error ? err.message : String(err));
      } finally {
        setAllLabels(false);
      }
    },
    [flow],
  );

  // ---- threats panel links ----
  const focusElement = useCallback(
    (id: string) => {
      selectIds([id]);
      const e = layoutRef.current[id];
      const kind = kinds.get(id);
      if (e && kind) {
        const r = rectOf(e, kind);
        void flow.setCenter(r.x + r.width / 2, r.y + r.height / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 250 });
      }
    },
    [flow, kinds, selectIds],
  );

  // Selecting a threat brings its element into view when it is off screen.
  useEffect(() => {
    if (!threatTarget) return;
    const kind = kinds.get(threatTarget);
    const e = layoutRef.current[threatTarget];
    const box = wrapper.current?.getBoundingClientRect();
    if (!kind || !e || !box) return;
    const r = rectOf(e, kind);
    const { x, y, zoom } = flow.getViewport();
    const left = r.x * zoom + x;
    const top = r.y * zoom + y;
    const visible = left >= 0 && top >= 0 && left + r.width * zoom <= box.width && top + r.height * zoom <= box.height;
    if (!visible) void flow.setCenter(r.x + r.width / 2, r.y + r.height / 2, { zoom, duration: 250 });
  }, [threatTarget, flow, kinds]);

  // ---- save ----
  const [saveOpen, setSaveOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | undefined>(undefined);
  const [conflict, setConflict] = useState<HeadInfo | null | undefined>(undefined);
  const pendingMessage = useRef('');

  const doSave = useCallback(
    async (message: string, ifMatch: string) => {
      setSaving(true);
      setSaveError(undefined);
      const toSave = modelRef.current;
      try {
        const r = await saveModel(modelId, ifMatch, message, toSave);
        setBaseline(toSave);
        baselineRef.current = toSave;
        setBaseEtag(r.etag);
        setSavedVersion(r.version);
        setSaveOpen(false);
        setConflict(undefined);
        onSaved(r);
        analysis.rerun();
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          setSaveOpen(false);
          setConflict(null);
          try {
            setConflict(await fetchHead(modelId));
          } catch {
            setConflict(null);
          }
        } else {
          setSaveError(err instanceof Error ? err.message : String(err));
        }
      } finally {
        setSaving(false);
      }
    },
    [analysis, modelId, onSaved],
  );

  const saveAnyway = useCallback(async () => {
    setSaving(true);
    try {
      const head = await fetchHead(modelId);
      await doSave(pendingMessage.current, head.etag);
    } catch (err) {
      setSaveError(err instanceof Error ? err.message : String(err));
      setSaving(false);
    }
  }, [doSave, modelId]);

  const reloadTheirs = useCallback(async () => {
    setSaving(true);
    try {
      const head = await fetchHead(modelId);
      const theirs = await fetchVersionModel(modelId, head.version);
      history.current.clear();
      setCurrent(theirs);
      setBaseline(theirs);
      baselineRef.current = theirs;
      setBaseEtag(head.etag);
      setSavedVersion(head.version);
      setConflict(undefined);
      setHistoryTick((t) => t + 1);
      onSaved({ version: head.version, etag: head.etag });
    } catch (err) {
      setSaveError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  }, [modelId, onSaved, setCurrent]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Leaving for another page of the app with unsaved changes asks first.
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirtyRef.current && currentLocation.pathname !== nextLocation.pathname);

  // ---- keyboard ----
  const [helpOpen, setHelpOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z' && !e.shiftKey) {
        e.preventDefault();
        if (!readOnly) undo();
      } else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) {
        e.preventDefault();
        if (!readOnly) redo();
      } else if (mod && key === 'c') {
        copy();
      } else if (mod && key === 'v') {
        e.preventDefault();
        paste();
      } else if (mod && key === 'a') {
        e.preventDefault();
        selectIds([...nodesRef.current.map((n) => n.id)]);
      } else if ((e.key === 'Delete' || e.key === 'Backspace') && !mod) {
        if (selected.nodes.length + selected.edges.length > 0) {
          e.preventDefault();
          deleteSelection();
        }
      } else if (e.key === '?') {
        e.preventDefault();
        setHelpOpen(true);
      } else if (e.key === 'Escape') {
        selectIds([]);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [copy, deleteSelection, paste, readOnly, redo, selectIds, selected, undo]);

  // ---- a selected threat's full account (the live list is compact), per model revision ----
  const accounts = useMemo(() => cachedAccounts<EditorModel>((m, id, signal) => analyseThreat(modelId, m, id, signal)), [modelId]);
  // A new function per model revision: an open detail view reads the account again.
  const loadThreat = useCallback((id: string, signal: AbortSignal): Promise<FullThreat> => accounts(model, id, signal), [accounts, model]);

  // ---- level of detail: the overview picture when zoomed far out ----
  const [far, setFar] = useState(false);
  const farRef = useRef(far);
  farRef.current = far;
  const scene: Scene = useMemo(() => (far ? buildScene(model, layout, rollup) : EMPTY_SCENE), [far, model, layout, rollup]);
  const highlight: Highlight = useMemo(
    () => ({ selected: new Set([...selected.nodes, ...selected.edges]), threatTarget }),
    [selected, threatTarget],
  );
  // Zoomed far out the elements are a picture: a click selects the element under the pointer.
  const onPaneClick = useCallback(
    (event: ReactMouseEvent) => {
      if (!farRef.current) return;
      const id = hitTest(scene, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
      if (id !== undefined) selectIds([id]);
    },
    [flow, scene, selectIds],
  );

  const summary = analysis.result?.summary ?? EMPTY_SUMMARY;
  const warnings = analysis.result?.warnings ?? [];
  const minimapColour = useCallback((n: ElementNode) => (n.type === 'boundary' ? '#e5e7eb' : LEVEL_COLOURS[n.data.level] ?? '#9ca3af'), []);

  return (
    <div className="ed-root">
      <div className="ed-toolbar" role="toolbar" aria-label="Editor tools">
        <button type="button" onClick={undo} disabled={readOnly || !history.current.canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={redo} disabled={readOnly || !history.current.canRedo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <span className="ed-sep" aria-hidden="true" />
        <button type="button" onClick={runAutoLayout} disabled={readOnly}>
          Auto layout
        </button>
        <button type="button" onClick={zoomToFit}>
          Zoom to fit
        </button>
        <span className="ed-sep" aria-hidden="true" />
        <button type="button" onClick={() => void doExport('svg')}>
          Export SVG
        </button>
        <button type="button" onClick={() => void doExport('png')}>
          Export PNG
        </button>
        <button type="button" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          <span aria-hidden="true">?</span> Shortcuts
        </button>
        <span className="ed-grow" />
        <span className="ed-save-state" aria-live="polite">
          {dirty ? 'Unsaved changes' : `Saved as version ${savedVersion}`}
        </span>
        <button
          type="button"
          className="ed-btn ed-btn-primary"
          disabled={readOnly || !dirty || saving}
          onClick={() => {
            setSaveError(undefined);
            setSaveOpen(true);
          }}
        >
          Save version
        </button>
      </div>
      <div className="ed-main">
        <Palette catalog={catalog} disabled={readOnly} onAdd={addAtCentre} onStartDrag={startPaletteDrag} />
        <div className="ed-canvas" ref={wrapper}>
          <AllLabelsContext.Provider value={allLabels}>
          <NodeActionsContext.Provider value={nodeActions}>
            <ReactFlow<ElementNode, FlowEdge>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onConnect={onConnect}
              isValidConnection={isValidConnection}
              onNodeDragStart={onNodeDragStart}
              onNodeDragStop={onNodeDragStop}
              onSelectionChange={onSelectionChange}
              onMoveStart={onMoveStart}
              onMoveEnd={onMoveEnd}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              elementsSelectable
              deleteKeyCode={null}
              multiSelectionKeyCode="Shift"
              selectionKeyCode="Shift"
              // Only what is on screen is rendered, except when exporting (everything), and in the
              // overview (the elements are hidden there: rendering them all saves mounting and
              // unmounting hundreds of them on every step of a zoom).
              onlyRenderVisibleElements={!allLabels && !far}
              onPaneClick={onPaneClick}
              elevateNodesOnSelect={false}
              fitView={fitOnOpen.current}
              fitViewOptions={FIT_OPTIONS}
              minZoom={0.05}
              maxZoom={2.5}
              aria-label="Diagram"
            >
              <FarView scene={scene} highlight={highlight} container={wrapper} items={nodes.length + edges.length} enabled={!allLabels} onFarChange={setFar} />
              <Background gap={20} />
              <MiniMap pannable zoomable nodeColor={minimapColour} ariaLabel="Overview of the diagram" style={{ width: 150, height: 100 }} />
              <Controls showInteractive={false} />
            </ReactFlow>
          </NodeActionsContext.Provider>
          </AllLabelsContext.Provider>
        </div>
        <PropertiesPanel
          model={model}
          selection={selection}
          catalog={catalog}
          schema={schemaInfo}
          readOnly={readOnly}
          onChange={commit}
          onRename={rename}
          onAlign={onAlign}
          onDistribute={onDistribute}
        />
        <div className="ed-threats">
          <ThreatPanel
            modelId={modelId}
            threats={threats}
            summary={summary}
            selectedThreatId={selectedThreatId}
            onSelectThreat={setSelectedThreatId}
            onSelectElement={focusElement}
            canDecide={canDecide}
            canPropose={canPropose}
            savedVersion={savedVersion}
            onDecisionSaved={analysis.rerun}
            loadThreat={loadThreat}
          />
        </div>
      </div>
      <div className={`ed-status${analysis.problem ? ' is-problem' : ''}`} role="status" aria-live="polite">
        {analysis.problem ? (
          <span>
            <strong>Model not valid:</strong> {analysis.problem} (showing the last valid analysis)
          </span>
        ) : analysis.pending ? (
          <span>Analysing…</span>
        ) : analysis.result ? (
          <span>
            {summary.unresolved} unresolved of {summary.threats} threats · {summary.critical} critical · {summary.high} high · {summary.medium} medium · {summary.low} low
            {warnings.length > 0 ? ` · ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings[0]}` : ''}
          </span>
        ) : (
          <span>Waiting for the first analysis…</span>
        )}
        {exportError ? <span className="ed-error"> Export failed: {exportError}</span> : null}
        <span className="ed-grow" />
        <span className="ed-legend" aria-label="Flow legend">
          <span className="ed-legend-item ed-legend-secure">── authenticated + encrypted</span>
          <span className="ed-legend-item ed-legend-unenc">··· clear text</span>
          <span className="ed-legend-item ed-legend-noauth">- - no auth</span>
        </span>
      </div>
      {saveOpen ? (
        <SaveDialog
          busy={saving}
          error={saveError}
          onClose={() => setSaveOpen(false)}
          onSave={(message) => {
            pendingMessage.current = message;
            void doSave(message, baseEtag);
          }}
        />
      ) : null}
      {conflict !== undefined ? (
        <ConflictDialog
          head={conflict ?? undefined}
          busy={saving}
          error={saveError}
          onReload={() => void reloadTheirs()}
          onKeep={() => setConflict(undefined)}
          onSaveAnyway={() => void saveAnyway()}
        />
      ) : null}
      {ghost ? (
        <div className="ed-drag-ghost" style={{ left: ghost.x, top: ghost.y }} aria-hidden="true">
          <CategoryIcon category={ghost.entry.category} size={18} /> {ghost.entry.name}
        </div>
      ) : null}
      {helpOpen ? <ShortcutsDialog onClose={() => setHelpOpen(false)} /> : null}
      {blocker.state === 'blocked' ? <LeaveDialog onStay={() => blocker.reset()} onLeave={() => blocker.proceed()} /> : null}
    </div>
  );
}
