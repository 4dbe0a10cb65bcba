// Live analysis of the unsaved model: debounced, the previous request
// cancelled, the last good answer kept while the model is invalid.

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { nameTargets } from '../threats/names';
import { stabiliseThreats } from '../threats/stable';
import { analyse, type AnalysisAnswer } from './editorApi';
import type { EditorModel } from './model/types';

export interface LiveAnalysis {
  result: AnalysisAnswer | undefined;
  /** The first problem of a 422, or another error's message. */
  problem: string | undefined;
  pending: boolean;
  /** Runs the analysis again now (after a decision was saved). */
  rerun(): void;
  /**
   * Sends `next` at once, from the event that changed the model, before React
   * renders the change; the effect then does not send the same model again.
   */
  sendNow(next: EditorModel): void;
}

function firstProblem(err: unknown): string {
  if (err instanceof ApiError) {
    const details = err.details as { problems?: { message?: unknown; line?: unknown; column?: unknown; help?: unknown }[] } | null;
    const p = details?.problems?.[0];
    if (p && typeof p.message === 'string') {
      const where = typeof p.line === 'number' ? `line ${p.line}${typeof p.column === 'number' ? `:${p.column}` : ''}: ` : '';
      const help = typeof p.help === 'string' && p.help ? ` (${p.help})` : '';
      return `${where}${p.message}${help}`;
    }
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

const DEFAULT_DELAY = { current: 250 } as const;

/**
 * `delay` is read when the model changes: the editor waits ~250 ms while the
 * user is typing and much less after a single discrete change (a checkbox,
 * a drop), so that threats follow quickly without a request per keystroke.
 */
export function useLiveAnalysis(modelId: string, model: EditorModel, delay: { readonly current: number } = DEFAULT_DELAY): LiveAnalysis {
  const [result, setResult] = useState<AnalysisAnswer | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const [tick, setTick] = useState(0);
  const controller = useRef<AbortController | null>(null);
  /** The model last sent, and the rerun tick it was sent for. */
  const sent = useRef<{ model: EditorModel | null; tick: number }>({ model: null, tick: -1 });
  const tickRef = useRef(tick);
  tickRef.current = tick;

  const send = useCallback(
    (m: EditorModel, t: number) => {
      sent.current = { model: m, tick: t };
      controller.current?.abort();
      const c = new AbortController();
      controller.current = c;
      setPending(true);
      analyse(modelId, m, c.signal)
        .then((answer) => {
          if (c.signal.aborted) return;
          // Compact entries get their targets' names from the model; unchanged threats keep their objects.
          const named = { ...answer, threats: nameTargets(answer.threats, m) };
          setResult((before) => (before ? { ...named, threats: stabiliseThreats(before.threats, named.threats) } : named));
          setProblem(undefined);
        })
        .catch((err: unknown) => {
          if (c.signal.aborted || (err instanceof Error && err.name === 'AbortError')) return;
          setProblem(firstProblem(err));
        })
        .finally(() => {
          if (controller.current === c) setPending(false);
        });
    },
    [modelId],
  );

  useEffect(() => {
    if (sent.current.model === model && sent.current.tick === tick) return undefined;
    const run = () => send(model, tick);
    // A discrete change is sent at once; typing waits for a pause.
    if (delay.current <= 0) {
      run();
      return undefined;
    }
    const timer = window.setTimeout(run, delay.current);
    return () => window.clearTimeout(timer);
  }, [model, delay, tick, send]);

  const sendNow = useCallback((next: EditorModel) => send(next, tickRef.current), [send]);

  useEffect(() => () => controller.current?.abort(), []);

  const rerun = useCallback(() => setTick((t) => t + 1), []);
  return { result, problem, pending, rerun, sendNow };
}
