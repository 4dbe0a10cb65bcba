// The threat panel's calls to the server, through the app's typed client.
// Threat ids contain `@` and may contain `->`: the client encodes path
// parameters with encodeURIComponent.

import { api } from '../api/client';
import type { Decision, DecisionChange, ThreatComment, ThreatDetail } from './types';

/** A failed call: the HTTP status and the server's error body. */
export class ThreatRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null) {
    super(message);
    this.name = 'ThreatRequestError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

interface ErrorFields {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  field?: unknown;
}

function asText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Turns whatever a failed call gave (the app's ApiError, an error body, a network error) into one shape. */
export function toRequestError(reason: unknown, httpStatus?: number): ThreatRequestError {
  if (reason instanceof ThreatRequestError) return reason;
  if (typeof reason === 'object' && reason !== null) {
    // An error body `{error:{…}}`, or an error object with the same fields (the app's ApiError).
    const inner: unknown = 'error' in reason ? (reason as { error: unknown }).error : reason;
    if (typeof inner === 'object' && inner !== null) {
      const fields = inner as ErrorFields;
      const status = typeof fields.status === 'number' ? fields.status : httpStatus;
      if (status !== undefined) {
        return new ThreatRequestError(
          status,
          asText(fields.code) ?? 'error',
          asText(fields.message) ?? `The server answered ${status}.`,
          asText(fields.field) ?? null,
        );
      }
    }
  }
  if (httpStatus !== undefined) {
    return new ThreatRequestError(httpStatus, 'error', `The server answered ${httpStatus}.`, null);
  }
  const message = reason instanceof Error ? reason.message : 'The server could not be reached.';
  return new ThreatRequestError(0, 'network', message, null);
}

/** A request cancelled by its AbortSignal. */
export function isAbort(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'AbortError';
}

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** Runs a client call; resolves with its data and response, rejects with a ThreatRequestError. */
async function run(call: () => Promise<Answer>): Promise<{ data: unknown; response: Response }> {
  let answer: Answer;
  try {
    answer = await call();
  } catch (reason) {
    if (isAbort(reason)) throw reason;
    throw toRequestError(reason);
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw toRequestError(answer.error, answer.response.status);
  }
  return { data: answer.data, response: answer.response };
}

/** GET the threat as stored in the saved version, with its decision and ETag. 404: not in the saved version. */
export async function fetchThreat(modelId: string, threatId: string, signal?: AbortSignal): Promise<ThreatDetail> {
  const { data } = await run(() =>
    api.GET('/api/v1/models/{model}/threats/{threat}', {
      params: { path: { model: modelId, threat: threatId } },
      signal,
    }),
  );
  // API boundary: the generated schema leaves `analysis` and `countermeasures` open.
  return data as ThreatDetail;
}

export interface DecisionSaved {
  /** 200: decided; 202: recorded as a proposal for a security architect. */
  status: 200 | 202;
  decision: Decision;
}

/** PATCH the decision, guarded by the decision's ETag. */
export async function saveDecision(
  modelId: string,
  threatId: string,
  etag: string,
  change: DecisionChange,
): Promise<DecisionSaved> {
  const { data, response } = await run(() =>
    api.PATCH('/api/v1/models/{model}/threats/{threat}', {
      params: { path: { model: modelId, threat: threatId }, header: { 'If-Match': etag } },
      body: change,
    }),
  );
  // API boundary: the schema types status as a plain string.
  return { status: response.status === 202 ? 202 : 200, decision: data as Decision };
}

export async function fetchComments(modelId: string, threatId: string, signal?: AbortSignal): Promise<ThreatComment[]> {
  const { data } = await run(() =>
    api.GET('/api/v1/models/{model}/threats/{threat}/comments', {
      params: { path: { model: modelId, threat: threatId }, query: { limit: 500 } },
      signal,
    }),
  );
  return (data as { items: ThreatComment[] }).items;
}

export async function addComment(modelId: string, threatId: string, body: string): Promise<ThreatComment> {
  const { data } = await run(() =>
    api.POST('/api/v1/models/{model}/threats/{threat}/comments', {
      params: { path: { model: modelId, threat: threatId } },
      body: { body },
    }),
  );
  return data as ThreatComment;
}
