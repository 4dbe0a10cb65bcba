import { describe, expect, it } from 'vitest';
import { UndoStack } from './history';

describe('undo stack', () => {
  it('undoes and redoes', () => {
    const s = new UndoStack<number>();
    s.push(1);
    s.push(2);
    expect(s.undo(3)).toBe(2);
    expect(s.undo(2)).toBe(1);
    expect(s.undo(1)).toBeUndefined();
    expect(s.redo(1)).toBe(2);
    expect(s.redo(2)).toBe(3);
    expect(s.redo(3)).toBeUndefined();
  });
  it('clears redo on a new change', () => {
    const s = new UndoStack<number>();
    s.push(1);
    s.undo(2);
    expect(s.canRedo).toBe(true);
    s.push(1);
    expect(s.canRedo).toBe(false);
  });
  it('is bounded', () => {
    const s = new UndoStack<number>(3);
    for (let i = 0; i < 10; i++) s.push(i);
    expect(s.size).toBe(3);
    expect(s.undo(10)).toBe(9);
    expect(s.undo(9)).toBe(8);
    expect(s.undo(8)).toBe(7);
    expect(s.canUndo).toBe(false);
  });
});
