// Align and distribute for a multi-selection (ABSOLUTE rectangles).

import type { Rect } from './types';

export type AlignMode = 'left' | 'center' | 'right' | 'top' | 'middle' | 'bottom';
export type DistributeAxis = 'horizontal' | 'vertical';

/** New top-left positions aligning the rectangles; returns only moved ids. */
export function align(rects: ReadonlyMap<string, Rect>, mode: AlignMode): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  if (rects.size < 2) return out;
  const all = [...rects.values()];
  const minX = Math.min(...all.map((r) => r.x));
  const maxX = Math.max(...all.map((r) => r.x + r.width));
  const minY = Math.min(...all.map((r) => r.y));
  const maxY = Math.max(...all.map((r) => r.y + r.height));
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  for (const [id, r] of rects) {
    let { x, y } = r;
    switch (mode) {
      case 'left':
        x = minX;
        break;
      case 'right':
        x = maxX - r.width;
        break;
      case 'center':
        x = cx - r.width / 2;
        break;
      case 'top':
        y = minY;
        break;
      case 'bottom':
        y = maxY - r.height;
        break;
      case 'middle':
        y = cy - r.height / 2;
        break;
    }
    x = Math.round(x);
    y = Math.round(y);
    if (x !== r.x || y !== r.y) out.set(id, { x, y });
  }
  return out;
}

/**
 * Spreads the rectangles so that the gaps between neighbours are equal,
 * keeping the first and last (by position) in place. Needs three or more.
 */
export function distribute(rects: ReadonlyMap<string, Rect>, axis: DistributeAxis): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  if (rects.size < 3) return out;
  const horizontal = axis === 'horizontal';
  const items = [...rects.entries()].sort((a, b) => (horizontal ? a[1].x - b[1].x : a[1].y - b[1].y) || (a[0] < b[0] ? -1 : 1));
  const first = items[0]?.[1] as Rect;
  const last = items[items.length - 1]?.[1] as Rect;
  const start = horizontal ? first.x : first.y;
  const end = horizontal ? last.x + last.width : last.y + last.height;
  const total = items.reduce((s, [, r]) => s + (horizontal ? r.width : r.height), 0);
  const gap = (end - start - total) / (items.length - 1);
  let cursor = start;
  for (const [id, r] of items) {
    const pos = Math.round(cursor);
    const x = horizontal ? pos : r.x;
    const y = horizontal ? r.y : pos;
    if (x !== r.x || y !== r.y) out.set(id, { x, y });
    cursor += (horizontal ? r.width : r.height) + gap;
  }
  return out;
}
