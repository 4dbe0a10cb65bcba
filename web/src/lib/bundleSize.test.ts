import { describe, expect, it } from 'vitest';
import { checkBudget, DEFAULT_LIMITS, formatKiB, kindOf, KIB } from '../../scripts/bundle-size.mjs';

describe('bundle budget', () => {
  it('counts only JavaScript and CSS', () => {
    expect(kindOf('index-abc.js')).toBe('js');
    expect(kindOf('worker.mjs')).toBe('js');
    expect(kindOf('index-abc.css')).toBe('css');
    expect(kindOf('logo.svg')).toBeNull();
    expect(kindOf('index.js.map')).toBeNull();
  });

  it('adds up gzipped sizes per kind', () => {
    const result = checkBudget([
      { name: 'a.js', size: 5000, gzip: 1000 },
      { name: 'b.js', size: 3000, gzip: 500 },
      { name: 'a.css', size: 900, gzip: 300 },
      { name: 'font.woff2', size: 9999, gzip: 9999 },
    ]);
    expect(result.totals).toEqual({ js: 1500, css: 300 });
    expect(result.ok).toBe(true);
    expect(result.files.map((f) => f.name)).toEqual(['a.js', 'b.js', 'a.css']);
    expect(result.lines.at(-2)).toContain('total JavaScript: 1.5 KiB');
  });

  it('holds the documented limits: 300 KiB of JavaScript, 30 KiB of CSS', () => {
    expect(DEFAULT_LIMITS).toEqual({ js: 300 * KIB, css: 30 * KIB });
    const atLimit = checkBudget([
      { name: 'a.js', size: 1, gzip: 300 * KIB },
      { name: 'a.css', size: 1, gzip: 30 * KIB },
    ]);
    expect(atLimit.ok).toBe(true);
  });

  it('fails when either total is over', () => {
    const js = checkBudget([
      { name: 'a.js', size: 1, gzip: 200 * KIB },
      { name: 'b.js', size: 1, gzip: 100 * KIB + 1 },
    ]);
    expect(js.ok).toBe(false);
    expect(js.failures).toHaveLength(1);
    expect(js.failures[0]).toMatch(/JavaScript is 300\.0 KiB gzipped, over the budget of 300\.0 KiB/);
    const css = checkBudget([{ name: 'a.css', size: 1, gzip: 31 * KIB }], { js: 10, css: 30 * KIB });
    expect(css.failures).toEqual(['CSS is 31.0 KiB gzipped, over the budget of 30.0 KiB']);
  });

  it('formats KiB with one decimal', () => {
    expect(formatKiB(1536)).toBe('1.5 KiB');
    expect(formatKiB(0)).toBe('0.0 KiB');
  });
});
