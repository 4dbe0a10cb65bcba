// The editor's server calls, through the app's typed client.

import { api } from '../api/client';
import { hasFullAccount, type FullThreat, type ThreatPreview, type Summary } from '../threats/types';
import type { EditorModel } from './model/types';
import type { ModelJson } from '../model/types';

export interface AnalysisAnswer {
  summary: Summary;
  threats: ThreatPreview[];
  warnings: string[];
}

/** POST /api/v1/models/{model}/analysis with the unsaved model. Rejects with ApiError (422 = invalid). */
export async function analyse(modelId: string, model: EditorModel, signal: AbortSignal): Promise<AnalysisAnswer> {
  const { data } = await api.POST('/api/v1/models/{model}/analysis', {
    params: { path: { model: modelId } },
    // API boundary: the editor's model type keeps unknown keys; the server checks it.
    body: { model: model as unknown as ModelJson },
    signal,
  });
  // API boundary: W3's preview types are stricter than the client's hand-written ones.
  return data as unknown as AnalysisAnswer;
}

/**
 * POST /api/v1/models/{model}/analysis?threat=<id>: the same analysis of the
 * unsaved model, answering only that threat, with its full account
 * (explanation, countermeasures, mappings). Rejects with ApiError (404: the
 * model no longer raises it).
 */
export async function analyseThreat(modelId: string, model: EditorModel, threatId: string, signal: AbortSignal): Promise<FullThreat> {
  const { data } = await api.POST('/api/v1/models/{model}/analysis', {
    params: { path: { model: modelId }, query: { threat: threatId } },
    // API boundary: as in analyse().
    body: { model: model as unknown as ModelJson },
    signal,
  });
  const answer = data as unknown as AnalysisAnswer;
  const found = answer.threats.find((t) => t.id === threatId);
  if (!found || !hasFullAccount(found)) throw new Error(`The analysis did not explain ${threatId}.`);
  return found;
}

export interface Saved {
  version: number;
  etag: string;
}

/** PUT /api/v1/models/{model} guarded by If-Match. Rejects with ApiError (409 = someone saved meanwhile). */
export async function saveModel(modelId: string, etag: string, message: string, model: EditorModel): Promise<Saved> {
  const { data, response } = await api.PUT('/api/v1/models/{model}', {
    params: { path: { model: modelId }, header: { 'If-Match': etag } },
    body: { message, model },
  });
  const header = response.headers.get('ETag');
  const info = data?.model;
  return { version: info?.head_version ?? 0, etag: header ?? info?.etag ?? etag };
}

export interface HeadInfo {
  version: number;
  etag: string;
  author: string | null;
  createdAt: string | null;
  message: string | null;
}

/** GET /api/v1/models/{model}: who saved the head version, when, and its ETag. */
export async function fetchHead(modelId: string): Promise<HeadInfo> {
  const { data, response } = await api.GET('/api/v1/models/{model}', { params: { path: { model: modelId } } });
  const header = response.headers.get('ETag');
  return {
    version: data?.head_version ?? 0,
    etag: header ?? data?.etag ?? '',
    author: data?.head?.author ?? null,
    createdAt: data?.head?.created_at ?? null,
    message: data?.head?.message ?? null,
  };
}

/** GET a version's model (to reload someone else's save). */
export async function fetchVersionModel(modelId: string, version: number): Promise<EditorModel> {
  const { data } = await api.GET('/api/v1/models/{model}/versions/{version}', {
    params: { path: { model: modelId, version: String(version) } },
  });
  // API boundary: the schema leaves `model` open.
  return (data as unknown as { model: EditorModel }).model;
}
