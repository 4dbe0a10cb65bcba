// The arithmetic of the bundle budget, kept apart from the file system so that it can be tested.

export const KIB = 1024;

/** The budget: gzipped bytes of all JavaScript and all CSS in dist/assets. */
export const DEFAULT_LIMITS = Object.freeze({ js: 300 * KIB, css: 30 * KIB });

/** "12.3 KiB" */
export function formatKiB(bytes) {
  return `${(bytes / KIB).toFixed(1)} KiB`;
}

/** The kind a file counts towards, or null when it does not count. */
export function kindOf(name) {
  if (name.endsWith('.js') || name.endsWith('.mjs')) return 'js';
  if (name.endsWith('.css')) return 'css';
  return null;
}

/**
 * Adds up gzipped sizes by kind and compares them with the limits.
 * @param {{name: string, size: number, gzip: number}[]} files
 * @param {{js: number, css: number}} limits
 */
export function checkBudget(files, limits = DEFAULT_LIMITS) {
  const totals = { js: 0, css: 0 };
  const counted = [];
  for (const file of files) {
    const kind = kindOf(file.name);
    if (!kind) continue;
    totals[kind] += file.gzip;
    counted.push({ ...file, kind });
  }
  counted.sort((a, b) => b.gzip - a.gzip || a.name.localeCompare(b.name));
  const failures = [];
  if (totals.js > limits.js) {
    failures.push(`JavaScript is ${formatKiB(totals.js)} gzipped, over the budget of ${formatKiB(limits.js)}`);
  }
  if (totals.css > limits.css) {
    failures.push(`CSS is ${formatKiB(totals.css)} gzipped, over the budget of ${formatKiB(limits.css)}`);
  }
  const lines = counted.map(
    (f) => `  ${f.name.padEnd(48)} ${formatKiB(f.size).padStart(11)} ${formatKiB(f.gzip).padStart(11)} gzip`,
  );
  lines.push(`  total JavaScript: ${formatKiB(totals.js)} gzipped (budget ${formatKiB(limits.js)})`);
  lines.push(`  total CSS:        ${formatKiB(totals.css)} gzipped (budget ${formatKiB(limits.css)})`);
  return { totals, files: counted, failures, ok: failures.length === 0, lines };
}
