import { describe, expect, it } from 'vitest';
import { autoLayout, completeLayout } from './layout';
import { sampleModel } from './fixtures';
import { rectOf } from './geometry';
import type { EditorModel, Layout } from './types';

function inside(layout: Layout, child: string, parent: string, kind: 'component' | 'boundary' = 'component'): boolean {
  const c = rectOf(layout[child] as NonNullable<Layout[string]>, kind);
  const p = rectOf(layout[parent] as NonNullable<Layout[string]>, 'boundary');
  return c.x >= p.x && c.y >= p.y && c.x + c.width <= p.x + p.width && c.y + c.height <= p.y + p.height;
}

describe('auto layout', () => {
  for (const engine of ['dagre', 'pack'] as const) {
    it(`places everything and fits boundaries (${engine})`, () => {
      const m = sampleModel();
      delete m.layout;
      const l = autoLayout(m, { engine });
      for (const id of ['prod', 'web-tier', 'web.app', 'db', 'customer']) expect(l[id]).toBeDefined();
      expect(inside(l, 'web.app', 'web-tier')).toBe(true);
      expect(inside(l, 'web-tier', 'prod', 'boundary')).toBe(true);
      expect(inside(l, 'db', 'prod')).toBe(true);
      expect(inside(l, 'customer', 'prod')).toBe(false);
      expect(l.prod?.width).toBeGreaterThan(0);
    });
  }
  it('handles empty boundaries and empty models', () => {
    const m: EditorModel = { rampart: 1, name: 'x', boundaries: [{ id: 'empty' }] };
    const l = autoLayout(m);
    expect(l.empty?.width).toBeGreaterThan(0);
    expect(autoLayout({ rampart: 1, name: 'y' })).toEqual({});
  });
  it('packs large models quickly', () => {
    const m: EditorModel = { rampart: 1, name: 'big', boundaries: [], components: [], flows: [] };
    for (let b = 0; b < 10; b++) m.boundaries?.push({ id: `b${b}` });
    for (let i = 0; i < 1000; i++) m.components?.push({ id: `c${i}`, kind: 'service', boundary: `b${i % 10}` });
    for (let i = 0; i < 3000; i++) m.flows?.push({ id: `f${i}`, from: `c${i % 1000}`, to: `c${(i * 7 + 1) % 1000}`, protocol: 'https' });
    const t = performance.now();
    const l = autoLayout(m);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(Object.keys(l)).toHaveLength(1010);
    expect(inside(l, 'c5', 'b5')).toBe(true);
  });
});

describe('complete layout', () => {
  it('keeps a full layout as is', () => {
    const m = sampleModel();
    expect(completeLayout(m, m.layout)).toEqual(m.layout);
  });
  it('lays out everything when nothing is placed', () => {
    const m = sampleModel();
    const l = completeLayout(m, undefined);
    expect(Object.keys(l).sort()).toEqual(['customer', 'db', 'prod', 'web-tier', 'web.app']);
  });
  it('places a missing child inside its placed boundary and grows it', () => {
    const m = sampleModel();
    m.components?.push({ id: 'cache', kind: 'cache', boundary: 'web-tier' });
    const l = completeLayout(m, m.layout);
    expect(l.db).toEqual(m.layout?.db);
    expect(inside(l, 'cache', 'web-tier')).toBe(true);
    expect(inside(l, 'web-tier', 'prod', 'boundary')).toBe(true);
  });
  it('places missing top-level elements below the drawing', () => {
    const m = sampleModel();
    m.actors?.push({ id: 'admin' });
    const l = completeLayout(m, m.layout);
    expect(l.admin?.y).toBeGreaterThan(500);
  });
});
