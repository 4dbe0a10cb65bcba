import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { ApiError } from '../api/errors';
import type { EditorModel } from './model/types';

const analyse = vi.fn();
vi.mock('./editorApi', () => ({ analyse: (...args: unknown[]) => analyse(...args) }));

const { useLiveAnalysis } = await import('./useLiveAnalysis');

const summary = { components: 1, flows: 0, threats: 1, unresolved: 1, critical: 0, high: 1, medium: 0, low: 0, risk_score: 1 };
const m1: EditorModel = { rampart: 1, name: 'a' };
const m2: EditorModel = { rampart: 1, name: 'b' };

describe('useLiveAnalysis', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    analyse.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('debounces, cancels the previous request and keeps the last good answer', async () => {
    const signals: AbortSignal[] = [];
    analyse.mockImplementation((_id: string, model: EditorModel, signal: AbortSignal) => {
      signals.push(signal);
      if (model.name === 'bad') return Promise.reject(new ApiError(422, 'invalid-model', 'invalid', null, { problems: [{ message: 'unknown kind', line: 3, column: 5 }] }));
      return Promise.resolve({ summary, threats: [], warnings: [model.name] });
    });
    const delay = { current: 250 };
    const { result, rerender } = renderHook(({ model }) => useLiveAnalysis('m', model, delay), { initialProps: { model: m1 } });
    rerender({ model: m2 });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(analyse).toHaveBeenCalledTimes(1);
    expect(result.current.result?.warnings).toEqual(['b']);
    rerender({ model: { rampart: 1, name: 'bad' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(result.current.problem).toBe('line 3:5: unknown kind');
    expect(result.current.result?.warnings).toEqual(['b']);
    // A new request aborts the one in flight.
    analyse.mockImplementation((_id: string, _m: EditorModel, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise(() => undefined);
    });
    rerender({ model: { rampart: 1, name: 'c' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    rerender({ model: { rampart: 1, name: 'd' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(signals.at(-2)?.aborted).toBe(true);
    expect(signals.at(-1)?.aborted).toBe(false);
  });

  it('sends a model given to sendNow at once, and not again when it renders', async () => {
    analyse.mockImplementation((_id: string, model: EditorModel) => Promise.resolve({ summary, threats: [], warnings: [model.name] }));
    const delay = { current: 0 };
    const { result, rerender } = renderHook(({ model }) => useLiveAnalysis('m', model, delay), { initialProps: { model: m1 } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(analyse).toHaveBeenCalledTimes(1);
    act(() => result.current.sendNow(m2));
    expect(analyse).toHaveBeenCalledTimes(2);
    rerender({ model: m2 });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(analyse).toHaveBeenCalledTimes(2);
    expect(result.current.result?.warnings).toEqual(['b']);
  });

  it('keeps the objects of unchanged threats between answers', async () => {
    const t = (id: string, severity: string) => ({ id, rule: 'r', title: 't', target: 'x', target_kind: 'element', severity, score: 1, stride: [], status: 'open', owner: null, due_date: null, stored: true });
    let n = 0;
    analyse.mockImplementation(() => {
      n += 1;
      return Promise.resolve({ summary, threats: [t('a@x', 'high'), t('b@x', n === 1 ? 'low' : 'critical')], warnings: [] });
    });
    const delay = { current: 0 };
    const { result, rerender } = renderHook(({ model }) => useLiveAnalysis('m', model, delay), { initialProps: { model: m1 } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    const first = result.current.result?.threats ?? [];
    rerender({ model: m2 });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    const second = result.current.result?.threats ?? [];
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
  });
});
