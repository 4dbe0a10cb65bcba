// Highest unresolved threat severity per element / flow.

export type Level = 'critical' | 'high' | 'medium' | 'low' | 'none';

export interface ThreatLike {
  target: string;
  target_kind: string;
  severity: string;
  status: string;
}

export interface Rollup {
  level: Level;
  /** Unresolved (open / in-progress) threats per severity. */
  counts: { critical: number; high: number; medium: number; low: number };
  /** Number of unresolved threats. */
  total: number;
}

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export function isUnresolved(status: string): boolean {
  return status === 'open' || status === 'in-progress';
}

/**
 * Rolls up threats per target id (elements and flows alike). Only open and
 * in-progress threats count; targets without such threats are absent.
 */
export function rollupByTarget(threats: readonly ThreatLike[]): Map<string, Rollup> {
  const out = new Map<string, Rollup>();
  for (const t of threats) {
    if (!isUnresolved(t.status)) continue;
    const rank = RANK[t.severity];
    if (rank === undefined) continue;
    if (t.target_kind !== 'element' && t.target_kind !== 'flow') continue;
    let r = out.get(t.target);
    if (!r) {
      r = { level: 'none', counts: { critical: 0, high: 0, medium: 0, low: 0 }, total: 0 };
      out.set(t.target, r);
    }
    r.counts[t.severity as keyof Rollup['counts']] += 1;
    r.total += 1;
    if (r.level === 'none' || rank > (RANK[r.level] ?? 0)) r.level = t.severity as Level;
  }
  return out;
}

/** Short badge text: "H 3" (three unresolved threats, the worst high); "" when none. */
export function badgeText(r: Rollup | undefined): string {
  if (!r || r.level === 'none') return '';
  const letter = r.level === 'critical' ? 'C' : r.level === 'high' ? 'H' : r.level === 'medium' ? 'M' : 'L';
  return `${letter} ${r.total}`;
}

/** Long text for screen readers and tooltips. */
export function rollupDescription(r: Rollup | undefined): string {
  if (!r || r.level === 'none') return 'no unresolved threats';
  const parts = (['critical', 'high', 'medium', 'low'] as const).filter((k) => r.counts[k] > 0).map((k) => `${r.counts[k]} ${k}`);
  return `${r.total} unresolved threat${r.total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
