import { describe, expect, it } from 'vitest';
import { FAR_MIN_ITEMS, FAR_ZOOM, bitmapScale, buildScene, drawScene, drawSeverityShape, hitTest, isFar, overviewStep, type Pen } from './lod';
import { LEVEL_COLOURS } from './severityStyle';
import type { Rollup } from './model/severity';
import type { EditorModel } from './model/types';

const model: EditorModel = {
  rampart: 1,
  name: 'm',
  boundaries: [
    { id: 'outer', trust: 'untrusted' },
    { id: 'inner', parent: 'outer' },
  ],
  actors: [{ id: 'user' }],
  components: [
    { id: 'web', kind: 'web-application', boundary: 'inner' },
    { id: 'db', kind: 'relational-database' },
  ],
  flows: [
    { from: 'user', to: 'web', protocol: 'https' },
    { id: 'q', from: 'web', to: 'db', protocol: 'postgres' },
    { from: 'web', to: 'gone', protocol: 'https' },
  ],
};
const layout = {
  outer: { x: 0, y: 0, width: 600, height: 400 },
  inner: { x: 50, y: 50, width: 400, height: 300 },
  user: { x: -300, y: 100 },
  web: { x: 100, y: 100 },
  db: { x: 800, y: 100 },
};

function rollup(level: Rollup['level']): Rollup {
  return { level, counts: { critical: 0, high: 1, medium: 0, low: 0 }, total: 1 };
}

describe('level of detail', () => {
  it('switches below the threshold, and only for large diagrams', () => {
    expect(isFar(FAR_ZOOM - 0.01, FAR_MIN_ITEMS)).toBe(true);
    expect(isFar(FAR_ZOOM, FAR_MIN_ITEMS)).toBe(false);
    expect(isFar(0.05, FAR_MIN_ITEMS - 1)).toBe(false);
  });

  it('builds boxes (outer boundaries first) and straight lines between centres', () => {
    const scene = buildScene(model, layout, new Map([['db', rollup('high')], ['q', rollup('critical')]]));
    expect(scene.boxes.map((b) => b.id)).toEqual(['outer', 'inner', 'user', 'web', 'db']);
    expect(scene.boxes.find((b) => b.id === 'db')?.level).toBe('high');
    expect(scene.boxes.find((b) => b.id === 'outer')?.trust).toBe('untrusted');
    // The flow to an unknown element is left out; the explicit id is kept.
    expect(scene.lines.map((l) => l.id)).toEqual(['user->web', 'q']);
    const q = scene.lines[1];
    expect(q?.level).toBe('critical');
    expect(q?.from).toEqual({ x: 190, y: 132 });
    expect(scene.bounds).toEqual({ x: -300, y: 0, width: 1280, height: 400 });
  });

  it('hit-tests the innermost box', () => {
    const scene = buildScene(model, layout, undefined);
    expect(hitTest(scene, { x: 120, y: 120 })).toBe('web');
    expect(hitTest(scene, { x: 60, y: 60 })).toBe('inner');
    expect(hitTest(scene, { x: 10, y: 10 })).toBe('outer');
    expect(hitTest(scene, { x: 700, y: 10 })).toBeUndefined();
  });

  it('draws the bitmap no finer than the zoom needs, in steps', () => {
    expect(overviewStep(0.05)).toBe(FAR_ZOOM / 4);
    expect(overviewStep(FAR_ZOOM / 4 + 0.01)).toBe(FAR_ZOOM / 2);
    expect(overviewStep(FAR_ZOOM - 0.01)).toBe(FAR_ZOOM);
    expect(bitmapScale({ x: 0, y: 0, width: 1000, height: 500 }, 1, overviewStep(0.05))).toBe(FAR_ZOOM / 4);
  });

  it('keeps the bitmap within its limits', () => {
    expect(bitmapScale({ x: 0, y: 0, width: 1000, height: 500 })).toBe(FAR_ZOOM);
    expect(bitmapScale({ x: 0, y: 0, width: 1000, height: 500 }, 2)).toBeCloseTo(2 * FAR_ZOOM);
    const s = bitmapScale({ x: 0, y: 0, width: 100_000, height: 40_000 });
    expect(100_000 * s).toBeLessThanOrEqual(8192);
    expect(100_000 * s * 40_000 * s).toBeLessThanOrEqual(24_000_000);
  });

  it('draws lines under boxes and outlines the selection and the threat target', () => {
    const calls: string[] = [];
    const strokes: { style: string; width: number }[] = [];
    const pen = {
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 1,
      setTransform: () => calls.push('transform'),
      clearRect: () => calls.push('clear'),
      beginPath: () => calls.push('path'),
      moveTo: () => undefined,
      lineTo: () => undefined,
      stroke: () => calls.push('line'),
      fillRect: () => calls.push('fill'),
      strokeRect: () => {
        calls.push('rect');
        strokes.push({ style: String(pen.strokeStyle), width: pen.lineWidth });
      },
      setLineDash: () => undefined,
      arc: () => undefined,
      closePath: () => undefined,
      fill: () => calls.push('shape'),
    };
    const scene = buildScene(model, layout, undefined);
    drawScene(pen as unknown as Pen, scene, 0.25, 320, 100, { selected: new Set(['db']), threatTarget: 'web' });
    expect(calls.slice(0, 2)).toEqual(['transform', 'clear']);
    expect(calls.lastIndexOf('line')).toBeLessThan(calls.indexOf('fill'));
    expect(strokes.filter((s) => s.style === '#2563eb')).toHaveLength(1);
    expect(strokes.filter((s) => s.style === '#111827')).toHaveLength(1);
    expect(calls).not.toContain('shape');
  });

  it('draws each risky box with its severity shape as well as its colour', () => {
    const calls: string[] = [];
    const pen = {
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 1,
      setTransform: () => undefined,
      clearRect: () => undefined,
      beginPath: () => calls.push('begin'),
      moveTo: () => calls.push('move'),
      lineTo: () => calls.push('line-to'),
      stroke: () => undefined,
      fillRect: () => calls.push(`rect ${String(pen.fillStyle)}`),
      strokeRect: () => undefined,
      setLineDash: () => undefined,
      arc: () => calls.push('arc'),
      closePath: () => undefined,
      fill: () => calls.push(`shape ${String(pen.fillStyle)}`),
    };
    drawSeverityShape(pen as unknown as Pen, 'critical', 0, 0, 10);
    expect(calls.filter((c) => c === 'line-to')).toHaveLength(3);
    expect(calls.at(-1)).toBe(`shape ${LEVEL_COLOURS.critical}`);
    calls.length = 0;
    drawSeverityShape(pen as unknown as Pen, 'medium', 0, 0, 10);
    expect(calls).toContain('arc');
    calls.length = 0;
    drawSeverityShape(pen as unknown as Pen, 'low', 0, 0, 10);
    expect(calls).toEqual([`rect ${LEVEL_COLOURS.low}`]);
  });
});
