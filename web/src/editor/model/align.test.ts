import { describe, expect, it } from 'vitest';
import { align, distribute } from './align';

const rects = new Map([
  ['a', { x: 0, y: 0, width: 100, height: 50 }],
  ['b', { x: 200, y: 100, width: 50, height: 30 }],
  ['c', { x: 50, y: 300, width: 80, height: 40 }],
]);

describe('align', () => {
  it('aligns left, centre, right', () => {
    expect(align(rects, 'left')).toEqual(new Map([['b', { x: 0, y: 100 }], ['c', { x: 0, y: 300 }]]));
    expect(align(rects, 'center').get('a')).toEqual({ x: 75, y: 0 });
    expect(align(rects, 'right').get('a')).toEqual({ x: 150, y: 0 });
  });
  it('aligns top, middle, bottom', () => {
    expect(align(rects, 'top').get('c')).toEqual({ x: 50, y: 0 });
    expect(align(rects, 'middle').get('a')).toEqual({ x: 0, y: 145 });
    expect(align(rects, 'bottom').get('b')).toEqual({ x: 200, y: 310 });
  });
  it('needs two', () => {
    expect(align(new Map([['a', { x: 1, y: 1, width: 1, height: 1 }]]), 'left').size).toBe(0);
  });
});

describe('distribute', () => {
  it('spreads with equal gaps', () => {
    const r = distribute(rects, 'horizontal');
    // Sorted by x: a(0..100), c(50..130), b(200..250): total 230 of span 250, gap 10.
    expect(r.get('c')).toEqual({ x: 110, y: 300 });
    expect(r.has('a')).toBe(false);
    expect(r.has('b')).toBe(false);
    const v = distribute(rects, 'vertical');
    expect(v.get('b')).toEqual({ x: 200, y: 160 });
  });
  it('needs three', () => {
    expect(distribute(new Map([...rects].slice(0, 2)), 'horizontal').size).toBe(0);
  });
});
