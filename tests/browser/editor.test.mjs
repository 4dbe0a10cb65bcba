// The browser editor as its users meet it: real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) against a real `rampart serve`
// started for this file on a fresh database. Everything is done with real
// input events: the palette's HTML5 drag and drop, pointer drags between
// handles, on nodes and on resize handles, clicks and key presses.
//
// Needs RAMPART_BIN: a `rampart` binary built after `npm run build` in web/,
// so that it serves the app (default target/debug/rampart).
//
// Also writes the README's screenshots: docs/images/editor.png and
// docs/images/threat-panel.png.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { addUser, clientFor, rampartBin, root, setUpProject, startServer } from './support/server.mjs';
import { launchBrowser, openPage } from './support/browser.mjs';
import {
  canvasBox,
  clickNode,
  connect,
  dragNodeTo,
  dropFromPalette,
  edgeIds,
  flowRects,
  nodeIds,
  pointerDrag,
  property,
  saveState,
  saveVersion,
  signIn,
  waitForAnalysis,
  waitForEditor,
} from './support/editor.mjs';

const images = join(root, 'docs/images');
const WIDE = { width: 1680, height: 1050 };

let server;
let browser;
let project;
let alice;
let bob;
let aliceApi;
let work;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'rampart-editor-test-'));
  server = await startServer();
  const setup = await setUpProject(server, {
    username: 'alice',
    displayName: 'Alice Architect',
    role: 'security-architect',
    unitName: 'Retail',
    projectName: 'Checkout',
  });
  project = setup.project;
  alice = { username: 'alice', password: setup.password };
  const b = await addUser(server, project, { username: 'bob', displayName: 'Bob Builder', role: 'security-architect' });
  bob = { username: 'bob', password: b.password };
  aliceApi = await clientFor(server, alice.username, alice.password);
  browser = await launchBrowser();
});

// Pages a test left open: it failed before closing them. Keep a picture for the post-mortem.
const stillOpen = [];
afterEach(async () => {
  const shots = join(root, 'target/browser');
  for (const session of stillOpen.splice(0)) {
    if (session.page.isClosed()) continue;
    mkdirSync(shots, { recursive: true });
    const file = join(shots, `editor-failure-${Date.now()}.png`);
    await session.page.screenshot({ path: file }).catch(() => undefined);
    console.error(`left open at ${session.page.url()}: screenshot ${file}; problems: ${JSON.stringify(session.problems)}`);
    await session.context.close().catch(() => undefined);
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A signed-in page for `who` at `path`. A visitor who is not signed in yet
 * makes the app ask GET /api/v1/auth/session, which answers 401 by design:
 * Chromium logs that answer as a console error, which is not a problem here.
 */
async function signedIn(who, path = '/', viewport = WIDE) {
  const session = await openPage(browser, server.base, { viewport });
  session.expect(401, '/api/v1/auth/session');
  stillOpen.push(session);
  await signIn(session.page, server.base, who.username, who.password, path);
  return session;
}

/** Creates a model through the API (as Alice); returns its id. */
async function createModel(name, model) {
  const { body } = await aliceApi.post(`/api/v1/projects/${project.id}/models`, { name, message: 'Created by the test', model });
  return body.model.id;
}

/** A saved version's Model JSON. */
async function versionModel(modelId, version) {
  return (await aliceApi.get(`/api/v1/models/${modelId}/versions/${version}`)).body.model;
}

/** Threat ids listed in the threat panel (every group is open for small models). */
async function panelThreatIds(page) {
  return page
    .getByTestId('threat-panel')
    .locator('[data-threat-id]')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-threat-id')).sort());
}

function assertNear(actual, expected, what, tolerance = 3) {
  for (const key of ['x', 'y', 'width', 'height']) {
    if (expected[key] === undefined || actual[key] === undefined) continue;
    assert.ok(
      Math.abs(actual[key] - expected[key]) <= tolerance,
      `${what}: ${key} is ${actual[key]}, expected ${expected[key]} (±${tolerance})`,
    );
  }
}

/** A small shop: user → web app → REST API → database, the API also calls `extra`. */
function smallShop(name, extra = 'cache') {
  const kinds = { cache: 'cache', 'message-queue': 'message-queue' };
  return {
    rampart: 1,
    name,
    actors: [{ id: 'user', name: 'Customer', kind: 'user' }],
    components: [
      { id: 'web-app', name: 'Shop front', kind: 'web-app', exposure: 'internet' },
      { id: 'rest-api', name: 'Orders API', kind: 'rest-api' },
      { id: 'relational-database', name: 'Orders DB', kind: 'relational-database' },
      { id: extra, name: extra === 'cache' ? 'Session cache' : 'Order events', kind: kinds[extra] },
    ],
    flows: [
      { from: 'user', to: 'web-app', protocol: 'https' },
      { from: 'web-app', to: 'rest-api', protocol: 'https', authentication: 'token' },
      { from: 'rest-api', to: 'relational-database', protocol: 'sql', authentication: 'password' },
      { from: 'rest-api', to: extra, protocol: extra === 'cache' ? 'redis' : 'amqp' },
    ],
    layout: {
      user: { x: 20, y: 40 },
      'web-app': { x: 230, y: 40 },
      'rest-api': { x: 230, y: 200 },
      'relational-database': { x: 470, y: 200 },
      [extra]: { x: 470, y: 360 },
    },
  };
}

test('a new user draws a model, triages a threat, saves, and finds everything again after a reload', async () => {
  const { page, problems, expect, context } = await signedIn(alice, '/');
  // Selecting a threat that is not in a saved version yet: the threat panel asks for its stored
  // decision and the server answers 404 (the panel then says "save the model first").
  expect(404, '/threats/missing-rate-limiting%40rest-api');

  // The portfolio lists the project Alice was given a role on.
  await page.locator('a.project-card', { hasText: 'Checkout' }).click();
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();

  // A new, empty model.
  await page.getByRole('button', { name: 'New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  await dialog.getByLabel('Name').fill('Shop');
  await dialog.getByRole('button', { name: 'Create model' }).click();
  await page.waitForURL(/\/models\/[^/]+$/);
  const modelId = new URL(page.url()).pathname.split('/').pop();
  await waitForEditor(page);
  assert.deepEqual(await nodeIds(page), [], 'an empty model has an empty canvas');
  assert.match(await saveState(page).textContent(), /Saved as version 1/);

  // Five components from the palette, dropped where they should stay.
  await dropFromPalette(page, 'actor-user', { x: 100, y: 100 }, { search: 'user' });
  await dropFromPalette(page, 'web-app', { x: 330, y: 100 }, { search: 'web application' });
  await dropFromPalette(page, 'message-queue', { x: 620, y: 100 }, { search: 'message queue' });
  await dropFromPalette(page, 'rest-api', { x: 120, y: 640 }, { search: 'rest api' });
  await dropFromPalette(page, 'relational-database', { x: 380, y: 640 }, { search: 'relational' });
  assert.deepEqual(await nodeIds(page), ['message-queue', 'relational-database', 'rest-api', 'user', 'web-app']);
  assert.match(await saveState(page).textContent(), /Unsaved changes/);

  // Flows, drawn from a node's right handle to another node's left handle.
  await connect(page, 'user', 'web-app');
  await connect(page, 'web-app', 'rest-api');
  await connect(page, 'rest-api', 'relational-database');
  await connect(page, 'rest-api', 'message-queue');
  assert.deepEqual(await edgeIds(page), [
    'rest-api->message-queue',
    'rest-api->relational-database',
    'user->web-app',
    'web-app->rest-api',
  ]);
  // The new flow is selected: the properties panel shows it.
  await page.getByTestId('properties-panel').getByRole('heading', { name: 'Flow rest-api->message-queue' }).waitFor();

  await waitForAnalysis(page);
  const threat = 'threat-missing-rate-limiting@rest-api';
  assert.equal(await page.getByTestId(threat).count(), 0, 'no rate-limiting threat before the API sits behind a boundary');

  // A trust boundary: dropped, resized by its corner, then two components dragged into it.
  await dropFromPalette(page, 'boundary', { x: 400, y: 330 }, { search: 'boundary' });
  const canvas = await canvasBox(page);
  const corner = await page.getByTestId('node-boundary').locator('.react-flow__resize-control.handle.bottom.right').boundingBox();
  assert.ok(corner, 'the new boundary is selected and shows its resize handles');
  await pointerDrag(page, { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 }, { x: canvas.x + 730, y: canvas.y + 530 });
  await dragNodeTo(page, 'rest-api', { x: canvas.x + 400, y: canvas.y + 420 });
  await dragNodeTo(page, 'relational-database', { x: canvas.x + 620, y: canvas.y + 420 });
  const drawn = await flowRects(page);
  assert.ok(drawn.boundary.width > 400 && drawn.boundary.height > 250, `the boundary was resized: ${JSON.stringify(drawn.boundary)}`);
  for (const id of ['rest-api', 'relational-database']) {
    await clickNode(page, id);
    assert.equal(await property(page, 'Boundary').inputValue(), 'boundary', `${id} is inside the boundary`);
  }
  for (const id of ['web-app', 'message-queue']) {
    await clickNode(page, id);
    assert.equal(await property(page, 'Boundary').inputValue(), '', `${id} stays outside the boundary`);
  }

  // The boundary is a restricted zone: the API is now reached from a less trusted zone
  // with no gateway in front, and the engine expects rate limiting.
  await clickNode(page, 'boundary');
  await property(page, 'Trust').selectOption('restricted');
  await page.getByTestId(threat).waitFor();
  await waitForAnalysis(page);

  // Selecting the threat highlights its element.
  await page.getByTestId(threat).click();
  const apiNode = page.getByTestId('node-rest-api');
  await page.waitForFunction(() => document.querySelector('[data-testid="node-rest-api"]')?.classList.contains('is-threat-target'));
  assert.match(await apiNode.textContent(), /threat target/);
  const detail = page.getByTestId('threat-detail');
  assert.match(await detail.getByRole('heading', { level: 3 }).textContent(), /Unrestricted resource consumption/);
  assert.match(await detail.textContent(), /missing-rate-limiting@rest-api/);

  // A picture of the drawn model for whoever reviews a run (not for the README).
  mkdirSync(join(root, 'target/browser'), { recursive: true });
  await page.screenshot({ path: join(root, 'target/browser/editor-drawn.png') });

  // Save a version; then the threat has a stored decision, which Alice sets.
  const beforeSave = await flowRects(page);
  await saveVersion(page, 'Shop: web app, API, database and queue', 2);
  const panel = page.getByTestId('threat-panel');
  await panel.getByTestId('threat-decision').waitFor();
  await panel.getByLabel('Status', { exact: true }).selectOption('accepted');
  const justification = 'The API gateway in front of the API rate-limits every client.';
  await panel.getByLabel('Justification', { exact: true }).fill(justification);
  await panel.getByRole('button', { name: 'Save status' }).click();
  await panel.getByTestId('threat-decision').filter({ hasText: 'Accepted' }).waitFor();

  // What the server stored.
  const versions = (await aliceApi.get(`/api/v1/models/${modelId}/versions`)).body.items;
  assert.equal(versions[0].version, 2);
  assert.equal(versions[0].message, 'Shop: web app, API, database and queue');
  assert.equal(versions[0].author, 'alice');
  const stored = (await aliceApi.get(`/api/v1/models/${modelId}/threats/${encodeURIComponent('missing-rate-limiting@rest-api')}`)).body;
  assert.equal(stored.decision.status, 'accepted');
  assert.equal(stored.decision.justification, justification);
  const saved = await versionModel(modelId, 2);
  assert.equal(saved.components.find((c) => c.id === 'rest-api').boundary, 'boundary');
  assert.equal(saved.components.find((c) => c.id === 'relational-database').boundary, 'boundary');
  assert.equal(saved.components.find((c) => c.id === 'web-app').boundary, undefined);
  assert.equal(saved.boundaries[0].trust, 'restricted');
  for (const [id, rect] of Object.entries(beforeSave)) assertNear(saved.layout[id], rect, `stored layout of ${id}`);

  // The command line agrees: the saved document has the threat, and loses it without the boundary's trust.
  const file = join(work, 'shop.json');
  writeFileSync(file, JSON.stringify(saved));
  const cli = JSON.parse(execFileSync(rampartBin, ['analyze', file, '--format', 'json'], { maxBuffer: 1 << 28 }).toString());
  assert.ok(cli.threats.some((t) => t.id === 'missing-rate-limiting@rest-api'), 'rampart analyze finds the threat');
  writeFileSync(file, JSON.stringify({ ...saved, boundaries: saved.boundaries.map(({ trust, ...b }) => b) }));
  const without = JSON.parse(execFileSync(rampartBin, ['analyze', file, '--format', 'json'], { maxBuffer: 1 << 28 }).toString());
  assert.ok(!without.threats.some((t) => t.id === 'missing-rate-limiting@rest-api'), 'not without the restricted zone');

  // Reload: the same diagram, at the same places, and the same decision.
  await page.reload();
  await waitForEditor(page);
  assert.match(await saveState(page).textContent(), /Saved as version 2/);
  assert.deepEqual(await nodeIds(page), ['boundary', 'message-queue', 'relational-database', 'rest-api', 'user', 'web-app']);
  // React Flow draws a flow once both its ends are measured: on a busy machine
  // the last ones can come a moment after the nodes.
  await page.waitForFunction(() => document.querySelectorAll('.ed-canvas .react-flow__edge').length >= 4);
  assert.deepEqual(await edgeIds(page), [
    'rest-api->message-queue',
    'rest-api->relational-database',
    'user->web-app',
    'web-app->rest-api',
  ]);
  const reloaded = await flowRects(page);
  for (const [id, rect] of Object.entries(beforeSave)) assertNear(reloaded[id], rect, `position of ${id} after the reload`);
  for (const id of ['rest-api', 'relational-database']) {
    await clickNode(page, id);
    assert.equal(await property(page, 'Boundary').inputValue(), 'boundary', `${id} is still inside the boundary`);
  }
  await clickNode(page, 'boundary');
  assert.equal(await property(page, 'Trust').inputValue(), 'restricted');

  // An accepted threat is resolved: listed once resolved threats are shown, with its status.
  await page.getByTestId('threat-panel').getByLabel(/Show resolved/).check();
  const row = page.getByTestId(threat);
  await row.waitFor();
  assert.match(await row.textContent(), /Accepted/);
  await row.click();
  await page.getByTestId('threat-decision').filter({ hasText: justification }).waitFor();

  assert.deepEqual(problems, []);
  await context.close();
});

test('importing a Threagile file shows its diagram and threats', async () => {
  const { page, problems, context } = await signedIn(alice, `/projects/${project.id}`);
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  await page.getByRole('button', { name: 'New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  await dialog.getByLabel('Upload a file').check();
  await dialog.getByLabel('File', { exact: true }).setInputFiles(join(root, 'crates/rampart-server/tests/fixtures/threagile.yaml'));
  await dialog.getByRole('button', { name: 'Create model' }).click();
  await page.waitForURL(/\/models\/[^/]+$/);
  const modelId = new URL(page.url()).pathname.split('/').pop();
  await waitForEditor(page);

  const model = await versionModel(modelId, 1);
  assert.equal(model.name, 'Booking Service');
  const expectedNodes = [...(model.components ?? []), ...(model.actors ?? []), ...(model.boundaries ?? [])].map((e) => e.id).sort();
  const shown = await nodeIds(page);
  assert.equal(shown.length, expectedNodes.length, `nodes shown: ${shown.join(', ')}`);
  assert.deepEqual(shown, expectedNodes);
  for (const id of ['booking-web', 'booking-api', 'booking-db', 'booking-network']) assert.ok(shown.includes(id), `${id} is drawn`);
  assert.deepEqual(await edgeIds(page), ['booking-api.booking-queries', 'booking-web.booking-calls']);

  // The import's warning is shown, and the threat panel lists what the server found.
  await page.getByRole('status').filter({ hasText: /Imported with/ }).waitFor();
  const stored = (await aliceApi.get(`/api/v1/models/${modelId}/threats?limit=500`)).body.items;
  const unresolved = stored.filter((t) => t.status === 'open' || t.status === 'in-progress').map((t) => t.id).sort();
  assert.deepEqual(await panelThreatIds(page), unresolved, 'unresolved threats are listed by default');
  // The imported model has encryption at rest: that threat is mitigated, listed with the resolved ones.
  await page.getByTestId('threat-panel').getByLabel(/Show resolved/).check();
  const listed = await panelThreatIds(page);
  assert.deepEqual(listed, stored.map((t) => t.id).sort());
  assert.match(await page.getByTestId('threat-sensitive-data-unencrypted-at-rest@booking-db').textContent(), /Mitigated/);
  for (const id of ['sql-injection@booking-api', 'unencrypted-flow@booking-api.booking-queries', 'missing-rate-limiting@booking-api']) {
    assert.ok(listed.includes(id), `${id} is listed`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the version diff lists and highlights added, removed and changed elements and threats', async () => {
  const modelId = await createModel('Orders', smallShop('Orders'));
  const { page, problems, context } = await signedIn(alice, `/models/${modelId}`);
  await waitForEditor(page);

  // v2: the cache goes, a message queue comes, and the API's technology changes.
  await clickNode(page, 'cache');
  await page.keyboard.press('Delete');
  await page.getByTestId('node-cache').waitFor({ state: 'detached' });
  await dropFromPalette(page, 'message-queue', { x: 620, y: 520 }, { search: 'message queue' });
  await connect(page, 'rest-api', 'message-queue');
  await clickNode(page, 'rest-api');
  await property(page, 'Technology').fill('Node.js 22');
  await waitForAnalysis(page);
  await saveVersion(page, 'Queue instead of cache', 2);

  const diff = (await aliceApi.get(`/api/v1/models/${modelId}/diff?from=1&to=2`)).body;
  assert.ok(diff.elements.added.includes('message-queue'));
  assert.ok(diff.elements.removed.includes('cache'));
  assert.ok(diff.elements.changed.includes('rest-api'));

  // History → pick both versions → compare.
  await page.getByRole('tab', { name: 'History' }).click();
  await page.getByLabel('Compare version 1').check();
  await page.getByLabel('Compare version 2').check();
  await page.getByRole('button', { name: 'Compare v1 and v2' }).click();
  await page.waitForURL(/\/diff\?from=1&to=2/);
  await page.getByRole('heading', { name: /Changes in Orders/ }).waitFor();
  const lists = page.getByRole('complementary', { name: 'What changed' });

  async function listed(heading) {
    const group = lists.locator('.diff-group').filter({ has: page.getByRole('heading', { name: heading }) });
    return group.locator('.diff-item').evaluateAll((items) =>
      items.map((item) => item.getAttribute('title') ?? item.querySelector('.diff-item-id')?.textContent ?? item.querySelector('.diff-item-name')?.textContent),
    );
  }
  const added = await lists.locator('.diff-group').filter({ has: page.getByRole('heading', { name: /^Added/ }) }).textContent();
  const removed = await lists.locator('.diff-group').filter({ has: page.getByRole('heading', { name: /^Removed/ }) }).textContent();
  const changed = await lists.locator('.diff-group').filter({ has: page.getByRole('heading', { name: /^Changed/ }) }).textContent();
  assert.match(added, /Order events|message-queue/);
  assert.match(added, /rest-api->message-queue/);
  assert.match(removed, /Session cache|cache/);
  assert.match(removed, /rest-api->cache/);
  assert.match(changed, /Orders API|rest-api/);
  assert.equal(
    await lists.getByRole('heading', { name: /^Added/ }).textContent(),
    `Added (${diff.elements.added.length})`,
  );

  // Threats: every added and resolved one the server reports, by id.
  const threatsAdded = (await listed(/^Threats added/)).sort();
  const threatsResolved = (await listed(/^Threats resolved/)).sort();
  assert.ok(threatsAdded.includes('queue-message-injection@message-queue'), `added threats: ${threatsAdded.join(', ')}`);
  assert.ok(threatsResolved.some((id) => id.endsWith('@cache') || id.includes('->cache')), `resolved threats: ${threatsResolved.join(', ')}`);

  // The diagram marks them with a text badge (not colour alone).
  const view = page.getByTestId('diagram-view');
  await view.getByTestId('node-message-queue').waitFor();
  assert.equal(await view.getByTestId('node-message-queue').locator('.ed-diff-badge').textContent(), 'added');
  assert.equal(await view.getByTestId('node-cache').locator('.ed-diff-badge').textContent(), 'removed');
  assert.equal(await view.getByTestId('node-rest-api').locator('.ed-diff-badge').textContent(), 'changed');
  assert.equal(await view.getByTestId('node-user').locator('.ed-diff-badge').count(), 0, 'unchanged elements carry no badge');

  assert.deepEqual(problems, []);
  await context.close();
});

test('two people saving the same model: the second gets the conflict dialog, nothing is overwritten', async () => {
  const modelId = await createModel('Payments', smallShop('Payments'));
  const first = await signedIn(alice, `/models/${modelId}`);
  const second = await signedIn(bob, `/models/${modelId}`);
  // Bob's save is refused with 409 on purpose.
  second.expect(409, `/api/v1/models/${modelId}`);
  await waitForEditor(first.page);
  await waitForEditor(second.page);

  await dropFromPalette(first.page, 'background-worker', { x: 620, y: 560 }, { search: 'background worker' });
  await saveVersion(first.page, "Alice's worker", 2);

  await dropFromPalette(second.page, 'search-index', { x: 120, y: 560 }, { search: 'search index' });
  await second.page.getByRole('button', { name: 'Save version' }).click();
  const save = second.page.getByRole('dialog', { name: 'Save version' });
  await save.getByLabel('What changed?').fill("Bob's search index");
  await save.getByRole('button', { name: 'Save', exact: true }).click();

  const conflict = second.page.getByRole('dialog', { name: 'Someone else saved this model' });
  await conflict.waitFor();
  await conflict.getByText(/saved version 2/).waitFor();
  assert.match(await conflict.textContent(), /Alice Architect|alice/);
  assert.match(await conflict.textContent(), /Nothing was overwritten/);

  // The server kept Alice's version only.
  const info = (await aliceApi.get(`/api/v1/models/${modelId}`)).body;
  assert.equal(info.head_version, 2);
  const head = await versionModel(modelId, 2);
  assert.ok(head.components.some((c) => c.id === 'background-worker'));
  assert.ok(!head.components.some((c) => c.id === 'search-index'));

  await conflict.getByRole('button', { name: /Reload their version/ }).click();
  await conflict.waitFor({ state: 'detached' });
  await second.page.getByTestId('node-background-worker').waitFor();
  assert.equal(await second.page.getByTestId('node-search-index').count(), 0, "Bob's unsaved component is gone");
  await second.page.locator('.ed-save-state', { hasText: 'Saved as version 2' }).waitFor();

  assert.deepEqual(first.problems, []);
  assert.deepEqual(second.problems, []);
  await first.context.close();
  await second.context.close();
});

test('zoomed far out, a large diagram is an overview picture: a click selects, zooming in brings the elements back', async () => {
  // 120 components in a grid (a stored layout, so positions are known) and a chain of flows: 239 items.
  const components = [];
  const layout = {};
  for (let i = 0; i < 120; i += 1) {
    components.push({ id: `c${i}`, name: `Component ${i}`, kind: i % 3 === 0 ? 'relational-database' : 'web-app' });
    layout[`c${i}`] = { x: (i % 12) * 260, y: Math.floor(i / 12) * 140 };
  }
  const flows = components.slice(1).map((c, i) => ({ from: `c${i}`, to: c.id, protocol: 'https' }));
  const modelId = await createModel('Overview', { rampart: 1, name: 'Overview', components, flows, layout });
  const { page, problems, context } = await signedIn(alice, `/models/${modelId}`);
  await waitForEditor(page);

  await page.getByRole('button', { name: 'Zoom to fit' }).click();
  await page.locator('.ed-canvas.ed-far canvas.ed-far-canvas').waitFor();
  const view = async () =>
    page.evaluate(() => {
      const m = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(document.querySelector('.ed-canvas .react-flow__viewport').style.transform);
      return { x: Number(m[1]), y: Number(m[2]), zoom: Number(m[3]) };
    });
  const far = await view();
  assert.ok(far.zoom < 0.3, `zoom to fit is far out (${far.zoom})`);
  // The elements are still there (measured, for the flows), but not painted.
  assert.equal(await page.locator('.ed-canvas .react-flow__node').count(), 120);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.ed-canvas .react-flow__nodes')).contentVisibility), 'hidden');

  // A click on c17's box (row 1, column 5; 180 × 64) selects it.
  const box = await canvasBox(page);
  await page.mouse.click(box.x + far.x + (5 * 260 + 90) * far.zoom, box.y + far.y + (140 + 32) * far.zoom);
  await page.getByTestId('properties-panel').getByRole('heading', { name: 'Component c17' }).waitFor();

  // Zooming in past 30 % brings back the full drawing, the selection kept.
  for (let i = 0; i < 12 && (await page.locator('.ed-canvas.ed-far').count()) > 0; i += 1) {
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await page.waitForTimeout(150);
  }
  assert.equal(await page.locator('.ed-far-canvas').count(), 0);
  assert.ok((await view()).zoom >= 0.3);
  await page.getByTestId('properties-panel').getByRole('heading', { name: 'Component c17' }).waitFor();
  assert.ok(await page.locator('.ed-canvas .react-flow__node').first().isVisible());
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard: "?" opens the shortcuts, Escape closes them; a drop can be undone and redone', async () => {
  const modelId = await createModel('Keys', smallShop('Keys'));
  const { page, problems, context } = await signedIn(alice, `/models/${modelId}`);
  await waitForEditor(page);

  // Focus on the canvas (not in a field), then "?".
  const canvas = await canvasBox(page);
  await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height - 60);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match(await help.textContent(), /Undo/);
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  // The toolbar button opens the same list.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await help.waitFor();
  assert.ok(await help.evaluate((dialog) => dialog.contains(document.activeElement)), 'focus moves into the dialog');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Keyboard shortcuts', 'focus returns to the button');

  const before = await nodeIds(page);
  await dropFromPalette(page, 'cdn', { x: 120, y: 560 }, { search: 'content delivery' });
  await page.getByTestId('node-cdn').waitFor();
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByTestId('node-cdn').waitFor({ state: 'detached' });
  assert.deepEqual(await nodeIds(page), before);
  await page.getByRole('button', { name: 'Redo' }).click();
  await page.getByTestId('node-cdn').waitFor();

  // The same with the keys, focus on the canvas.
  await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height - 60);
  await page.keyboard.press('Control+z');
  await page.getByTestId('node-cdn').waitFor({ state: 'detached' });
  await page.keyboard.press('Control+Shift+z');
  await page.getByTestId('node-cdn').waitFor();
  assert.match(await saveState(page).textContent(), /Unsaved changes/);

  assert.deepEqual(problems, []);
  await context.close();
});

test('a person changes their password from the top bar and signs in with the new one', async () => {
  const carol = await addUser(server, project, { username: 'carol', displayName: 'Carol Changer', role: 'viewer' });
  const { page, problems, context } = await signedIn({ username: 'carol', password: carol.password });
  await page.getByRole('button', { name: 'Password' }).click();
  const dialog = page.getByRole('dialog', { name: 'Change password' });
  await dialog.getByLabel('Current password').fill(carol.password);
  await dialog.getByLabel('New password', { exact: true }).fill('carol has a new password');
  await dialog.getByLabel('New password again').fill('carol has a different one');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  assert.match(await dialog.getByRole('alert').textContent(), /differ/, 'checked before anything is sent');
  await dialog.getByLabel('New password again').fill('carol has a new password');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByRole('status').filter({ hasText: /password is changed/ }).waitFor();
  await dialog.getByRole('button', { name: 'Done' }).click();
  // Still signed in here; the old password no longer works and the new one does.
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await assert.rejects(clientFor(server, 'carol', carol.password), /401/);
  await clientFor(server, 'carol', 'carol has a new password');
  assert.deepEqual(problems, []);
  await context.close();
});

test('screenshots of the editor and the threat panel for the README', async () => {
  mkdirSync(images, { recursive: true });
  const { page, problems, context } = await signedIn(alice, `/projects/${project.id}`, WIDE);
  await page.getByRole('button', { name: 'New model' }).click();
  const dialog = page.getByRole('dialog', { name: 'New model' });
  await dialog.getByLabel('From a template').check();
  await dialog.getByLabel(/Three-tier web application/).check();
  await dialog.getByRole('button', { name: 'Create model' }).click();
  await page.waitForURL(/\/models\/[^/]+$/);
  await waitForEditor(page);

  // The most severe threat on an element (not on the whole model), selected.
  const rows = page.getByTestId('threat-panel').locator('[data-threat-id]');
  const ids = await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-threat-id')));
  const drawn = new Set(await nodeIds(page));
  const pick = ids.find((id) => drawn.has(id.slice(id.indexOf('@') + 1)));
  assert.ok(pick, `a threat on an element among ${ids.join(', ')}`);
  await page.getByTestId(`threat-${pick}`).click();
  const target = pick.slice(pick.indexOf('@') + 1);
  await page.waitForFunction((id) => document.querySelector(`[data-testid="node-${id}"]`)?.classList.contains('is-threat-target'), target);
  // "Show it in the diagram": the view centres on the element, at a readable zoom, and selects it.
  await page.getByTestId('threat-detail').getByTitle('Show it in the diagram').click();
  await page.getByTestId('properties-panel').getByRole('heading', { name: new RegExp(`^Component ${target}$`) }).waitFor();
  // Let the view's short animation end.
  await page.waitForTimeout(600);

  await page.screenshot({ path: join(images, 'editor.png') });
  await page.getByTestId('threat-panel').screenshot({ path: join(images, 'threat-panel.png') });
  assert.ok(statSync(join(images, 'editor.png')).size > 50_000);
  assert.ok(statSync(join(images, 'threat-panel.png')).size > 20_000);
  assert.deepEqual(problems, []);
  await context.close();
});
