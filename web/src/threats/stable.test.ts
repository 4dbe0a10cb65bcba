import { describe, expect, it } from 'vitest';
import { sameThreat, stabiliseThreats } from './stable';
import type { ThreatPreview } from './types';

function compact(id: string, over: Partial<ThreatPreview> = {}): ThreatPreview {
  return {
    id,
    rule: id.split('@')[0] ?? id,
    title: `Threat ${id}`,
    target: id.split('@')[1] ?? 'x',
    target_kind: 'element',
    severity: 'high',
    score: 12,
    stride: ['spoofing'],
    status: 'open',
    owner: null,
    due_date: null,
    stored: true,
    ...over,
  };
}

describe('stabiliseThreats', () => {
  it('returns the previous list when nothing changed', () => {
    const before = [compact('a@x'), compact('b@y')];
    const after = [compact('a@x'), compact('b@y')];
    expect(stabiliseThreats(before, after)).toBe(before);
  });

  it('keeps unchanged objects and takes changed or new ones', () => {
    const before = [compact('a@x'), compact('b@y')];
    const after = [compact('a@x'), compact('b@y', { severity: 'critical' }), compact('c@z')];
    const out = stabiliseThreats(before, after);
    expect(out).not.toBe(before);
    expect(out[0]).toBe(before[0]);
    expect(out[1]).toBe(after[1]);
    expect(out[2]).toBe(after[2]);
  });

  it('sees a change of order, of stride, or of being stored', () => {
    const a = compact('a@x');
    const b = compact('b@y');
    expect(stabiliseThreats([a, b], [compact('b@y'), compact('a@x')])).toEqual([b, a]);
    expect(sameThreat(a, compact('a@x', { stride: ['tampering'] }))).toBe(false);
    expect(sameThreat(a, compact('a@x', { stored: false }))).toBe(false);
  });

  it('does not reuse full entries whose account may have changed', () => {
    const full = compact('a@x', { description: 'd', references: [], countermeasures: [] });
    expect(sameThreat(full, { ...full, references: [] })).toBe(false);
  });
});
