import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorMessage } from '../api/errors';
import { loadVersions } from '../api/models';
import { ErrorNote, Loading } from '../components/Loading';
import { CompareIcon } from '../components/Icons';
import { SeverityCounts } from '../components/Severity';
import { formatDateTime, formatRelative, formatScore } from '../lib/format';
import { useAsync } from '../lib/useAsync';

/** The two versions to compare, older first; null unless exactly two are picked. */
export function comparePair(picked: number[]): { from: number; to: number } | null {
  if (picked.length !== 2) return null;
  const [a, b] = picked;
  if (a === b) return null;
  return { from: Math.min(a, b), to: Math.max(a, b) };
}

export function HistoryPanel({ modelId, headVersion }: { modelId: string; headVersion: number }) {
  const navigate = useNavigate();
  const { data, error, loading } = useAsync((signal) => loadVersions(modelId, signal), [modelId, headVersion]);
  const [picked, setPicked] = useState<number[]>([]);
  const pair = comparePair(picked);

  function toggle(version: number) {
    setPicked((current) => {
      if (current.includes(version)) return current.filter((v) => v !== version);
      // Keep the last two picks.
      return [...current, version].slice(-2);
    });
  }

  if (loading && !data) return <Loading label="Loading the history…" />;
  if (error) return <ErrorNote>Could not load the history: {errorMessage(error)}</ErrorNote>;
  if (!data) return null;

  return (
    <div className="history">
      <div className="history-bar">
        <h2>History</h2>
        <p className="muted" id="compare-help">
          Pick two versions to compare them{picked.length === 1 ? ' (one more)' : ''}.
        </p>
        <button
          type="button"
          className="button"
          disabled={!pair}
          aria-describedby="compare-help"
          onClick={() => pair && navigate(`/models/${modelId}/diff?from=${pair.from}&to=${pair.to}`)}
        >
          <CompareIcon /> Compare{pair ? ` v${pair.from} and v${pair.to}` : ''}
        </button>
      </div>
      <div className="table-wrap">
        <table className="table history-table">
          <caption className="visually-hidden">Versions of the model, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Version</th>
              <th scope="col">Saved</th>
              <th scope="col">Message</th>
              <th scope="col">Size</th>
              <th scope="col">Unresolved threats</th>
              <th scope="col" className="num">
                Risk score
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((v) => (
              <tr key={v.version} className={picked.includes(v.version) ? 'row-picked' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    checked={picked.includes(v.version)}
                    onChange={() => toggle(v.version)}
                    aria-label={`Compare version ${v.version}`}
                  />
                </td>
                <th scope="row">
                  v{v.version}
                  {v.version === headVersion ? <span className="tag">latest</span> : null}
                </th>
                <td>
                  <time dateTime={v.created_at} title={formatDateTime(v.created_at)}>
                    {formatRelative(v.created_at)}
                  </time>
                  <div className="muted">by {v.author}</div>
                </td>
                <td className="history-message">{v.message || <span className="muted">No message</span>}</td>
                <td className="nowrap">
                  {v.components} components
                  <div className="muted">
                    {v.flows} flows · {v.threats} threats
                  </div>
                </td>
                <td>
                  <SeverityCounts counts={v} compact />
                </td>
                <td className="num">{formatScore(v.risk_score)}</td>
                <td className="nowrap">
                  <Link to={`/models/${modelId}/versions/${v.version}`} aria-label={`Open version ${v.version} read-only`}>
                    Open
                  </Link>
                  {v.version > 1 ? (
                    <>
                      {' · '}
                      <Link
                        to={`/models/${modelId}/diff?from=${v.version - 1}&to=${v.version}`}
                        aria-label={`Changes in version ${v.version}`}
                      >
                        Changes
                      </Link>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
