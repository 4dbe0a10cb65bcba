import { describe, expect, it } from 'vitest';
import { badgeText, rollupByTarget, rollupDescription } from './severity';

describe('severity rollup', () => {
  const threats = [
    { target: 'db', target_kind: 'element', severity: 'medium', status: 'open' },
    { target: 'db', target_kind: 'element', severity: 'high', status: 'in-progress' },
    { target: 'db', target_kind: 'element', severity: 'critical', status: 'mitigated' },
    { target: 'a->b', target_kind: 'flow', severity: 'low', status: 'open' },
    { target: 'orders', target_kind: 'data', severity: 'critical', status: 'open' },
    { target: 'web', target_kind: 'element', severity: 'low', status: 'accepted' },
  ];
  it('keeps the highest unresolved severity', () => {
    const r = rollupByTarget(threats);
    expect(r.get('db')?.level).toBe('high');
    expect(r.get('db')?.total).toBe(2);
    expect(r.get('a->b')?.level).toBe('low');
    expect(r.has('orders')).toBe(false);
    expect(r.has('web')).toBe(false);
  });
  it('describes with text', () => {
    const r = rollupByTarget(threats);
    expect(badgeText(r.get('db'))).toBe('H 2');
    expect(badgeText(undefined)).toBe('');
    expect(rollupDescription(r.get('db'))).toBe('2 unresolved threats: 1 high, 1 medium');
  });
});
