// The HTML report as a reader meets it: opened from disk in real headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
//
// Needs RAMPART_BIN (the `rampart` binary) and RAMPART_MODELGEN_BIN (the
// model generator); `make test-browser` builds both and sets them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const rampart = process.env.RAMPART_BIN ?? join(root, 'target/debug/rampart');
const modelgen = process.env.RAMPART_MODELGEN_BIN ?? join(root, 'target/debug/rampart-modelgen');
const screenshots = join(root, 'target/browser');
const today = '2026-11-22';

let browser;
let profile;
let work;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'rampart-report-'));
  profile = mkdtempSync(join(tmpdir(), 'rampart-chromium-'));
  mkdirSync(screenshots, { recursive: true });
  // The flags this machine's closed network needs: no background requests,
  // no sandbox (tests run as root in CI), a fresh profile.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
});

/** Writes the HTML report and the JSON analysis of `model`; returns both paths. */
function report(model, name) {
  const html = join(work, `${name}.html`);
  const json = join(work, `${name}.json`);
  execFileSync(rampart, ['report', model, '--format', 'html', '--output', html, '--today', today], { stdio: 'pipe' });
  execFileSync(rampart, ['analyze', model, '--format', 'json', '--output', json, '--today', today], { stdio: 'pipe' });
  const analysis = JSON.parse(execFileSync('cat', [json], { maxBuffer: 1 << 30 }).toString());
  return { html, analysis };
}

/**
 * Opens `file` and records what a careful reader would notice: console
 * errors and warnings, uncaught exceptions, and any request that leaves the
 * file (the report promises to work offline).
 */
async function open(file, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) problems.push(`network request: ${url}`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems };
}

async function shownThreatIds(page) {
  return page.$$eval('article.threat:not(.hidden) .threat-id code', (nodes) => nodes.map((node) => node.textContent));
}

const examples = ['ecommerce', 'aws-microservices', 'industrial-plant', 'rampart-self'];

for (const name of examples) {
  test(`${name}: the report loads cleanly and shows every threat`, async () => {
    const { html, analysis } = report(join(root, 'examples', `${name}.yaml`), name);
    const { page, problems } = await open(html);
    assert.deepEqual(problems, []);
    assert.equal(await page.title(), `Threat model: ${analysis.model.name}`);

    const expected = analysis.threats.map((threat) => threat.id).sort();
    assert.ok(expected.length > 0, 'the example has threats');
    assert.deepEqual((await shownThreatIds(page)).sort(), expected);

    // Every threat shows its title, and the summary counts match the analysis.
    const titles = await page.$$eval('article.threat .title', (nodes) => nodes.map((node) => node.textContent));
    assert.deepEqual(titles.sort(), analysis.threats.map((threat) => threat.title).sort());
    const critical = await page.textContent('.card.sev-critical .number');
    assert.equal(Number(critical), analysis.summary.unresolved.critical);

    // The diagram is drawn inline and has a size.
    const box = await page.locator('#diagram svg').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `diagram box ${JSON.stringify(box)}`);
    await page.close();
  });
}

test('filters narrow the threat list and say how many are shown', async () => {
  const { html, analysis } = report(join(root, 'examples', 'ecommerce.yaml'), 'ecommerce-filters');
  const { page, problems } = await open(html);

  await page.selectOption('#filter-severity', 'critical');
  const critical = analysis.threats.filter((threat) => threat.current.severity === 'critical').map((t) => t.id);
  assert.deepEqual((await shownThreatIds(page)).sort(), critical.sort());
  assert.equal(await page.textContent('#filter-count'), `${critical.length} of ${analysis.threats.length} shown`);

  await page.selectOption('#filter-severity', '');
  const target = analysis.threats[0];
  await page.fill('#filter-text', target.id.toUpperCase());
  const shown = await shownThreatIds(page);
  assert.ok(shown.includes(target.id), `${target.id} is found by its id`);
  assert.ok(shown.length < analysis.threats.length);

  // A link in the top-risks table lands on the threat it names.
  await page.fill('#filter-text', '');
  const link = page.locator('#summary .threat-table a').first();
  const title = await link.textContent();
  await link.click();
  const hash = decodeURIComponent(new URL(page.url()).hash.slice(1));
  assert.equal(await page.textContent(`[id="${hash}"] .title`), title);
  assert.deepEqual(problems, []);
  await page.close();
});

test('printing shows every threat and hides the screen-only controls', async () => {
  const { html, analysis } = report(join(root, 'examples', 'ecommerce.yaml'), 'ecommerce-print');
  const { page, problems } = await open(html);
  await page.selectOption('#filter-severity', 'low');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('nav'), false);
  assert.equal(await page.isVisible('form.filters'), false);
  const visible = await page.$$eval('article.threat', (nodes) => nodes.filter((node) => node.offsetParent !== null).length);
  assert.equal(visible, analysis.threats.length, 'a printout ignores the screen filters');
  const pdf = join(work, 'printed.pdf');
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  assert.ok(statSync(pdf).size > 10_000);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a 200-component model stays usable', async () => {
  const model = join(work, 'generated-200.yaml');
  execFileSync(modelgen, ['--components', '200', '--seed', '7', '--output', model]);
  const { html, analysis } = report(model, 'generated-200');
  const { page, problems } = await open(html);
  assert.deepEqual(problems, []);
  const shown = await shownThreatIds(page);
  assert.equal(shown.length, analysis.threats.length);
  assert.equal(new Set(shown).size, shown.length, 'threat ids are unique');
  await page.close();
});

test('screenshots of the report for the README', async () => {
  const { html } = report(join(root, 'examples', 'ecommerce.yaml'), 'ecommerce-shots');
  const { page, problems } = await open(html, { width: 1200, height: 1000 });
  await page.screenshot({ path: join(screenshots, 'report-summary.png') });
  await page.locator('article.threat').first().scrollIntoViewIfNeeded();
  await page.locator('article.threat').first().screenshot({ path: join(screenshots, 'report-threat.png') });
  assert.ok(statSync(join(screenshots, 'report-summary.png')).size > 20_000);
  assert.deepEqual(problems, []);
  await page.close();
});
