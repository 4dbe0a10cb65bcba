import { describe, expect, it } from 'vitest';
import { boundaryAt, enclosedBy, updateMembership } from './membership';
import { sampleModel } from './fixtures';

describe('membership', () => {
  it('finds the innermost boundary', () => {
    const m = sampleModel();
    const l = m.layout ?? {};
    expect(boundaryAt(m, l, { x: 200, y: 250, width: 10, height: 10 })).toBe('web-tier');
    expect(boundaryAt(m, l, { x: 600, y: 450, width: 10, height: 10 })).toBe('prod');
    expect(boundaryAt(m, l, { x: 0, y: 0, width: 10, height: 10 })).toBeUndefined();
  });
  it('never puts a boundary inside itself or its descendants', () => {
    const m = sampleModel();
    const l = m.layout ?? {};
    expect(boundaryAt(m, l, { x: 150, y: 150, width: 100, height: 100 }, 'prod')).toBeUndefined();
  });
  it('updates membership after a drag', () => {
    const m = sampleModel();
    // Drag the customer into the web tier and the web app out of everything.
    const layout = { ...(m.layout ?? {}), customer: { x: 200, y: 250 }, 'web.app': { x: 900, y: 900 } };
    const r = updateMembership(m, layout, ['customer', 'web.app', 'db']);
    expect(r.changed.sort()).toEqual(['customer', 'web.app']);
    expect(r.model.actors?.[0]?.boundary).toBe('web-tier');
    expect(r.model.components?.[0]?.boundary).toBeUndefined();
  });
  it('nests a boundary dropped inside another', () => {
    const m = sampleModel();
    m.boundaries?.push({ id: 'dmz' });
    const layout = { ...(m.layout ?? {}), dmz: { x: 450, y: 380, width: 100, height: 80 } };
    const r = updateMembership(m, layout, ['dmz']);
    expect(r.model.boundaries?.find((b) => b.id === 'dmz')?.parent).toBe('prod');
  });
});

describe('enclosedBy', () => {
  it('lists candidates whose centre is inside the boundary', () => {
    const m = sampleModel();
    const l = m.layout ?? {};
    expect(enclosedBy(m, l, 'web-tier', ['web.app', 'db', 'customer', 'web-tier'])).toEqual(['web.app']);
    expect(enclosedBy(m, l, 'ghost', ['db'])).toEqual([]);
  });
});
