import { describe, expect, it } from 'vitest';
import { buildEdges, buildNodes, indexCatalog } from './decorate';
import { reconcile } from './model/convert';
import { rollupByTarget } from './model/severity';
import type { EditorModel } from './model/types';

const catalog = indexCatalog({
  component_types: [{ id: 'web-application', name: 'Web application', category: 'process', domain: 'web' }],
  actor_types: [{ id: 'user', name: 'User' }],
  protocols: [{ id: 'https', encrypted: true }],
});
const model: EditorModel = {
  rampart: 1,
  name: 'm',
  actors: [{ id: 'user' }],
  components: [
    { id: 'a', kind: 'web-application' },
    { id: 'b', kind: 'web-application' },
  ],
  flows: [
    { from: 'user', to: 'a', protocol: 'https' },
    { from: 'a', to: 'b', protocol: 'https' },
  ],
};
const layout = { user: { x: 0, y: 0 }, a: { x: 200, y: 0 }, b: { x: 400, y: 0 } };
const threat = (target: string, severity: string, kind = 'element') => ({ target, target_kind: kind, severity, status: 'open' });

describe('node and edge data stability', () => {
  it('keeps the objects of elements and flows whose risk did not change', () => {
    const before = rollupByTarget([threat('a', 'high'), threat('a->b', 'low', 'flow')]);
    const after = rollupByTarget([threat('a', 'high'), threat('b', 'critical'), threat('a->b', 'low', 'flow')]);
    const n1 = buildNodes(model, layout, catalog, { rollup: before, readOnly: false });
    const n2 = reconcile(n1, buildNodes(model, layout, catalog, { rollup: after, readOnly: false }));
    expect(n2[0]).toBe(n1[0]);
    expect(n2[1]).toBe(n1[1]);
    expect(n2[2]).not.toBe(n1[2]);
    expect(n2[2]?.data.level).toBe('critical');
    const e1 = buildEdges(model, catalog, { rollup: before, readOnly: false });
    const e2 = reconcile(e1, buildEdges(model, catalog, { rollup: after, readOnly: false }));
    // Nothing changed on the flows: the very same array.
    expect(e2).toBe(e1);
  });
});
