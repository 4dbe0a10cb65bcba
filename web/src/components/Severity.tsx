// Severity shown with colour AND a shape AND text, so that it reads without colour.
import type { Severity } from '../model/types';

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** A distinct shape per severity: diamond, triangle, circle, square (as in the threat panel). */
export function SeverityShape({ severity }: { severity: Severity }) {
  const common = { className: `sev-shape sev-${severity}`, width: 10, height: 10, viewBox: '0 0 10 10', 'aria-hidden': true } as const;
  switch (severity) {
    case 'critical':
      return (
        <svg {...common}>
          <path d="M5 0 10 5 5 10 0 5z" fill="currentColor" />
        </svg>
      );
    case 'high':
      return (
        <svg {...common}>
          <path d="M5 0 10 10H0z" fill="currentColor" />
        </svg>
      );
    case 'medium':
      return (
        <svg {...common}>
          <circle cx="5" cy="5" r="4.5" fill="currentColor" />
        </svg>
      );
    default:
      return (
        <svg {...common}>
          <rect x="1" y="1" width="8" height="8" fill="currentColor" />
        </svg>
      );
  }
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`sev-badge sev-${severity}`}>
      <SeverityShape severity={severity} />
      {SEVERITY_LABEL[severity]}
    </span>
  );
}

export interface Counts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

/** "◆ Critical 2  ▲ High 4 …"; zero counts are shown muted, and "No unresolved threats" when all are zero. */
export function SeverityCounts({ counts, label = 'Unresolved threats', compact = false }: { counts: Counts; label?: string; compact?: boolean }) {
  const total = counts.critical + counts.high + counts.medium + counts.low;
  if (total === 0) {
    return <span className="sev-none">No unresolved threats</span>;
  }
  return (
    <ul className={`sev-counts${compact ? ' sev-counts-compact' : ''}`} aria-label={`${label}: ${total}`}>
      {SEVERITY_ORDER.map((severity) => (
        <li key={severity} className={`sev-count sev-${severity}${counts[severity] === 0 ? ' sev-zero' : ''}`}>
          <SeverityShape severity={severity} />
          <span className="sev-count-label">{SEVERITY_LABEL[severity]}</span>
          <span className="sev-count-value">{counts[severity]}</span>
        </li>
      ))}
    </ul>
  );
}
