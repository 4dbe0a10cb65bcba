// Colour-blind-safe severity colours for the canvas. Colour is never the
// only cue: nodes also carry a badge with a shape and text ("H 3").

import { SEVERITY_COLOURS } from '../threats/severity';

/** The threat panel's colours (one palette in the whole app), plus "no threat". */
export const LEVEL_COLOURS: Record<string, string> = { ...SEVERITY_COLOURS, none: '#6b7280' };

export const LEVEL_TINTS: Record<string, string> = {
  critical: '#f8e1e1',
  high: '#fdebd6',
  medium: '#f7f0d2',
  low: '#e3edf7',
  none: '#ffffff',
};

export const LEVEL_NAMES: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'None',
};
