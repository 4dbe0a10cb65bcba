import { afterEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/client';

// The app's real client and middleware, over a fake fetch that records requests.
const requests: Request[] = [];
const answers: Response[] = [];

vi.mock('../api/client', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api/client')>();
  actual.setCsrfToken('token-1');
  const api = actual.createApiClient({
    baseUrl: 'http://rampart.test',
    fetch: async (request: Request) => {
      requests.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error('no answer queued');
      return answer;
    },
    onUnauthorized: () => undefined,
  });
  return { ...actual, api };
});

const { addComment, fetchComments, fetchThreat, saveDecision, toRequestError, ThreatRequestError } = await import(
  './api'
);

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

afterEach(() => {
  requests.length = 0;
  answers.length = 0;
});

describe('threat calls', () => {
  const flowThreat = 'cleartext-credentials@web->api';

  it('encodes threat ids with @ and -> in the path', async () => {
    answers.push(json(200, { id: flowThreat, decision: { etag: '"t1-r0"' } }));
    const detail = await fetchThreat('m1', flowThreat);
    expect(detail.id).toBe(flowThreat);
    expect(requests[0]?.url).toBe(
      'http://rampart.test/api/v1/models/m1/threats/cleartext-credentials%40web-%3Eapi',
    );
  });

  it('patches with If-Match and the CSRF token, and tells 200 from 202', async () => {
    answers.push(json(200, { status: 'mitigated', etag: '"t1-r1"' }));
    const saved = await saveDecision('m1', 'a@b', '"t1-r0"', { status: 'mitigated' });
    expect(saved).toEqual({ status: 200, decision: { status: 'mitigated', etag: '"t1-r1"' } });
    const request = requests[0];
    expect(request?.method).toBe('PATCH');
    expect(request?.headers.get('If-Match')).toBe('"t1-r0"');
    expect(request?.headers.get('X-CSRF-Token')).toBe('token-1');
    expect(await request?.json()).toEqual({ status: 'mitigated' });

    answers.push(json(202, { status: 'open', proposed_status: 'accepted', etag: '"t1-r2"' }));
    expect((await saveDecision('m1', 'a@b', '"t1-r1"', { status: 'accepted', justification: 'x' })).status).toBe(202);
  });

  it('turns error answers into ThreatRequestError with status, code and field', async () => {
    answers.push(
      json(409, { error: { status: 409, code: 'conflict', message: 'changed by someone else', field: null, details: null } }),
    );
    const conflict = await saveDecision('m1', 'a@b', '"old"', { status: 'open' }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ThreatRequestError);
    expect(conflict).toMatchObject({ status: 409, code: 'conflict', message: 'changed by someone else' });

    answers.push(
      json(400, {
        error: { status: 400, code: 'invalid', message: 'a justification is required', field: 'justification' },
      }),
    );
    const invalid = await saveDecision('m1', 'a@b', '"x"', { status: 'accepted' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, field: 'justification' });

    answers.push(json(404, { error: { status: 404, code: 'not-found', message: 'no threat' } }));
    await expect(fetchThreat('m1', 'x@y')).rejects.toMatchObject({ status: 404 });
  });

  it('reads and adds comments', async () => {
    answers.push(json(200, { items: [{ id: 'c1', author: 'a', body: 'hi', created_at: 't' }], total: 1, limit: 500, offset: 0 }));
    expect(await fetchComments('m1', 'a@b')).toHaveLength(1);
    expect(requests[0]?.url).toContain('/threats/a%40b/comments?limit=500');
    answers.push(json(201, { id: 'c2', author: 'a', body: 'yo', created_at: 't' }));
    expect((await addComment('m1', 'a@b', 'yo')).id).toBe('c2');
    expect(requests[1]?.method).toBe('POST');
    expect(await requests[1]?.json()).toEqual({ body: 'yo' });
  });

  it('normalises every kind of failure', () => {
    expect(toRequestError(new ApiError(403, 'forbidden', 'no', null))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(toRequestError({ error: { status: 422, code: 'invalid-model', message: 'bad' } })).toMatchObject({
      status: 422,
    });
    expect(toRequestError(undefined, 500)).toMatchObject({ status: 500 });
    expect(toRequestError(new TypeError('Failed to fetch'))).toMatchObject({ status: 0, code: 'network' });
  });
});
