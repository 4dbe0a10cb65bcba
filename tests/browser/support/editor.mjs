// What a user does in the diagram editor, with real input events: HTML5 drag
// from the palette (the palette uses the browser's drag and drop), pointer
// drags between handles, on nodes and on resize handles.

import assert from 'node:assert/strict';

/** Signs in on the login page (the app sends a signed-out visitor there). */
export async function signIn(page, base, username, password, path = '/') {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** Waits until the editor shows the model and its first analysis. */
export async function waitForEditor(page) {
  await page.locator('.ed-canvas .react-flow__viewport').waitFor();
  await page.locator('.ed-save-state').waitFor();
  await waitForAnalysis(page);
}

/** Waits until the live analysis has answered for the current diagram. */
export async function waitForAnalysis(page) {
  await page.waitForFunction(() => {
    const status = document.querySelector('.ed-status');
    if (!status) return false;
    const text = status.textContent ?? '';
    return !text.includes('Analysing') && !text.includes('Waiting for the first analysis');
  });
}

/** The canvas's box on the screen. */
export async function canvasBox(page) {
  const box = await page.locator('.ed-canvas').boundingBox();
  assert.ok(box, 'the canvas is on screen');
  return box;
}

/**
 * Drags palette entry `type` onto the canvas at `at` (pixels from the
 * canvas's top-left corner). The palette is searched first, as a user would
 * to find one entry among the catalog's hundreds.
 */
export async function dropFromPalette(page, type, at, { search } = {}) {
  const field = page.getByLabel('Search the palette');
  if (search !== undefined) await field.fill(search);
  const item = page.getByTestId(`palette-item-${type}`).first();
  await item.scrollIntoViewIfNeeded();
  await item.dragTo(page.locator('.ed-canvas'), { targetPosition: at });
  if (search !== undefined) await field.fill('');
}

/** The centre of an element's box. */
async function centreOf(locator) {
  const box = await locator.boundingBox();
  assert.ok(box, 'the element is on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Presses the mouse at `from`, moves in steps to `to`, releases. */
export async function pointerDrag(page, from, to, steps = 12) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + (to.x - from.x) / steps, from.y + (to.y - from.y) / steps, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

/** Draws a flow by dragging from `from`'s source handle (right) to `to`'s target handle (left). */
export async function connect(page, from, to) {
  const source = page.getByTestId(`node-${from}`).locator('.react-flow__handle.source');
  const target = page.getByTestId(`node-${to}`).locator('.react-flow__handle.target');
  await pointerDrag(page, await centreOf(source), await centreOf(target));
}

/** Drags a node by its body so that its top-left corner moves by (dx, dy) screen pixels. */
export async function dragNodeBy(page, id, dx, dy) {
  const node = page.getByTestId(`node-${id}`);
  const box = await node.boundingBox();
  assert.ok(box, `node ${id} is on screen`);
  // Grab the node away from its handles and badges.
  const from = { x: box.x + box.width * 0.35, y: box.y + box.height * 0.5 };
  await pointerDrag(page, from, { x: from.x + dx, y: from.y + dy });
}

/** Moves a node so that its centre lands on `point` (screen pixels). */
export async function dragNodeTo(page, id, point) {
  const box = await page.getByTestId(`node-${id}`).boundingBox();
  assert.ok(box, `node ${id} is on screen`);
  await dragNodeBy(page, id, point.x - (box.x + box.width / 2), point.y - (box.y + box.height / 2));
}

/**
 * Selects a node with a click: a component or actor on its name, a boundary
 * near its bottom-left corner (its label may lie under a flow's label).
 */
export async function clickNode(page, id) {
  const node = page.getByTestId(`node-${id}`);
  if (await node.evaluate((el) => el.classList.contains('ed-boundary'))) {
    const box = await node.boundingBox();
    await node.click({ position: { x: 12, y: box.height - 12 } });
  } else {
    await node.locator('.ed-node-name').click();
  }
  // The properties panel follows the selection on the next render: wait for it
  // to show this element, or a read right after the click sees the previous one.
  const heading = new RegExp(` ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await page.getByTestId('properties-panel').getByRole('heading', { name: heading }).first().waitFor();
}

/**
 * Every node's rectangle in diagram (flow) coordinates, from its box on the
 * screen and the viewport's transform: independent of pan and zoom.
 */
export async function flowRects(page) {
  return page.evaluate(() => {
    const viewport = document.querySelector('.ed-canvas .react-flow__viewport');
    const pane = document.querySelector('.ed-canvas .react-flow');
    const match = /translate\(([-\d.e]+)px,\s*([-\d.e]+)px\)\s*scale\(([-\d.e]+)\)/.exec(viewport.style.transform);
    const [tx, ty, zoom] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 1];
    const origin = pane.getBoundingClientRect();
    const out = {};
    for (const node of document.querySelectorAll('.ed-canvas [data-testid^="node-"]')) {
      const r = node.getBoundingClientRect();
      out[node.getAttribute('data-testid').slice(5)] = {
        x: (r.left - origin.left - tx) / zoom,
        y: (r.top - origin.top - ty) / zoom,
        width: r.width / zoom,
        height: r.height / zoom,
      };
    }
    return out;
  });
}

/** Ids of the flows drawn on the canvas. */
export async function edgeIds(page, scope = '.ed-canvas') {
  return page.$$eval(`${scope} .react-flow__edge`, (edges) => edges.map((e) => e.getAttribute('data-id')).sort());
}

/** Ids of the nodes drawn on the canvas. */
export async function nodeIds(page, scope = '.ed-canvas') {
  return page.$$eval(`${scope} [data-testid^="node-"]`, (nodes) => nodes.map((n) => n.getAttribute('data-testid').slice(5)).sort());
}

/** The save state shown in the toolbar ("Unsaved changes" / "Saved as version N"). */
export function saveState(page) {
  return page.locator('.ed-save-state');
}

/** Saves a version through the toolbar and the save dialog; waits for the new version number. */
export async function saveVersion(page, message, expectedVersion) {
  await page.getByRole('button', { name: 'Save version' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save version' });
  await dialog.getByLabel('What changed?').fill(message);
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  if (expectedVersion !== undefined) {
    await page.locator('.ed-save-state', { hasText: `Saved as version ${expectedVersion}` }).waitFor();
  }
}

/** Where a field of the properties panel is. */
export function property(page, label) {
  return page.getByTestId('properties-panel').getByLabel(label, { exact: true });
}
