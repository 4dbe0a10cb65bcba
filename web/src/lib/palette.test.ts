// The severity colours are defined twice — as CSS variables for the pages and as
// constants for the threat panel and the canvas — and must not drift apart.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEVERITY_COLOURS } from '../threats/severity';

// Under happy-dom import.meta.url is not a file: URL; vitest defines __dirname for test files.
const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));

describe('severity palette', () => {
  it('is the same in app.css and in the threat panel', () => {
    const css = readFileSync(join(here, '../styles/app.css'), 'utf8');
    for (const [severity, colour] of Object.entries(SEVERITY_COLOURS)) {
      const match = css.match(new RegExp(`--sev-${severity}:\\s*(#[0-9a-fA-F]{6})`));
      expect(match?.[1]?.toLowerCase(), severity).toBe(colour.toLowerCase());
    }
  });
});
