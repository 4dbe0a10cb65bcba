import { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useParams, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { getCatalog, getModelSchema } from '../api/cache';
import { loadModelContext, loadModelInfo, loadVersion, type ModelContext } from '../api/models';
import { useSession } from '../api/session';
import type { Catalog, ModelInfo, ModelSchema } from '../api/types';
import type { ModelJson } from '../model/types';
import { useBreadcrumbs } from '../components/Breadcrumbs';
import { ErrorNote, Loading } from '../components/Loading';
import { HistoryIcon } from '../components/Icons';
import { higherRole, isRole } from '../lib/roles';
import { useAsync } from '../lib/useAsync';
import { Editor } from './editorSlot';
import { HistoryPanel } from './HistoryPanel';
import { NotFoundPage } from './NotFoundPage';
import { modelCrumbs } from './modelCrumbs';
import './ModelPage.css';

interface Loaded {
  info: ModelInfo;
  etag: string;
  model: ModelJson;
  catalog: Catalog;
  schema: ModelSchema;
  context: ModelContext;
}

async function loadAll(modelId: string, signal: AbortSignal): Promise<Loaded> {
  const [{ info, etag }, catalog, schema] = await Promise.all([
    loadModelInfo(modelId, signal),
    // Not the model's 404: say which part is missing rather than "page not found".
    getCatalog().catch((err: unknown) => {
      throw new Error(`the component catalog did not load (${errorMessage(err)})`);
    }),
    getModelSchema().catch((err: unknown) => {
      throw new Error(`the model schema did not load (${errorMessage(err)})`);
    }),
  ]);
  const [doc, context] = await Promise.all([
    loadVersion(modelId, info.head_version, signal),
    loadModelContext(info.project_id, signal),
  ]);
  return { info, etag, model: doc.model, catalog, schema, context };
}

type Tab = 'diagram' | 'history';

export default function ModelPage() {
  const { modelId = '' } = useParams();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'history' ? 'history' : 'diagram';
  const { roleOn } = useSession();
  const { data, error, loading } = useAsync((signal) => loadAll(modelId, signal), [modelId]);
  const [saved, setSaved] = useState<{ version: number; etag: string } | null>(null);
  const initialWarnings = (location.state as { warnings?: string[] } | null)?.warnings ?? [];
  const [warnings, setWarnings] = useState<string[]>(initialWarnings);
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ diagram: null, history: null });

  useEffect(() => setSaved(null), [modelId]);
  useBreadcrumbs(modelCrumbs(data?.context, data ? { id: modelId, name: data.info.name } : undefined));
  useEffect(() => {
    if (data) document.title = `${data.info.name} · Rampart`;
  }, [data]);

  const onSaved = useCallback((result: { version: number; etag: string }) => setSaved(result), []);

  function selectTab(next: Tab) {
    const p = new URLSearchParams(params);
    if (next === 'history') p.set('tab', 'history');
    else p.delete('tab');
    setParams(p, { replace: true });
  }

  function onTabKey(event: React.KeyboardEvent) {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight' && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const next: Tab = event.key === 'Home' ? 'diagram' : event.key === 'End' ? 'history' : tab === 'diagram' ? 'history' : 'diagram';
    selectTab(next);
    tabRefs.current[next]?.focus();
  }

  if (loading && !data) return <Loading label="Loading the model…" />;
  if (error instanceof ApiError && error.status === 404) return <NotFoundPage />;
  if (error) return <ErrorNote>Could not load the model: {errorMessage(error)}</ErrorNote>;
  if (!data) return null;

  const project = data.context.project;
  const role =
    higherRole(
      roleOn(data.info.project_id, project?.business_unit_id),
      project && isRole(project.role) ? project.role : null,
    ) ?? 'viewer';
  const version = saved?.version ?? data.info.head_version;
  const etag = saved?.etag ?? data.etag;

  return (
    <div className="model-page">
      <div className="model-bar">
        <h1 className="model-title">
          {data.info.name} <span className="model-version">v{version}</span>
        </h1>
        <div className="tabs" role="tablist" aria-label="Model views" onKeyDown={onTabKey}>
          <button
            ref={(el) => {
              tabRefs.current.diagram = el;
            }}
            type="button"
            role="tab"
            id="tab-diagram"
            aria-controls="panel-diagram"
            aria-selected={tab === 'diagram'}
            tabIndex={tab === 'diagram' ? 0 : -1}
            className="tab"
            onClick={() => selectTab('diagram')}
          >
            Diagram
          </button>
          <button
            ref={(el) => {
              tabRefs.current.history = el;
            }}
            type="button"
            role="tab"
            id="tab-history"
            aria-controls="panel-history"
            aria-selected={tab === 'history'}
            tabIndex={tab === 'history' ? 0 : -1}
            className="tab"
            onClick={() => selectTab('history')}
          >
            <HistoryIcon /> History
          </button>
        </div>
      </div>
      {warnings.length > 0 ? (
        <div className="notice" role="status">
          <div>
            <strong>Imported with {warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}:</strong>
            <ul>
              {warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          </div>
          <button type="button" className="button button-quiet" onClick={() => setWarnings([])}>
            Dismiss
          </button>
        </div>
      ) : null}
      {/* The editor stays mounted while the history is shown, so unsaved work is kept. */}
      <section
        id="panel-diagram"
        role="tabpanel"
        aria-labelledby="tab-diagram"
        className="model-panel model-panel-editor"
        hidden={tab !== 'diagram'}
      >
        <Editor
          modelId={modelId}
          model={data.model}
          version={version}
          etag={etag}
          catalog={data.catalog}
          schema={data.schema}
          role={role}
          onSaved={onSaved}
        />
      </section>
      {tab === 'history' ? (
        <section id="panel-history" role="tabpanel" aria-labelledby="tab-history" className="model-panel model-panel-history">
          <HistoryPanel modelId={modelId} headVersion={version} />
        </section>
      ) : null}
    </div>
  );
}
