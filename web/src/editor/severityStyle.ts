// Colour-blind-safe severity colours for the canvas. Colour is never the
// only cue: nodes also carry a badge with a shape and text ("H 3").

export const LEVEL_COLOURS: Record<string, string> = {
  critical: '#8e1b1b',
  high: '#b35900',
  medium: '#8a6d00',
  low: '#3d6a99',
  none: '#6b7280',
};

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
