// Loaders for a model, its versions and their differences.
import { api, must } from './client';
import type { BusinessUnit, ModelInfo, Page, Project, VersionDocument, VersionInfo } from './types';
import type { ElementChanges } from '../lib/diffView';

export interface LoadedModelInfo {
  info: ModelInfo;
  /** The ETag header (falls back to the body's `etag`). */
  etag: string;
}

export async function loadModelInfo(modelId: string, signal?: AbortSignal): Promise<LoadedModelInfo> {
  const { data, response } = await api.GET('/api/v1/models/{model}', { params: { path: { model: modelId } }, signal });
  if (!data) throw new Error('The server sent an empty answer.');
  return { info: data, etag: response.headers.get('ETag') ?? data.etag };
}

export async function loadVersion(modelId: string, version: number, signal?: AbortSignal): Promise<VersionDocument> {
  const doc = await must(
    api.GET('/api/v1/models/{model}/versions/{version}', {
      params: { path: { model: modelId, version: String(version) } },
      signal,
    }),
  );
  // API boundary: `model` is typed as unknown in the schema; it is the Model JSON.
  return doc as VersionDocument;
}

export async function loadVersions(modelId: string, signal?: AbortSignal): Promise<Page<VersionInfo>> {
  return must(
    api.GET('/api/v1/models/{model}/versions', {
      params: { path: { model: modelId }, query: { limit: 500 } },
      signal,
    }),
  ) as Promise<Page<VersionInfo>>;
}

export interface VersionDiff {
  from: number;
  to: number;
  elements: ElementChanges;
  threats: unknown;
}

export async function loadDiff(modelId: string, from: number, to: number, signal?: AbortSignal): Promise<VersionDiff> {
  return must(
    api.GET('/api/v1/models/{model}/diff', {
      params: { path: { model: modelId }, query: { from, to } },
      signal,
    }),
  ) as Promise<VersionDiff>;
}

export interface ModelContext {
  project: Project | null;
  unit: BusinessUnit | null;
}

/** The model's project and business unit, for the breadcrumb and the role (missing ones are null). */
export async function loadModelContext(projectId: string, signal?: AbortSignal): Promise<ModelContext> {
  const project = await must(
    api.GET('/api/v1/projects/{project}', { params: { path: { project: projectId } }, signal }),
  ).catch(() => null);
  if (!project) return { project: null, unit: null };
  const unit = await must(
    api.GET('/api/v1/business-units/{unit}', { params: { path: { unit: project.business_unit_id } }, signal }),
  ).catch(() => null);
  return { project, unit };
}
