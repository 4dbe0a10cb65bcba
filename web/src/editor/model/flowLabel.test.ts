import { describe, expect, it } from 'vitest';

import { labelAboveElements, labelWidth } from './flowStyle';

describe('flow labels between close elements', () => {
  const label = 'http · clear text · M 3';

  it('raises the label of a flow shorter than its label', () => {
    expect(labelAboveElements(label, { x: 0, y: 0 }, { x: 40, y: 0 })).toBe(true);
    expect(labelAboveElements(label, { x: 0, y: 0 }, { x: 0, y: labelWidth(label) - 1 })).toBe(true);
  });

  it('leaves the label of a long flow under the elements', () => {
    expect(labelAboveElements(label, { x: 0, y: 0 }, { x: 300, y: 120 })).toBe(false);
    expect(labelAboveElements('https', { x: 0, y: 0 }, { x: 60, y: 0 })).toBe(false);
  });
});
