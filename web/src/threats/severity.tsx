// Severity shown by colour AND shape AND word, so that it reads the same
// with any colour-vision deficiency: critical ◆, high ▲, medium ●, low ■.

import type { Severity } from './types';
import { severityLabel } from './logic';

/** A palette that stays distinct under protanopia, deuteranopia and tritanopia (and in grey). */
export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#8e1b1b', // dark red
  high: '#a65300', // dark orange
  medium: '#856400', // yellow-brown
  low: '#5a6b7d', // blue-grey
};

/** A paler tint of each severity, for backgrounds. */
export const SEVERITY_TINTS: Record<Severity, string> = {
  critical: '#f7e3e3',
  high: '#fcebd9',
  medium: '#f6efd6',
  low: '#e7ecf1',
};

function colourOf(severity: string): string {
  return (SEVERITY_COLOURS as Record<string, string | undefined>)[severity] ?? '#555';
}

interface IconProps {
  severity: Severity | string;
  size?: number;
}

/** The severity's shape, drawn inline (decorative: always used next to the word). */
export function SeverityIcon({ severity, size = 12 }: IconProps) {
  const fill = colourOf(severity);
  let shape;
  switch (severity) {
    case 'critical':
      shape = <polygon points="6,0.5 11.5,6 6,11.5 0.5,6" fill={fill} />;
      break;
    case 'high':
      shape = <polygon points="6,0.8 11.6,11 0.4,11" fill={fill} />;
      break;
    case 'medium':
      shape = <circle cx="6" cy="6" r="5.2" fill={fill} />;
      break;
    default:
      shape = <rect x="1.2" y="1.2" width="9.6" height="9.6" fill={fill} />;
  }
  return (
    <svg
      className="tp-sev-icon"
      width={size}
      height={size}
      viewBox="0 0 12 12"
      aria-hidden="true"
      focusable="false"
    >
      {shape}
    </svg>
  );
}

interface BadgeProps {
  severity: Severity | string;
  /** Shown after the word, e.g. a count. */
  suffix?: string | number;
}

/** Shape + word in the severity's colour. */
export function SeverityBadge({ severity, suffix }: BadgeProps) {
  return (
    <span className={`tp-sev tp-sev-${severity}`} style={{ color: colourOf(severity) }}>
      <SeverityIcon severity={severity} />
      <span className="tp-sev-word">
        {severityLabel(severity)}
        {suffix !== undefined ? ` ${suffix}` : ''}
      </span>
    </span>
  );
}
