import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { loadModelContext, loadModelInfo, loadVersion } from '../api/models';
import { useBreadcrumbs } from '../components/Breadcrumbs';
import { ErrorNote, Loading } from '../components/Loading';
import { SeverityCounts } from '../components/Severity';
import { formatDateTime, formatScore } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { DiagramView } from './editorSlot';
import { NotFoundPage } from './NotFoundPage';
import { modelCrumbs } from './modelCrumbs';
import './DiffPage.css';

async function load(modelId: string, version: number, signal: AbortSignal) {
  const { info } = await loadModelInfo(modelId, signal);
  const [doc, context] = await Promise.all([
    loadVersion(modelId, version, signal),
    loadModelContext(info.project_id, signal),
  ]);
  return { info, doc, context };
}

/** One saved version, read-only. */
export default function VersionPage() {
  const { modelId = '', version: versionParam = '' } = useParams();
  const version = Number.parseInt(versionParam, 10);
  const valid = Number.isInteger(version) && version > 0;
  const { data, error, loading } = useAsync(
    (signal) => (valid ? load(modelId, version, signal) : Promise.reject(new ApiError(404, 'not-found', 'No such version'))),
    [modelId, version],
  );
  const [selected, setSelected] = useState<string | undefined>(undefined);

  useBreadcrumbs(
    modelCrumbs(data?.context, data ? { id: modelId, name: data.info.name } : undefined, [{ label: `Version ${version}` }]),
  );
  useEffect(() => {
    if (data) document.title = `${data.info.name} v${version} · Rampart`;
  }, [data, version]);

  if (loading && !data) return <Loading label="Loading the version…" />;
  if (error instanceof ApiError && error.status === 404) return <NotFoundPage />;
  if (error) return <ErrorNote>Could not load the version: {errorMessage(error)}</ErrorNote>;
  if (!data) return null;
  const { doc, info } = data;

  return (
    <div className="diff-page">
      <header className="diff-header">
        <div>
          <h1>
            {info.name} <span className="model-version">v{doc.version} (read-only)</span>
          </h1>
          <p className="muted">
            Saved {formatDateTime(doc.created_at)} by {doc.author}
            {doc.message ? <> — “{doc.message}”</> : null}
          </p>
        </div>
        <div className="diff-actions">
          <SeverityCounts counts={doc} compact />
          <span className="muted">Risk score {formatScore(doc.risk_score)}</span>
          {doc.version < info.head_version ? (
            <Link className="button button-secondary" to={`/models/${modelId}/diff?from=${doc.version}&to=${info.head_version}`}>
              Compare with latest (v{info.head_version})
            </Link>
          ) : null}
          <Link className="button" to={`/models/${modelId}`}>
            Back to the editor
          </Link>
        </div>
      </header>
      <div className="diff-body">
        <div className="diff-diagram" aria-label={`Diagram of version ${doc.version}`}>
          <DiagramView model={doc.model} selectedId={selected} onSelect={setSelected} />
        </div>
      </div>
    </div>
  );
}
