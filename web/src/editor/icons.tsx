// Inline SVG icons of the editor (no icon fonts, nothing fetched).

import { memo } from 'react';

export type IconCategory = 'process' | 'datastore' | 'external' | 'actor' | 'boundary';

const STROKE = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.6, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;

/** The icon of an element category. Decorative: always shown next to a name. */
export const CategoryIcon = memo(function CategoryIcon({ category, size = 20 }: { category: IconCategory; size?: number }) {
  let body;
  switch (category) {
    case 'datastore':
      body = (
        <>
          <ellipse cx="12" cy="6" rx="7" ry="2.6" {...STROKE} />
          <path d="M5 6v12c0 1.4 3.1 2.6 7 2.6s7-1.2 7-2.6V6" {...STROKE} />
          <path d="M5 12c0 1.4 3.1 2.6 7 2.6s7-1.2 7-2.6" {...STROKE} />
        </>
      );
      break;
    case 'external':
      body = (
        <>
          <rect x="3" y="5" width="18" height="14" rx="1" {...STROKE} />
          <rect x="5.5" y="7.5" width="13" height="9" rx="0.5" {...STROKE} />
          <path d="M14 10h3v3M17 10l-5 5" {...STROKE} />
        </>
      );
      break;
    case 'actor':
      body = (
        <>
          <circle cx="12" cy="7" r="3.2" {...STROKE} />
          <path d="M5 20c0-4 3.1-6.5 7-6.5s7 2.5 7 6.5" {...STROKE} />
        </>
      );
      break;
    case 'boundary':
      body = <rect x="3" y="4" width="18" height="16" rx="2" {...STROKE} strokeDasharray="3 2.5" />;
      break;
    default:
      body = (
        <>
          <rect x="3" y="5" width="18" height="14" rx="4" {...STROKE} />
          <circle cx="12" cy="12" r="2.6" {...STROKE} />
          <path d="M12 7.5v1.9M12 14.6v1.9M7.5 12h1.9M14.6 12h1.9" {...STROKE} />
        </>
      );
  }
  return (
    <svg className="ed-icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {body}
    </svg>
  );
});

/** A small glyph per domain: a rounded tag with the domain's first letters. */
export const DomainGlyph = memo(function DomainGlyph({ domain }: { domain: string }) {
  if (!domain) return null;
  const letters = domain
    .split(/[-_ ]+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  const text = letters.length === 1 ? domain.slice(0, 2).toUpperCase() : letters;
  return (
    <svg className="ed-domain-glyph" width="18" height="12" viewBox="0 0 18 12" aria-hidden="true" focusable="false">
      <rect x="0.5" y="0.5" width="17" height="11" rx="3" fill="none" stroke="currentColor" strokeWidth="1" />
      <text x="9" y="8.8" textAnchor="middle" fontSize="7.5" fontFamily="system-ui, sans-serif" fill="currentColor">
        {text}
      </text>
    </svg>
  );
});

/** Severity shape (critical ◆, high ▲, medium ●, low ■), drawn next to the badge text. */
export function SeverityGlyph({ level }: { level: string }) {
  let shape;
  switch (level) {
    case 'critical':
      shape = <path d="M5 0.5 9.5 5 5 9.5 0.5 5z" fill="currentColor" />;
      break;
    case 'high':
      shape = <path d="M5 0.8 9.6 9.2H0.4z" fill="currentColor" />;
      break;
    case 'medium':
      shape = <circle cx="5" cy="5" r="4.2" fill="currentColor" />;
      break;
    default:
      shape = <rect x="1" y="1" width="8" height="8" fill="currentColor" />;
  }
  return (
    <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
      {shape}
    </svg>
  );
}
