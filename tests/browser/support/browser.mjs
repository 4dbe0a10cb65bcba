// Debian's Chromium driven by playwright-core, with the flags this machine's
// closed network needs, and pages that record what a careful user would
// notice: console errors, uncaught exceptions, requests to other hosts.

import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A browser with a fresh (temporary) profile; each context is a separate user. */
export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * A new context and page on `base`, recording problems. `expected` lists the
 * failed responses the scenario provokes on purpose ({ status, path }, path a
 * substring of the URL); Chromium logs each as a console error, which is
 * then not counted as a problem.
 */
export async function openPage(browser, base, { viewport = { width: 1440, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const origin = new URL(base).origin;
  const problems = [];
  const expected = [];
  // Failed responses by URL, to tell an expected "Failed to load resource" from another.
  const failed = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push({ status: response.status(), url: response.url(), method: response.request().method() });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const url = message.location()?.url ?? '';
    if (text.startsWith('Failed to load resource')) {
      const status = Number(/status of (\d+)/.exec(text)?.[1]);
      if (expected.some((e) => e.status === status && url.includes(e.path))) return;
      problems.push(`console error: ${text} (${url})`);
      return;
    }
    problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) problems.push(`request to another host: ${url}`);
  });
  return {
    context,
    page,
    problems,
    failed,
    /** Declares a failed response the scenario causes on purpose. */
    expect(status, path) {
      expected.push({ status, path });
    },
  };
}
