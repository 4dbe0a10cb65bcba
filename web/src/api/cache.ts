// Answers that do not change during a session: fetched once, shared by every page.
import { api, must } from './client';
import type { AuthMethods, Catalog, ModelSchema, TemplateInfo } from './types';

const cache = new Map<string, Promise<unknown>>();

function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let pending = cache.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = load();
    cache.set(key, pending);
    // A failed load is not kept: the next call tries again.
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** GET /api/v1/catalog, once per session. */
export function getCatalog(): Promise<Catalog> {
  return once('catalog', () => must(api.GET('/api/v1/catalog')) as Promise<Catalog>);
}

/** GET /api/v1/model-schema, once per session. */
export function getModelSchema(): Promise<ModelSchema> {
  // API boundary: the OpenAPI document gives this answer no schema; it is a JSON Schema object.
  return once('model-schema', () => must(api.GET('/api/v1/model-schema')) as unknown as Promise<ModelSchema>);
}

/** GET /api/v1/templates, once per session. */
export function getTemplates(): Promise<TemplateInfo[]> {
  return once('templates', async () => {
    const page = (await must(api.GET('/api/v1/templates'))) as { items: TemplateInfo[] };
    return page.items;
  });
}

/** GET /api/v1/auth/methods (not cached: it is asked for on the sign-in page only). */
export async function getAuthMethods(): Promise<AuthMethods> {
  return (await must(api.GET('/api/v1/auth/methods'))) as AuthMethods;
}

export function clearSessionCaches(): void {
  cache.clear();
}
