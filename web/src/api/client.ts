// The typed API client: same origin, cookie session, CSRF header on writes, errors as ApiError.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, errorFromResponse } from './errors';

export { ApiError } from './errors';

/** The paths of the server's OpenAPI document (generated; `npm run api:check` keeps it current). */
export type ApiPaths = paths;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Requests whose 401 is an answer for the caller, not a reason to go to the sign-in page. */
const NO_REDIRECT_PATHS = ['/api/v1/auth/session', '/api/v1/auth/login', '/api/v1/auth/methods'];

let csrfToken: string | null = null;

/** The session's CSRF token, sent as `X-CSRF-Token` on every write. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** The current in-app location as a path (`/models/x?y=1`). */
function currentPath(): string {
  if (typeof window === 'undefined') return '/';
  return window.location.pathname + window.location.search + window.location.hash;
}

/** The sign-in page's address that comes back to `next` afterwards. */
export function loginPath(next: string): string {
  if (!next || next === '/' || next.startsWith('/login')) return '/login';
  return `/login?next=${encodeURIComponent(next)}`;
}

function defaultUnauthorized(): void {
  if (typeof window === 'undefined') return;
  if (window.location.pathname === '/login') return;
  window.location.assign(loginPath(currentPath()));
}

let unauthorizedHandler: () => void = defaultUnauthorized;

/** Replaces what happens on a 401 (the app routes to /login without a full page load). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler ?? defaultUnauthorized;
}

export interface MiddlewareOptions {
  getToken?: () => string | null;
  onUnauthorized?: () => void;
}

function pathOf(url: string): string {
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return url;
  }
}

/**
 * The client's middleware: adds the CSRF header to writes and turns every non-2xx
 * answer into a thrown ApiError (after sending the user to sign in on a 401).
 */
export function rampartMiddleware(options: MiddlewareOptions = {}): Middleware {
  const getToken = options.getToken ?? getCsrfToken;
  return {
    onRequest({ request }) {
      if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
      const token = getToken();
      if (!token || request.headers.has('X-CSRF-Token')) return undefined;
      const headers = new Headers(request.headers);
      headers.set('X-CSRF-Token', token);
      return new Request(request, { headers });
    },
    async onResponse({ request, response }) {
      if (response.ok) return undefined;
      const error = await errorFromResponse(response);
      if (response.status === 401 && !NO_REDIRECT_PATHS.includes(pathOf(request.url))) {
        (options.onUnauthorized ?? unauthorizedHandler)();
      }
      throw error;
    },
  };
}

export interface ClientOptions extends MiddlewareOptions {
  baseUrl?: string;
  fetch?: (input: Request) => Promise<Response>;
}

export function createApiClient(options: ClientOptions = {}) {
  const client = createClient<ApiPaths>({
    baseUrl: options.baseUrl ?? '',
    credentials: 'same-origin',
    // Looked up at call time, so that a replaced global fetch (tests, instrumentation) is used.
    fetch: options.fetch ?? ((request: Request) => globalThis.fetch(request)),
  });
  client.use(rampartMiddleware(options));
  return client;
}

/**
 * The app's client. Calls reject with ApiError on any non-2xx answer, so `data` is present
 * whenever the call resolves with a body; `must()` turns that into a non-optional value.
 */
export const api = createApiClient();

export type ApiClient = typeof api;

/** The body of a successful call (throws when the server sent none). */
export async function must<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await call;
  if (data === undefined) {
    throw new ApiError(response.status, 'empty-response', 'The server sent an empty answer.');
  }
  return data;
}
