import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, must } from '../api/client';
import { ApiError, errorMessage } from '../api/errors';
import { useSession } from '../api/session';
import type { BusinessUnit, ModelInfo, Project } from '../api/types';
import { useBreadcrumbs } from '../components/Breadcrumbs';
import { PlusIcon } from '../components/Icons';
import { ErrorNote, Loading } from '../components/Loading';
import { SeverityCounts } from '../components/Severity';
import { formatDateTime, formatRelative, formatScore, plural } from '../lib/format';
import { canEdit, higherRole, isRole, ROLE_LABEL } from '../lib/roles';
import { useAsync } from '../lib/useAsync';
import { NewModelDialog } from './NewModelDialog';
import { NotFoundPage } from './NotFoundPage';
import type { SaveResult } from '../api/types';
import './ProjectPage.css';

interface ProjectData {
  project: Project;
  unit: BusinessUnit | null;
  models: ModelInfo[];
}

async function loadProject(projectId: string, signal: AbortSignal): Promise<ProjectData> {
  const project = await must(api.GET('/api/v1/projects/{project}', { params: { path: { project: projectId } }, signal }));
  const [unit, models] = await Promise.all([
    must(api.GET('/api/v1/business-units/{unit}', { params: { path: { unit: project.business_unit_id } }, signal })).catch(
      () => null,
    ),
    must(
      api.GET('/api/v1/projects/{project}/models', {
        params: { path: { project: projectId }, query: { limit: 500, sort: 'name' } },
        signal,
      }),
    ),
  ]);
  return { project, unit, models: models.items };
}

export function ProjectPage() {
  const { projectId = '' } = useParams();
  const { roleOn } = useSession();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const { data, error, loading } = useAsync((signal) => loadProject(projectId, signal), [projectId]);

  useBreadcrumbs(
    data
      ? [
          { label: data.unit?.name ?? 'Business unit', to: '/' },
          { label: data.project.name, to: `/projects/${projectId}` },
        ]
      : [],
  );
  useEffect(() => {
    if (data) document.title = `${data.project.name} · Rampart`;
  }, [data]);

  if (loading && !data) return <Loading label="Loading the project…" />;
  if (error instanceof ApiError && error.status === 404) return <NotFoundPage />;
  if (error) return <ErrorNote>Could not load the project: {errorMessage(error)}</ErrorNote>;
  if (!data) return null;

  const { project, models } = data;
  const role = higherRole(
    roleOn(project.id, project.business_unit_id),
    isRole(project.role) ? project.role : null,
  );

  function onCreated(result: SaveResult) {
    setCreating(false);
    navigate(`/models/${result.model.id}`, { state: { warnings: result.warnings, created: true } });
  }

  return (
    <div className="page">
      <header className="page-header page-header-row">
        <div>
          <h1>{project.name}</h1>
          {project.description ? <p className="page-sub">{project.description}</p> : null}
          <p className="page-meta">
            {plural(models.length, 'model')}
            {role ? <> · Your role: {ROLE_LABEL[role]}</> : null}
          </p>
        </div>
        {canEdit(role) ? (
          <button type="button" className="button" onClick={() => setCreating(true)}>
            <PlusIcon /> New model
          </button>
        ) : null}
      </header>

      {models.length === 0 ? (
        <p className="empty">
          This project has no models yet.
          {canEdit(role) ? ' Create one with "New model".' : ''}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table models-table">
            <caption className="visually-hidden">Models of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Version</th>
                <th scope="col">Last saved</th>
                <th scope="col">Unresolved threats</th>
                <th scope="col" className="num">
                  Risk score
                </th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.id}>
                  <th scope="row">
                    <Link to={`/models/${model.id}`}>{model.name}</Link>
                  </th>
                  <td>v{model.head_version}</td>
                  <td>
                    <time dateTime={model.head?.created_at ?? model.updated_at} title={formatDateTime(model.head?.created_at ?? model.updated_at)}>
                      {formatRelative(model.head?.created_at ?? model.updated_at)}
                    </time>
                    {model.head?.author ? <span className="muted"> by {model.head.author}</span> : null}
                  </td>
                  <td>{model.head ? <SeverityCounts counts={model.head} compact /> : '—'}</td>
                  <td className="num">{formatScore(model.head?.risk_score)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {creating ? (
        <NewModelDialog projectId={project.id} onClose={() => setCreating(false)} onCreated={onCreated} />
      ) : null}
    </div>
  );
}
