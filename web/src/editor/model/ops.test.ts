import { describe, expect, it } from 'vitest';
import { addData, addElement, addFlow, deleteIds, mergeLayout, renameId, setContainer, setField, updateElement, updateFlow } from './ops';
import { sampleModel } from './fixtures';
import { flowId } from './types';

describe('rename', () => {
  it('renames a component and every reference', () => {
    const m = sampleModel();
    const r = renameId(m, 'web.app', 'store.front');
    expect(r.components?.[0]?.id).toBe('store.front');
    expect(r.flows?.map(flowId)).toEqual(['customer->store.front', 'store.front->db', 'store.front->db-2']);
    expect(r.layout?.['store.front']).toEqual(m.layout?.['web.app']);
    expect(r.layout?.['web.app']).toBeUndefined();
    expect(m.components?.[0]?.id).toBe('web.app');
  });
  it('renames a boundary: children and nested boundaries follow', () => {
    const r = renameId(sampleModel(), 'prod', 'production');
    expect(r.boundaries?.find((b) => b.id === 'web-tier')?.parent).toBe('production');
    expect(r.components?.find((c) => c.id === 'db')?.boundary).toBe('production');
  });
  it('renames a data asset in stores, processes and flows', () => {
    const r = renameId(sampleModel(), 'orders', 'order-book');
    expect(r.components?.find((c) => c.id === 'db')?.stores).toEqual(['order-book', 'profiles']);
    expect(r.components?.find((c) => c.id === 'web.app')?.processes).toEqual(['order-book']);
    expect(r.flows?.[0]?.data).toEqual(['order-book']);
  });
  it('refuses taken or empty ids', () => {
    const m = sampleModel();
    expect(renameId(m, 'db', 'customer')).toBe(m);
    expect(renameId(m, 'db', '')).toBe(m);
    expect(renameId(m, 'ghost', 'x')).toBe(m);
  });
  it('renames a flow id', () => {
    const r = renameId(sampleModel(), 'web.app->db-2', 'profile-writes');
    expect(r.flows?.[2]?.id).toBe('profile-writes');
  });
  it('keeps unknown keys', () => {
    const r = renameId(sampleModel(), 'db', 'database');
    expect(r.policy).toEqual({ fail_on: 'high' });
    expect(r.threats).toEqual([{ id: 'x@y', status: 'accepted' }]);
  });
});

describe('delete', () => {
  it('deletes an element with its flows and layout', () => {
    const r = deleteIds(sampleModel(), ['db']);
    expect(r.components?.map((c) => c.id)).toEqual(['web.app']);
    expect(r.flows?.map(flowId)).toEqual(['customer->web.app']);
    expect(r.layout?.db).toBeUndefined();
  });
  it('moves the contents of a deleted boundary to its parent', () => {
    const r = deleteIds(sampleModel(), ['web-tier']);
    expect(r.components?.find((c) => c.id === 'web.app')?.boundary).toBe('prod');
    const r2 = deleteIds(sampleModel(), ['web-tier', 'prod']);
    expect(r2.components?.find((c) => c.id === 'web.app')?.boundary).toBeUndefined();
    expect('boundary' in (r2.components?.[0] ?? {})).toBe(false);
  });
  it('deletes flows by id and data with references', () => {
    const r = deleteIds(sampleModel(), ['web.app->db', 'orders']);
    expect(r.flows?.map(flowId)).toEqual(['customer->web.app', 'web.app->db-2']);
    expect(r.flows?.[0]?.data).toBeUndefined();
    expect(r.components?.find((c) => c.id === 'db')?.stores).toEqual(['profiles']);
    expect(r.components?.find((c) => c.id === 'web.app')?.processes).toBeUndefined();
  });
  it('returns the same model for nothing', () => {
    const m = sampleModel();
    expect(deleteIds(m, [])).toBe(m);
  });
});

describe('add', () => {
  it('adds elements with fresh ids and layout', () => {
    const m = sampleModel();
    const a = addElement(m, { kind: 'component', type: 'web-app', name: 'Web application', position: { x: 10.4, y: 20.6 } });
    expect(a.id).toBe('web-app');
    const b = addElement(a.model, { kind: 'component', type: 'web-app', name: 'Web application', position: { x: 0, y: 0 } });
    expect(b.id).toBe('web-app-2');
    expect(b.model.layout?.['web-app']).toEqual({ x: 10, y: 21 });
    const c = addElement(b.model, { kind: 'boundary', name: 'Zone', position: { x: 0, y: 0 }, container: 'prod' });
    expect(c.id).toBe('boundary');
    expect(c.model.boundaries?.at(-1)).toEqual({ id: 'boundary', name: 'Zone', parent: 'prod' });
    expect(c.model.layout?.boundary?.width).toBeGreaterThan(0);
    const d = addElement(c.model, { kind: 'actor', type: 'administrator', name: 'Admin', position: { x: 0, y: 0 } });
    expect(d.model.actors?.at(-1)).toEqual({ id: 'administrator', name: 'Admin', kind: 'administrator' });
  });
  it('adds flows with FROM->TO ids and numbers duplicates', () => {
    const m = sampleModel();
    const a = addFlow(m, 'customer', 'db');
    expect(a.id).toBe('customer->db');
    expect(a.model.flows?.at(-1)).toEqual({ from: 'customer', to: 'db', protocol: 'https' });
    const b = addFlow(a.model, 'customer', 'db');
    expect(b.id).toBe('customer->db-2');
    expect(b.model.flows?.at(-1)?.id).toBe('customer->db-2');
    const c = addFlow(m, 'web.app', 'db');
    expect(c.id).toBe('web.app->db-3');
  });
  it('adds data assets', () => {
    const a = addData(sampleModel(), 'orders');
    expect(a.id).toBe('orders-2');
  });
});

describe('update', () => {
  it('sets and clears fields', () => {
    expect(setField({ a: 1 }, 'b', 'x')).toEqual({ a: 1, b: 'x' });
    expect(setField({ a: 1, b: 'x' }, 'b', '')).toEqual({ a: 1 });
    expect(setField({ a: 1, b: ['x'] }, 'b', [])).toEqual({ a: 1 });
  });
  it('updates elements and flows', () => {
    const m = sampleModel();
    const r = updateElement(m, 'db', (el) => setField(el, 'technology', 'postgres 16'));
    expect(r.components?.[1]?.technology).toBe('postgres 16');
    expect(r.components?.[0]).toBe(m.components?.[0]);
    const f = updateFlow(m, 'customer->web.app', (fl) => ({ ...fl, encrypted: false }));
    expect(f.flows?.[0]?.encrypted).toBe(false);
    expect(updateElement(m, 'ghost', (x) => x)).toBe(m);
  });
  it('sets containers with the right key', () => {
    const m = sampleModel();
    expect(setContainer(m, 'web-tier', undefined).boundaries?.[0]).toEqual({ id: 'web-tier', name: 'Web tier', trust: 'internal' });
    expect(setContainer(m, 'customer', 'prod').actors?.[0]?.boundary).toBe('prod');
    expect(setContainer(m, 'db', 'prod')).toBe(m);
  });
  it('merges layout only when something changed', () => {
    const m = sampleModel();
    expect(mergeLayout(m, { db: { x: 500, y: 300 } })).toBe(m);
    expect(mergeLayout(m, { db: { x: 501, y: 300 } }).layout?.db).toEqual({ x: 501, y: 300 });
  });
});
