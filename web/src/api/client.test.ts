import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, loginPath, must } from './client';

interface Seen {
  method: string;
  url: string;
  csrf: string | null;
  credentials: RequestCredentials;
  contentType: string | null;
}

function fakeServer(answer: (request: Request) => Response) {
  const seen: Seen[] = [];
  const fetch = vi.fn(async (request: Request) => {
    seen.push({
      method: request.method,
      url: request.url,
      csrf: request.headers.get('X-CSRF-Token'),
      credentials: request.credentials,
      contentType: request.headers.get('Content-Type'),
    });
    return answer(request);
  });
  return { fetch, seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const errorBody = (status: number, code: string, message: string, field: string | null = null) => ({
  error: { status, code, message, field, details: null },
});

describe('CSRF middleware', () => {
  it('sends the token on writes only', async () => {
    const server = fakeServer(() => json(200, { items: [], total: 0, limit: 50, offset: 0 }));
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch, getToken: () => 'tok-1' });
    await api.GET('/api/v1/business-units');
    await api.POST('/api/v1/auth/logout');
    await api.PUT('/api/v1/models/{model}', {
      params: { path: { model: 'm1' }, header: { 'If-Match': '"m1-v3"' } as never },
      body: { message: 'x', model: { rampart: 1, name: 'x' } },
    });
    await api.DELETE('/api/v1/tokens/{token}', { params: { path: { token: 't' } } });
    expect(server.seen.map((s) => [s.method, s.csrf])).toEqual([
      ['GET', null],
      ['POST', 'tok-1'],
      ['PUT', 'tok-1'],
      ['DELETE', 'tok-1'],
    ]);
    expect(server.seen.every((s) => s.credentials === 'same-origin')).toBe(true);
  });

  it('sends no header when there is no token', async () => {
    const server = fakeServer(() => new Response(null, { status: 204 }));
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch, getToken: () => null });
    await api.POST('/api/v1/auth/logout');
    expect(server.seen[0].csrf).toBeNull();
  });

  it('keeps the request body and headers', async () => {
    let body = '';
    const server = fakeServer(() => json(201, { ok: true }));
    server.fetch.mockImplementation(async (request: Request) => {
      body = await request.text();
      server.seen.push({
        method: request.method,
        url: request.url,
        csrf: request.headers.get('X-CSRF-Token'),
        credentials: request.credentials,
        contentType: request.headers.get('Content-Type'),
      });
      return json(200, { user: {}, grants: [], via: 'session' });
    });
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch, getToken: () => 'tok' });
    await api.POST('/api/v1/auth/login', { body: { username: 'a', password: 'b' } });
    expect(JSON.parse(body)).toEqual({ username: 'a', password: 'b' });
    expect(server.seen[0].contentType).toBe('application/json');
    expect(server.seen[0].csrf).toBe('tok');
  });
});

describe('error mapping', () => {
  it('throws ApiError with the body fields', async () => {
    const server = fakeServer(() => json(409, errorBody(409, 'conflict', 'stale version', null)));
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch, onUnauthorized: () => undefined });
    const call = api.GET('/api/v1/models/{model}', { params: { path: { model: 'm' } } });
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(
      api.GET('/api/v1/models/{model}', { params: { path: { model: 'm' } } }),
    ).rejects.toMatchObject({ status: 409, code: 'conflict', message: 'stale version', field: null });
  });

  it('sends the user to sign in on a 401, except for the session and login calls', async () => {
    const server = fakeServer(() => json(401, errorBody(401, 'unauthorized', 'sign in')));
    const onUnauthorized = vi.fn();
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch, onUnauthorized });
    await expect(api.GET('/api/v1/business-units')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(api.GET('/api/v1/auth/session')).rejects.toMatchObject({ status: 401 });
    await expect(api.POST('/api/v1/auth/login', { body: { username: 'a', password: 'b' } })).rejects.toMatchObject({
      status: 401,
    });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('does not redirect on other errors', async () => {
    const server = fakeServer(() => json(403, errorBody(403, 'forbidden', 'viewers cannot')));
    const onUnauthorized = vi.fn();
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch, onUnauthorized });
    await expect(api.POST('/api/v1/auth/logout')).rejects.toMatchObject({ code: 'forbidden' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('must() returns the body of a success', async () => {
    const server = fakeServer(() => json(200, { password: true, oidc: null }));
    const api = createApiClient({ baseUrl: 'http://rampart.test', fetch: server.fetch });
    await expect(must(api.GET('/api/v1/auth/methods'))).resolves.toEqual({ password: true, oidc: null });
  });
});

describe('loginPath', () => {
  it('carries the current path', () => {
    expect(loginPath('/models/a?tab=history')).toBe('/login?next=%2Fmodels%2Fa%3Ftab%3Dhistory');
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('/login?next=/x')).toBe('/login');
  });
});
