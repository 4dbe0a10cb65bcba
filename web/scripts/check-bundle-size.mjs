#!/usr/bin/env node
// Fails the build when the gzipped JavaScript or CSS in dist/assets is over budget.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { checkBudget, kindOf } from './bundle-size.mjs';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const assets = join(webDir, 'dist', 'assets');

function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listFiles(path, `${prefix}${entry}/`));
    else out.push({ path, name: `${prefix}${entry}` });
  }
  return out;
}

let entries;
try {
  entries = listFiles(assets);
} catch {
  console.error(`bundle size: ${assets} does not exist; run vite build first`);
  process.exit(1);
}

const files = entries
  .filter((e) => kindOf(e.name))
  .map((e) => {
    const bytes = readFileSync(e.path);
    return { name: e.name, size: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });

const result = checkBudget(files);
console.log('Bundle size (dist/assets):');
for (const line of result.lines) console.log(line);
if (!result.ok) {
  for (const failure of result.failures) console.error(`bundle size: ${failure}`);
  process.exit(1);
}
console.log('bundle size: within budget');
