import { useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { loadDiff, loadModelContext, loadModelInfo, loadVersion, loadVersions } from '../api/models';
import { useBreadcrumbs } from '../components/Breadcrumbs';
import { ErrorNote, Loading } from '../components/Loading';
import { SeverityBadge } from '../components/Severity';
import { mergeForDiff, summariseThreatDiff, threatTarget, type Change, type ThreatRef } from '../lib/diffView';
import { elementLabels } from '../lib/elements';
import { useAsync } from '../lib/useAsync';
import { DiagramView } from './editorSlot';
import { NotFoundPage } from './NotFoundPage';
import { modelCrumbs } from './modelCrumbs';
import './DiffPage.css';

function parseVersion(value: string | null): number | null {
  if (!value) return null;
  const n = Number.parseInt(value, 10);
  return Number.isInteger(n) && n > 0 && String(n) === value.trim() ? n : null;
}

async function load(modelId: string, fromParam: number | null, toParam: number | null, signal: AbortSignal) {
  const { info } = await loadModelInfo(modelId, signal);
  const to = toParam ?? info.head_version;
  const from = fromParam ?? Math.max(1, to - 1);
  const [diff, older, newer, context, versions] = await Promise.all([
    loadDiff(modelId, from, to, signal),
    loadVersion(modelId, from, signal),
    loadVersion(modelId, to, signal),
    loadModelContext(info.project_id, signal),
    loadVersions(modelId, signal),
  ]);
  return { info, diff, older, newer, context, versions: versions.items };
}

const CHANGE_LABEL: Record<Change, string> = { added: 'Added', removed: 'Removed', changed: 'Changed' };

export default function DiffPage() {
  const { modelId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const fromParam = parseVersion(params.get('from'));
  const toParam = parseVersion(params.get('to'));
  const { data, error, loading } = useAsync(
    (signal) => load(modelId, fromParam, toParam, signal),
    [modelId, fromParam, toParam],
  );
  const [selected, setSelected] = useState<string | undefined>(undefined);

  useBreadcrumbs(
    modelCrumbs(data?.context, data ? { id: modelId, name: data.info.name } : undefined, [
      { label: data ? `Changes v${data.diff.from} → v${data.diff.to}` : 'Changes' },
    ]),
  );
  useEffect(() => {
    if (data) document.title = `${data.info.name}: v${data.diff.from} → v${data.diff.to} · Rampart`;
  }, [data]);

  const view = useMemo(
    () => (data ? mergeForDiff(data.older.model, data.newer.model, data.diff.elements) : null),
    [data],
  );
  const threats = useMemo(() => summariseThreatDiff(data?.diff.threats), [data]);
  const labels = useMemo(() => (view ? elementLabels(view.model) : new Map<string, string>()), [view]);

  if (loading && !data) return <Loading label="Comparing the versions…" />;
  if (error instanceof ApiError && error.status === 404) return <NotFoundPage />;
  if (error) return <ErrorNote>Could not compare the versions: {errorMessage(error)}</ErrorNote>;
  if (!data || !view) return null;

  function setVersions(from: number, to: number) {
    setSelected(undefined);
    setParams({ from: String(from), to: String(to) });
  }

  const versionNumbers = data.versions.map((v) => v.version).sort((a, b) => a - b);
  const groups: { change: Change; ids: string[] }[] = (['added', 'removed', 'changed'] as Change[]).map((change) => ({
    change,
    ids: Object.entries(view.highlight)
      .filter(([, c]) => c === change)
      .map(([id]) => id)
      .sort(),
  }));
  const noElementChanges = groups.every((g) => g.ids.length === 0);

  function selectId(id: string) {
    setSelected((current) => (current === id ? undefined : id));
  }

  return (
    <div className="diff-page">
      <header className="diff-header">
        <div>
          <h1>
            Changes in {data.info.name}{' '}
            <span className="model-version">
              v{data.diff.from} → v{data.diff.to}
            </span>
          </h1>
          <p className="muted">
            The diagram shows version {data.diff.to}; elements removed since version {data.diff.from} are drawn faded
            at their old place.
          </p>
        </div>
        <form className="diff-actions" onSubmit={(e) => e.preventDefault()}>
          <label className="inline-field">
            <span>From</span>
            <select
              value={data.diff.from}
              onChange={(e) => setVersions(Number(e.target.value), data.diff.to)}
              aria-label="Older version"
            >
              {versionNumbers.map((v) => (
                <option key={v} value={v}>
                  v{v}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>To</span>
            <select
              value={data.diff.to}
              onChange={(e) => setVersions(data.diff.from, Number(e.target.value))}
              aria-label="Newer version"
            >
              {versionNumbers.map((v) => (
                <option key={v} value={v}>
                  v{v}
                </option>
              ))}
            </select>
          </label>
          <Link className="button button-secondary" to={`/models/${modelId}?tab=history`}>
            History
          </Link>
        </form>
      </header>
      <div className="diff-body">
        <div className="diff-diagram" aria-label="Diagram with the changes highlighted">
          <DiagramView model={view.model} highlight={view.highlight} selectedId={selected} onSelect={selectId} />
        </div>
        <aside className="diff-lists" aria-label="What changed">
          <section>
            <h2>Elements</h2>
            {noElementChanges ? <p className="muted">No element changed.</p> : null}
            {groups.map((group) =>
              group.ids.length === 0 ? null : (
                <div key={group.change} className="diff-group">
                  <h3>
                    {CHANGE_LABEL[group.change]} ({group.ids.length})
                  </h3>
                  <ul className="diff-list">
                    {group.ids.map((id) => (
                      <li key={id}>
                        <button
                          type="button"
                          className={`diff-item${selected === id ? ' diff-item-selected' : ''}`}
                          aria-pressed={selected === id}
                          onClick={() => selectId(id)}
                        >
                          <span className={`change-tag change-${group.change}`}>{group.change}</span>
                          <span className="diff-item-name">{labels.get(id) ?? id}</span>
                          {labels.get(id) && labels.get(id) !== id ? <code className="diff-item-id">{id}</code> : null}
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              ),
            )}
          </section>
          <section>
            <h2>Threats</h2>
            <ThreatList title="Threats added" kind="added" items={threats.added} selected={selected} onSelect={selectId} />
            <ThreatList
              title="Threats resolved"
              kind="resolved"
              items={threats.resolved}
              selected={selected}
              onSelect={selectId}
            />
            {threats.changed.length > 0 ? (
              <div className="diff-group">
                <h3>Threats changed ({threats.changed.length})</h3>
                <ul className="diff-list">
                  {threats.changed.map((c) => (
                    <li key={c.id}>
                      <button
                        type="button"
                        className={`diff-item${selected === threatTarget(c.id) ? ' diff-item-selected' : ''}`}
                        onClick={() => selectId(threatTarget(c.id))}
                      >
                        <SeverityBadge severity={c.after.severity} />
                        <span className="diff-item-name">{c.title}</span>
                        <span className="muted diff-item-id">
                          {c.before.status} → {c.after.status}
                          {c.before.severity !== c.after.severity ? `, ${c.before.severity} → ${c.after.severity}` : ''}
                          {c.worsened ? ' (worse)' : ''} · on {threatTarget(c.id)}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </section>
        </aside>
      </div>
    </div>
  );
}

function ThreatList({
  title,
  kind,
  items,
  selected,
  onSelect,
}: {
  title: string;
  kind: 'added' | 'resolved';
  items: ThreatRef[];
  selected: string | undefined;
  onSelect(id: string): void;
}) {
  return (
    <div className="diff-group">
      <h3>
        {title} ({items.length})
      </h3>
      {items.length === 0 ? <p className="muted">None.</p> : null}
      <ul className="diff-list">
        {items.map((t) => {
          const target = threatTarget(t.id);
          return (
            <li key={t.id}>
              <button
                type="button"
                className={`diff-item${selected === target ? ' diff-item-selected' : ''}`}
                onClick={() => onSelect(target)}
                title={t.id}
              >
                <span className={`change-tag change-${kind}`}>{kind}</span>
                <SeverityBadge severity={t.severity} />
                <span className="diff-item-name">{t.title}</span>
                <span className="muted diff-item-id">
                  on {target} · {t.status}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
