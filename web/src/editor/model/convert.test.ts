import { describe, expect, it } from 'vitest';
import { absolutePositions, boundaryDepths, modelToEdges, modelToNodes, nodesToLayout, orderedElements, reconcile } from './convert';
import { sampleModel } from './fixtures';

describe('model → nodes', () => {
  it('orders parents before children', () => {
    const nodes = modelToNodes(sampleModel(), sampleModel().layout ?? {});
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    for (const n of nodes) {
      if (n.parentId !== undefined) expect(index.get(n.parentId)).toBeLessThan(index.get(n.id) as number);
    }
    expect(nodes.map((n) => n.id)).toEqual(['prod', 'web-tier', 'customer', 'web.app', 'db']);
  });
  it('makes positions relative to the parent', () => {
    const m = sampleModel();
    const nodes = modelToNodes(m, m.layout ?? {});
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get('web-tier')?.position).toEqual({ x: 40, y: 60 });
    expect(byId.get('web-tier')?.parentId).toBe('prod');
    expect(byId.get('web.app')?.position).toEqual({ x: 40, y: 60 });
    expect(byId.get('db')?.position).toEqual({ x: 400, y: 200 });
    expect(byId.get('customer')?.parentId).toBeUndefined();
    expect(byId.get('prod')?.width).toBe(600);
  });
  it('round-trips the layout exactly', () => {
    const m = sampleModel();
    const nodes = modelToNodes(m, m.layout ?? {});
    expect(nodesToLayout(nodes, m.layout)).toEqual(m.layout);
  });
  it('resolves absolute positions through nesting', () => {
    const m = sampleModel();
    const abs = absolutePositions(modelToNodes(m, m.layout ?? {}));
    expect(abs.get('web.app')).toEqual({ x: 180, y: 220 });
  });
  it('ignores unknown and cyclic containers', () => {
    const m = sampleModel();
    m.boundaries = [
      { id: 'a', parent: 'b' },
      { id: 'b', parent: 'a' },
      { id: 'c', parent: 'ghost' },
    ];
    m.components = [{ id: 'x', kind: 'web-app', boundary: 'ghost' }];
    const depths = boundaryDepths(m);
    expect(depths.get('c')).toBe(0);
    const els = orderedElements(m);
    const x = els.find((e) => e.id === 'x');
    expect(x?.container).toBeUndefined();
    // One of a / b is top level, so xyflow gets no parent cycle.
    const a = els.find((e) => e.id === 'a');
    const b = els.find((e) => e.id === 'b');
    expect(a?.container === undefined || b?.container === undefined).toBe(true);
  });
  it('builds edges with unique ids', () => {
    const m = sampleModel();
    m.flows = [...(m.flows ?? []), { from: 'customer', to: 'web.app', protocol: 'http' }, { from: 'ghost', to: 'db', protocol: 'https' }];
    const edges = modelToEdges(m);
    expect(edges.map((e) => e.id)).toEqual(['customer->web.app', 'web.app->db', 'web.app->db-2', 'customer->web.app#2']);
    expect(edges[3]?.data.flowId).toBe('customer->web.app');
    expect(edges[3]?.data.index).toBe(3);
  });
  it('reconcile keeps unchanged objects', () => {
    const m = sampleModel();
    const a = modelToNodes(m, m.layout ?? {});
    const b = modelToNodes(m, m.layout ?? {});
    const r = reconcile(a, b);
    expect(r).toBe(a);
    const moved = { ...(m.layout ?? {}), db: { x: 1, y: 2 } };
    const c = reconcile(a, modelToNodes(m, moved));
    expect(c).not.toBe(a);
    expect(c[0]).toBe(a[0]);
    expect(c[4]).not.toBe(a[4]);
  });
  it('reconcile carries xyflow state', () => {
    const m = sampleModel();
    const a = modelToNodes(m, m.layout ?? {}).map((n) => ({ ...n, measured: { width: 10, height: 10 }, selected: true }));
    const r = reconcile(a, modelToNodes(m, m.layout ?? {}));
    expect(r).toBe(a);
  });
});
