import { describe, expect, it } from 'vitest';
import { ancestors, descendantBoundaries, elementKindOf, freshFlowId, freshId, isValidId, slug, takenIds } from './ids';
import { sampleModel } from './fixtures';

describe('ids', () => {
  it('derives fresh ids from the type', () => {
    expect(freshId('web-app', new Set())).toBe('web-app');
    expect(freshId('web-app', new Set(['web-app']))).toBe('web-app-2');
    expect(freshId('web-app', new Set(['web-app', 'web-app-2']))).toBe('web-app-3');
    expect(freshId('web-app-2', new Set(['web-app', 'web-app-2']))).toBe('web-app-3');
  });
  it('keeps dots and fixes invalid bases', () => {
    expect(freshId('web.app', new Set(['web.app']))).toBe('web.app-2');
    expect(freshId('My Service!', new Set())).toBe('my-service');
    expect(slug('  ')).toBe('element');
    expect(isValidId('a.b_c-d')).toBe(true);
    expect(isValidId('a b')).toBe(false);
  });
  it('numbers flow ids that are taken', () => {
    expect(freshFlowId('a', 'b', new Set())).toBe('a->b');
    expect(freshFlowId('a', 'b', new Set(['a->b']))).toBe('a->b-2');
    expect(freshFlowId('a', 'b', new Set(['a->b', 'a->b-2']))).toBe('a->b-3');
  });
  it('collects every id including implicit flow ids', () => {
    const ids = takenIds(sampleModel());
    expect(ids.has('customer->web.app')).toBe(true);
    expect(ids.has('web.app->db-2')).toBe(true);
    expect(ids.has('orders')).toBe(true);
  });
  it('walks nesting', () => {
    const m = sampleModel();
    expect(elementKindOf(m, 'web.app')).toBe('component');
    expect(elementKindOf(m, 'prod')).toBe('boundary');
    expect(elementKindOf(m, 'nope')).toBeUndefined();
    expect(ancestors(m, 'web.app')).toEqual(['web-tier', 'prod']);
    expect(ancestors(m, 'customer')).toEqual([]);
    expect([...descendantBoundaries(m, 'prod')]).toEqual(['web-tier']);
  });
  it('survives boundary cycles', () => {
    const m = sampleModel();
    m.boundaries = [
      { id: 'a', parent: 'b' },
      { id: 'b', parent: 'a' },
    ];
    expect(ancestors(m, 'a')).toEqual(['b']);
    expect([...descendantBoundaries(m, 'a')]).toEqual(['b']);
  });
});
