// Comments on a threat of the saved version: read by anyone who reads the model, written by developers and up.

import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';

import { addComment, fetchComments, isAbort, toRequestError } from './api';
import type { ThreatComment } from './types';

interface Props {
  modelId: string;
  threatId: string;
  canComment: boolean;
  savedVersion: number;
}

type Loaded = { kind: 'loading' } | { kind: 'ready'; comments: ThreatComment[] } | { kind: 'error'; message: string };

function when(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toLocaleString();
}

export function ThreatComments({ modelId, threatId, canComment, savedVersion }: Props) {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const id = useId();

  useEffect(() => {
    const controller = new AbortController();
    fetchComments(modelId, threatId, controller.signal).then(
      (comments) => setLoaded({ kind: 'ready', comments }),
      (reason: unknown) => {
        if (isAbort(reason) || controller.signal.aborted) return;
        setLoaded({ kind: 'error', message: toRequestError(reason).message });
      },
    );
    return () => controller.abort();
  }, [modelId, threatId, savedVersion]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = draft.trim();
    if (body === '') {
      setProblem('Write a comment first.');
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const comment = await addComment(modelId, threatId, body);
      setLoaded((before) => ({
        kind: 'ready',
        comments: [...(before.kind === 'ready' ? before.comments : []), comment],
      }));
      setDraft('');
    } catch (reason) {
      setProblem(toRequestError(reason).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tp-comments" data-testid="threat-comments">
      {loaded.kind === 'loading' ? <p className="tp-muted">Loading comments…</p> : null}
      {loaded.kind === 'error' ? <p className="tp-error">The comments could not be loaded: {loaded.message}</p> : null}
      {loaded.kind === 'ready' && loaded.comments.length === 0 ? <p className="tp-muted">No comments yet.</p> : null}
      {loaded.kind === 'ready' && loaded.comments.length > 0 ? (
        <ol className="tp-comment-list">
          {loaded.comments.map((comment) => (
            <li key={comment.id} className="tp-comment">
              <p className="tp-comment-meta">
                <strong>{comment.author || 'someone'}</strong> <span className="tp-muted">{when(comment.created_at)}</span>
              </p>
              <p className="tp-text">{comment.body}</p>
            </li>
          ))}
        </ol>
      ) : null}
      {canComment ? (
        <form className="tp-comment-form" noValidate onSubmit={submit}>
          <label htmlFor={`${id}-comment`}>Comment</label>
          <textarea
            id={`${id}-comment`}
            rows={2}
            value={draft}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            onChange={(event) => setDraft(event.target.value)}
          />
          {problem ? (
            <p id={`${id}-problem`} className="tp-error" role="alert">
              {problem}
            </p>
          ) : null}
          <div className="tp-actions">
            <button type="submit" disabled={busy}>
              Add comment
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
