import { describe, expect, it } from 'vitest';
import type { ModelJson } from '../model/types';
import { mergeForDiff, modelIds, summariseThreatDiff, threatTarget } from './diffView';

const older: ModelJson = {
  rampart: 1,
  name: 'Shop',
  boundaries: [{ id: 'dmz' }, { id: 'legacy' }],
  actors: [{ id: 'customer' }],
  components: [
    { id: 'web', kind: 'web-app', boundary: 'dmz' },
    { id: 'old-db', kind: 'sql-database', boundary: 'legacy', stores: ['orders'] },
    { id: 'api', kind: 'web-api', technology: 'Java' },
  ],
  data: [{ id: 'orders' }],
  flows: [
    { from: 'customer', to: 'web', protocol: 'https' },
    { from: 'api', to: 'old-db', protocol: 'jdbc', data: ['orders'] },
  ],
  layout: {
    dmz: { x: 0, y: 0, width: 400, height: 300 },
    legacy: { x: 500, y: 0, width: 300, height: 200 },
    'old-db': { x: 520, y: 40 },
    web: { x: 20, y: 40 },
  },
};

const newer: ModelJson = {
  rampart: 1,
  name: 'Shop',
  description: 'kept',
  boundaries: [{ id: 'dmz' }],
  actors: [{ id: 'customer' }],
  components: [
    { id: 'web', kind: 'web-app', boundary: 'dmz' },
    { id: 'api', kind: 'web-api', technology: 'Kotlin' },
    { id: 'db', kind: 'sql-database' },
  ],
  flows: [
    { from: 'customer', to: 'web', protocol: 'https' },
    { id: 'api-db', from: 'api', to: 'db', protocol: 'jdbc' },
  ],
  layout: { dmz: { x: 10, y: 10, width: 400, height: 300 }, web: { x: 30, y: 50 } },
};

const changes = {
  added: ['db', 'api-db'],
  removed: ['legacy', 'old-db', 'orders', 'api->old-db'],
  changed: ['api'],
};

describe('mergeForDiff', () => {
  const view = mergeForDiff(older, newer, changes);

  it('keeps the newer model and puts back what it lost', () => {
    expect(view.model.components?.map((c) => c.id)).toEqual(['web', 'api', 'db', 'old-db']);
    expect(view.model.boundaries?.map((b) => b.id)).toEqual(['dmz', 'legacy']);
    expect(view.model.data?.map((d) => d.id)).toEqual(['orders']);
    expect(view.model.flows?.map((f) => f.id ?? `${f.from}->${f.to}`)).toEqual([
      'customer->web',
      'api-db',
      'api->old-db',
    ]);
    expect(view.model.description).toBe('kept');
    expect(view.model.components?.find((c) => c.id === 'api')?.technology).toBe('Kotlin');
  });

  it('draws removed elements at their old position and keeps new positions', () => {
    expect(view.model.layout?.['old-db']).toEqual({ x: 520, y: 40 });
    expect(view.model.layout?.legacy).toEqual({ x: 500, y: 0, width: 300, height: 200 });
    expect(view.model.layout?.dmz).toEqual({ x: 10, y: 10, width: 400, height: 300 });
    expect(view.model.layout?.web).toEqual({ x: 30, y: 50 });
  });

  it('moves a removed element off the element that took its place', () => {
    const a = { rampart: 1, name: 'm', components: [{ id: 'old', kind: 'web-application' }], layout: { old: { x: 100, y: 100 } } };
    const b = { rampart: 1, name: 'm', components: [{ id: 'new', kind: 'web-application' }, { id: 'below', kind: 'web-application' }], layout: { new: { x: 110, y: 110 }, below: { x: 100, y: 190 } } };
    const v = mergeForDiff(a as never, b as never, { added: ['new', 'below'], removed: ['old'], changed: [] });
    // Below both: not under `new` (110..174) nor under `below` (190..254).
    expect(v.model.layout?.old).toEqual({ x: 100, y: 100 + 2 * (64 + 12) + 76 });
    expect(v.model.layout?.new).toEqual({ x: 110, y: 110 });
  });

  it('builds the highlight map', () => {
    expect(view.highlight).toEqual({
      db: 'added',
      'api-db': 'added',
      api: 'changed',
      legacy: 'removed',
      'old-db': 'removed',
      orders: 'removed',
      'api->old-db': 'removed',
    });
  });

  it('does not touch its inputs', () => {
    expect(newer.components).toHaveLength(3);
    expect(newer.layout?.['old-db']).toBeUndefined();
    view.model.components![0].name = 'changed';
    expect(newer.components![0].name).toBeUndefined();
  });

  it('leaves out ids that neither version has and works without layouts', () => {
    const a: ModelJson = { rampart: 1, name: 'a', components: [{ id: 'x', kind: 'k' }] };
    const b: ModelJson = { rampart: 1, name: 'a' };
    const v = mergeForDiff(a, b, { added: ['ghost'], removed: ['x', 'nowhere'], changed: [] });
    expect(v.highlight).toEqual({ x: 'removed' });
    expect(v.model.components?.map((c) => c.id)).toEqual(['x']);
    expect(v.model.layout).toBeUndefined();
  });

  it('marks an id that moved between collections as present, not removed', () => {
    const a: ModelJson = { rampart: 1, name: 'a', components: [{ id: 'x', kind: 'k' }] };
    const b: ModelJson = { rampart: 1, name: 'a', actors: [{ id: 'x' }] };
    const v = mergeForDiff(a, b, { added: [], removed: [], changed: ['x'] });
    expect(v.model.components).toBeUndefined();
    expect(v.highlight).toEqual({ x: 'changed' });
  });

  it('lists every id of a model', () => {
    expect([...modelIds(newer)].sort()).toEqual(['api', 'api-db', 'customer', 'customer->web', 'db', 'dmz', 'web']);
  });
});

describe('summariseThreatDiff', () => {
  const ref = (id: string, severity: string, unresolved = true, status = 'open') => ({
    id,
    title: `T ${id}`,
    severity,
    score: 10,
    status,
    unresolved,
    cwe: [],
  });

  it('splits added, resolved and changed threats', () => {
    const summary = summariseThreatDiff({
      added: [ref('a@web', 'high')],
      removed: [ref('b@old-db', 'critical')],
      changed: [
        { id: 'c@api', title: 'C', before: ref('c@api', 'medium'), after: ref('c@api', 'medium', false, 'mitigated'), worsened: false },
        { id: 'd@api', title: 'D', before: ref('d@api', 'low'), after: ref('d@api', 'high'), worsened: true },
      ],
      summary: { added: 1 },
    });
    expect(summary.added.map((t) => t.id)).toEqual(['a@web']);
    expect(summary.resolved.map((t) => [t.id, t.status])).toEqual([
      ['b@old-db', 'open'],
      ['c@api', 'mitigated'],
    ]);
    expect(summary.changed).toHaveLength(1);
    expect(summary.changed[0]).toMatchObject({ id: 'd@api', worsened: true });
    expect(summary.changed[0].after.severity).toBe('high');
  });

  it('copes with missing or odd input', () => {
    expect(summariseThreatDiff(null)).toEqual({ added: [], resolved: [], changed: [] });
    expect(summariseThreatDiff({ added: [{ nope: 1 }, ref('x@y', 'extreme')] }).added).toEqual([
      { id: 'x@y', title: 'T x@y', severity: 'low', score: 10, status: 'open', unresolved: true },
    ]);
  });
});

describe('threatTarget', () => {
  it('takes what follows the first @', () => {
    expect(threatTarget('sql-injection@checkout-api')).toBe('checkout-api');
    expect(threatTarget('cleartext@browser->web')).toBe('browser->web');
    expect(threatTarget('weird@a@b')).toBe('a@b');
    expect(threatTarget('model-level')).toBe('model-level');
  });
});
