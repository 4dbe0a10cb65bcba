// A throw-away `rampart serve` for browser tests and benchmarks: its own data
// directory, an administrator made with `rampart admin create-user`, a port
// the server picks itself, and a small API client (cookie session + CSRF token) for setting up
// business units, projects, users and models through the REST API.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../../..');
export const rampartBin = process.env.RAMPART_BIN ?? join(root, 'target/debug/rampart');

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * An API session against `base`: signs in with a password, keeps the session
 * cookie by hand (it is `Secure`, which Node's fetch would not care about
 * anyway) and sends the CSRF token with every write.
 */
export class ApiClient {
  constructor(base) {
    this.base = base;
    this.cookie = '';
    this.csrf = '';
    this.session = null;
  }

  async login(username, password) {
    const response = await fetch(`${this.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new Error(`login of ${username}: ${response.status} ${await response.text()}`);
    const setCookie = response.headers.get('set-cookie') ?? '';
    this.cookie = setCookie.split(';')[0];
    this.session = await response.json();
    this.csrf = this.session.csrf_token;
    return this.session;
  }

  /** Sends a request; JSON bodies are encoded; returns { status, headers, body }. Throws unless 2xx (or `allow`). */
  async request(method, path, { json, raw, headers = {}, allow = [] } = {}) {
    const all = { cookie: this.cookie, ...headers };
    if (method !== 'GET' && method !== 'HEAD') all['x-csrf-token'] = this.csrf;
    let body;
    if (json !== undefined) {
      all['content-type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (raw !== undefined) {
      all['content-type'] ??= 'application/octet-stream';
      body = raw;
    }
    const response = await fetch(`${this.base}${path}`, { method, headers: all, body });
    const text = await response.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text.
    }
    if (!response.ok && !allow.includes(response.status)) {
      throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  get(path, options) {
    return this.request('GET', path, options);
  }
  post(path, json, options = {}) {
    return this.request('POST', path, { ...options, json });
  }
  put(path, json, options = {}) {
    return this.request('PUT', path, { ...options, json });
  }
  patch(path, json, options = {}) {
    return this.request('PATCH', path, { ...options, json });
  }
}

/**
 * Starts `rampart serve` on a fresh data directory with an organisation
 * administrator `admin`. Returns { base, admin (ApiClient), stop(), ... }.
 */
export async function startServer({ bin = rampartBin, adminPassword = 'admin-password-for-tests' } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-e2e-data-'));
  execFileSync(bin, ['admin', 'create-user', '--data-dir', dataDir, '--username', 'admin', '--admin', '--display-name', 'Admin'], {
    env: { ...process.env, RAMPART_PASSWORD: adminPassword },
    stdio: 'pipe',
  });
  // The server picks its own port unless RAMPART_TEST_PORT names one, and
  // says which in its "listening on" line: a port found free beforehand can
  // be taken by another connection before the server binds it.
  const port = process.env.RAMPART_TEST_PORT ?? '0';
  const child = spawn(bin, ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Info level: the "listening on" line is how the test learns the address.
    env: { ...process.env, RAMPART_LOG: 'info,sqlx=warn' },
  });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const deadline = Date.now() + 30_000;
  let base = null;
  for (;;) {
    if (exited) throw new Error(`rampart serve exited (${JSON.stringify(exited)}):\n${log}`);
    base ??= log.match(/Rampart is listening on (http:\/\/\S+)/)?.[1] ?? null;
    try {
      const response = base && (await fetch(`${base}/healthz`));
      if (response?.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rampart serve did not answer /healthz within 30 s:\n${log}`);
    }
    await sleep(100);
  }

  // A binary compiled before `npm run build` answers every page with a note instead of the app.
  const home = await (await fetch(`${base}/`)).text();
  if (!home.includes('/assets/')) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${bin} serves no browser app: run \`npm run build\` in web/, then build rampart again`);
  }

  const admin = new ApiClient(base);
  await admin.login('admin', adminPassword);

  async function stop() {
    if (!exited) {
      const gone = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { base, port, dataDir, admin, stop, log: () => log };
}

/**
 * Creates a business unit and a project (as the administrator), and a local
 * user with `role` on the project. Returns { unit, project, user, password }.
 */
export async function setUpProject(server, { username, password = 'a-long-test-password', displayName, role = 'security-architect', unitName = 'Retail', projectName = 'Checkout' }) {
  const { admin } = server;
  const unit = (await admin.post('/api/v1/business-units', { name: unitName, description: 'Created by the browser tests' })).body;
  const project = (await admin.post('/api/v1/projects', { business_unit_id: unit.id, name: projectName, description: 'Browser tests' })).body;
  const user = await addUser(server, project, { username, password, displayName, role });
  return { unit, project, user, password };
}

/** A local account with `role` on `project`. */
export async function addUser(server, project, { username, password = 'a-long-test-password', displayName, role = 'security-architect' }) {
  const { admin } = server;
  const user = (
    await admin.post('/api/v1/users', { username, password, display_name: displayName ?? username, email: `${username}@example.com` })
  ).body;
  const id = user.id ?? user.user?.id;
  await admin.put(`/api/v1/projects/${project.id}/members/${id}`, { role });
  return { ...user, id, password };
}

/** A signed-in API client for `username`. */
export async function clientFor(server, username, password) {
  const client = new ApiClient(server.base);
  await client.login(username, password);
  return client;
}
