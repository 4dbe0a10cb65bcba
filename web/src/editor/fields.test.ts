import { describe, expect, it } from 'vitest';
import { sameChecklist, type ChecklistProps } from './fields';

describe('Checklist memo', () => {
  const items = [{ id: 'a', label: 'A' }];
  const base: ChecklistProps = { label: 'Data', items, selected: ['a'], disabled: false, onChange: () => undefined };

  it('ignores a new handler and an equal selection', () => {
    expect(sameChecklist(base, { ...base, selected: ['a'], onChange: () => undefined })).toBe(true);
    expect(sameChecklist({ ...base, selected: undefined }, { ...base, selected: [] })).toBe(true);
  });

  it('re-renders for new items, another selection or another state', () => {
    expect(sameChecklist(base, { ...base, items: [...items] })).toBe(false);
    expect(sameChecklist(base, { ...base, selected: ['a', 'b'] })).toBe(false);
    expect(sameChecklist(base, { ...base, disabled: true })).toBe(false);
  });
});
