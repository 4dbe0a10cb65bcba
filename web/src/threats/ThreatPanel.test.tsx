import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ThreatRequestError } from './api';
import * as threatApi from './api';
import { GROUPS_PER_PAGE, ROWS_PER_PAGE, ThreatPanel, type ThreatPanelProps } from './ThreatPanel';
import { makeDecision, makeSummary, makeThreat } from './testFixtures';
import type { ThreatPreview } from './types';

vi.mock('./api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./api')>();
  return {
    ...actual,
    fetchThreat: vi.fn(),
    saveDecision: vi.fn(),
    fetchComments: vi.fn(),
    addComment: vi.fn(),
  };
});

const fetchThreat = vi.mocked(threatApi.fetchThreat);
const saveDecision = vi.mocked(threatApi.saveDecision);
const fetchComments = vi.mocked(threatApi.fetchComments);
const addComment = vi.mocked(threatApi.addComment);

const critical = makeThreat({
  rule: 'credential-stuffing',
  target: 'identity-provider',
  targetName: 'Customer identity provider',
  severity: 'critical',
  score: 25,
  title: 'Credential stuffing',
});
const high = makeThreat({ rule: 'sql-injection', target: 'orders-db', severity: 'high', score: 16, title: 'SQL injection' });
const medium = makeThreat({
  rule: 'cleartext',
  target: 'api->orders-db',
  targetKind: 'flow',
  severity: 'medium',
  score: 9,
  title: 'Cleartext traffic',
});
const resolved = makeThreat({
  rule: 'old-issue',
  target: 'orders-db',
  severity: 'low',
  score: 2,
  status: 'mitigated',
  title: 'Old issue',
});
const threats = [medium, resolved, critical, high];

function setup(overrides: Partial<ThreatPanelProps> = {}) {
  const props: ThreatPanelProps = {
    modelId: 'model-1',
    threats,
    summary: makeSummary(threats),
    selectedThreatId: undefined,
    onSelectThreat: vi.fn(),
    onSelectElement: vi.fn(),
    canDecide: true,
    canPropose: true,
    savedVersion: 3,
    onDecisionSaved: vi.fn(),
    ...overrides,
  };
  const view = render(<ThreatPanel {...props} />);
  return { props, view };
}

function rowIds(): string[] {
  return Array.from(document.querySelectorAll('[data-threat-id]')).map((row) => row.getAttribute('data-threat-id') ?? '');
}

beforeEach(() => {
  fetchThreat.mockImplementation(async (_model, threatId) => ({
    ...critical,
    id: threatId,
    since_version: 1,
    decision: makeDecision({ etag: '"t1-r0"' }),
  }));
  fetchComments.mockResolvedValue([]);
});

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe('ThreatPanel list', () => {
  it('shows counts with words and unresolved threats, most severe first', () => {
    setup();
    const panel = screen.getByTestId('threat-panel');
    const counts = within(panel).getByRole('list', { name: 'Unresolved threats by severity' });
    expect(counts.textContent).toContain('Critical 1');
    expect(counts.textContent).toContain('High 1');
    expect(counts.textContent).toContain('Medium 1');
    expect(counts.textContent).toContain('Low 0');
    expect(rowIds()).toEqual([critical.id, high.id, medium.id]);
    const row = screen.getByTestId(`threat-${critical.id}`);
    expect(row.textContent).toContain('Critical');
    expect(row.textContent).toContain('Credential stuffing');
    expect(row.textContent).toContain('Customer identity provider (identity-provider)');
    expect(row.textContent).toContain('Open');
  });

  it('shows resolved threats on request', () => {
    setup();
    expect(screen.queryByTestId(`threat-${resolved.id}`)).toBeNull();
    fireEvent.click(screen.getByLabelText(/Show resolved/));
    expect(screen.getByTestId(`threat-${resolved.id}`).textContent).toContain('Mitigated');
  });

  it('filters by text', async () => {
    setup();
    fireEvent.change(screen.getByLabelText('Filter threats'), { target: { value: 'sql' } });
    await waitFor(() => expect(rowIds()).toEqual([high.id]));
    fireEvent.change(screen.getByLabelText('Filter threats'), { target: { value: 'nothing-like-this' } });
    await waitFor(() => expect(screen.getByText('No threat matches the filter.')).toBeTruthy());
  });

  it('groups by element or by severity', () => {
    setup();
    const headers = () =>
      Array.from(document.querySelectorAll('[data-group]')).map((header) => header.getAttribute('data-group'));
    expect(headers()).toEqual(['severity:critical', 'severity:high', 'severity:medium']);
    fireEvent.click(screen.getByRole('button', { name: 'By element' }));
    expect(screen.getByRole('button', { name: 'By element' }).getAttribute('aria-pressed')).toBe('true');
    expect(headers()).toEqual([
      'target:element:identity-provider',
      'target:element:orders-db',
      'target:flow:api->orders-db',
    ]);
    expect(screen.getByText('Customer identity provider (identity-provider)', { selector: '.tp-group-label' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'By severity' }));
    expect(headers()).toEqual(['severity:critical', 'severity:high', 'severity:medium']);
  });

  it('collapses and expands groups', () => {
    setup();
    const header = document.querySelector<HTMLElement>('[data-group="severity:high"]');
    if (!header) throw new Error('no header');
    expect(header.getAttribute('aria-expanded')).toBe('true');
    fireEvent.click(header);
    expect(header.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId(`threat-${high.id}`)).toBeNull();
    fireEvent.keyDown(header, { key: 'ArrowRight' });
    expect(header.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByTestId(`threat-${high.id}`)).toBeTruthy();
  });

  it('moves between rows with arrow keys and selects with Enter or a click', () => {
    const { props } = setup();
    const first = screen.getByTestId(`threat-${critical.id}`);
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    // The next item is the header of the "High" group, then its row.
    expect(document.activeElement?.getAttribute('data-group')).toBe('severity:high');
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByTestId(`threat-${high.id}`));
    fireEvent.keyDown(document.activeElement as Element, { key: 'Enter' });
    expect(props.onSelectThreat).toHaveBeenLastCalledWith(high.id);
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowUp' });
    fireEvent.keyDown(document.activeElement as Element, { key: 'Home' });
    expect(document.activeElement?.getAttribute('data-group')).toBe('severity:critical');
    fireEvent.keyDown(document.activeElement as Element, { key: 'End' });
    expect(document.activeElement).toBe(screen.getByTestId(`threat-${medium.id}`));
    fireEvent.click(screen.getByTestId(`threat-${critical.id}`));
    expect(props.onSelectThreat).toHaveBeenLastCalledWith(critical.id);
    // Every row is a button reachable by Tab.
    expect(first.tagName).toBe('BUTTON');
    expect(first.tabIndex).toBe(0);
  });

  it('renders only the rows of open groups, a page at a time, with 2,000 threats', () => {
    const many: ThreatPreview[] = Array.from({ length: 2000 }, (_, i) =>
      makeThreat({
        rule: `r${i}`,
        target: `c${i % 400}`,
        severity: (['low', 'medium', 'high', 'critical'] as const)[i % 4],
        score: (i % 25) + 1,
      }),
    );
    setup({ threats: many, summary: makeSummary(many) });
    // Only the first group (critical, 500 threats) is open, and only its first page is rendered.
    expect(rowIds()).toHaveLength(ROWS_PER_PAGE);
    fireEvent.click(screen.getByRole('button', { name: /Show 100 more of 400/ }));
    expect(rowIds()).toHaveLength(2 * ROWS_PER_PAGE);
    // By element: 400 targets, of which the first page of groups is rendered, only the first open.
    fireEvent.click(screen.getByRole('button', { name: 'By element' }));
    expect(document.querySelectorAll('[data-group]')).toHaveLength(GROUPS_PER_PAGE);
    expect(rowIds()).toHaveLength(5);
    fireEvent.click(screen.getByRole('button', { name: /Show 100 more groups of 300/ }));
    expect(document.querySelectorAll('[data-group]')).toHaveLength(2 * GROUPS_PER_PAGE);
  });

  it('opens the group and renders the row of a threat selected from the diagram', () => {
    const many: ThreatPreview[] = Array.from({ length: 300 }, (_, i) =>
      makeThreat({ rule: `x${i}`, target: `c${i}`, severity: i < 200 ? 'high' : 'low', score: 300 - i }),
    );
    const { view, props } = setup({ threats: many, summary: makeSummary(many) });
    const deep = many[150];
    const low = many[250];
    if (!deep || !low) throw new Error('fixture');
    expect(screen.queryByTestId(`threat-${deep.id}`)).toBeNull();
    view.rerender(<ThreatPanel {...props} threats={many} summary={makeSummary(many)} selectedThreatId={deep.id} />);
    expect(screen.getByTestId(`threat-${deep.id}`).getAttribute('aria-current')).toBe('true');
    view.rerender(<ThreatPanel {...props} threats={many} summary={makeSummary(many)} selectedThreatId={low.id} />);
    expect(screen.getByTestId(`threat-${low.id}`)).toBeTruthy();
  });
});

describe('ThreatPanel detail', () => {
  it('explains the selected threat and selects its element', async () => {
    const { props } = setup({ selectedThreatId: critical.id });
    const detail = await screen.findByTestId('threat-detail');
    expect(within(detail).getByRole('heading', { name: 'Credential stuffing' })).toBeTruthy();
    expect(detail.textContent).toContain('score 25 of 25');
    expect(detail.textContent).toContain(critical.description);
    expect(within(detail).getByText('user-login', { selector: 'code' })).toBeTruthy();
    expect(detail.textContent).toContain('base likelihood 3 and impact 3 from the rule');
    expect(detail.textContent).toContain('Multi-factor authentication');
    expect(detail.textContent).toContain('✗ missing');
    expect(detail.textContent).toContain('Use the identity provider');
    expect(detail.textContent).toContain('CWE-307');
    expect(detail.textContent).toContain('CAPEC-600');
    expect(detail.textContent).toContain('T1110.004');
    expect(detail.textContent).toContain('https://example.invalid/reference');
    // No external links anywhere.
    expect(detail.querySelector('a')).toBeNull();
    fireEvent.click(within(detail).getByRole('button', { name: 'Customer identity provider (identity-provider)' }));
    expect(props.onSelectElement).toHaveBeenCalledWith('identity-provider');
    await waitFor(() => expect(fetchThreat).toHaveBeenCalledWith('model-1', critical.id, expect.anything()));
    await screen.findByText('No comments yet.');
    fireEvent.keyDown(within(detail).getByRole('heading', { name: 'Credential stuffing' }), { key: 'Escape' });
    expect(props.onSelectThreat).toHaveBeenCalledWith(undefined);
  });

  it('loads the full account of a compact threat, and the stored decision only when stored', async () => {
    const { description: _d, references: _r, analysis: _a, countermeasures: _c, ...rest } = critical;
    const compactThreat: ThreatPreview = { ...rest, stored: false };
    let answer: (full: typeof critical) => void = () => undefined;
    const loadThreat = vi.fn((_id: string, _signal: AbortSignal) => new Promise<typeof critical>((resolve) => (answer = resolve)));
    setup({ threats: [compactThreat, high], selectedThreatId: critical.id, loadThreat });
    const detail = await screen.findByTestId('threat-detail');
    expect(within(detail).getByRole('heading', { name: 'Credential stuffing' })).toBeTruthy();
    expect(detail.textContent).toContain('Loading the explanation');
    expect(loadThreat).toHaveBeenCalledWith(critical.id, expect.anything());
    await act(async () => answer(critical));
    expect(detail.textContent).not.toContain('Loading the explanation');
    expect(detail.textContent).toContain('CWE-307');
    expect(detail.textContent).toContain('Multi-factor authentication');
    // Not in the saved version: no request for its stored decision (it would be a 404).
    await screen.findByText(/Comments are possible once the threat is in a saved version/);
    expect(fetchThreat).not.toHaveBeenCalled();
  });

  it('cancels the account request when the selection changes', async () => {
    const strip = (t: typeof critical): ThreatPreview => {
      const { description: _d, references: _r, analysis: _a, countermeasures: _c, ...rest } = t;
      return { ...rest, stored: true };
    };
    const signals: AbortSignal[] = [];
    const loadThreat = vi.fn((_id: string, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<typeof critical>(() => undefined);
    });
    const { view, props } = setup({ threats: [strip(critical), strip(high)], selectedThreatId: critical.id, loadThreat });
    await screen.findByTestId('threat-detail');
    view.rerender(<ThreatPanel {...props} selectedThreatId={high.id} />);
    await waitFor(() => expect(loadThreat).toHaveBeenCalledTimes(2));
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    await waitFor(() => expect(fetchThreat).toHaveBeenCalledWith('model-1', high.id, expect.anything()));
  });

  it('requires a justification to accept, inline, without calling the server', async () => {
    setup({ selectedThreatId: critical.id });
    await screen.findByTestId('threat-decision');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'accepted' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    const message = await screen.findByText(/A justification is required/);
    expect(message.getAttribute('role')).toBe('alert');
    const justification = screen.getByLabelText('Justification');
    expect(justification.getAttribute('aria-invalid')).toBe('true');
    expect(justification.getAttribute('aria-describedby')).toContain(message.id);
    expect(saveDecision).not.toHaveBeenCalled();
  });

  it('saves a decision with the ETag and reports it', async () => {
    const { props } = setup({ selectedThreatId: critical.id });
    await screen.findByTestId('threat-decision');
    saveDecision.mockResolvedValue({
      status: 200,
      decision: makeDecision({ status: 'accepted', justification: 'Low value', revision: 1, etag: '"t1-r1"' }),
    });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'accepted' } });
    fireEvent.change(screen.getByLabelText('Justification'), { target: { value: 'Low value' } });
    fireEvent.change(screen.getByLabelText('Acceptance expires'), { target: { value: '2027-06-30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    await screen.findByText('Saved');
    expect(saveDecision).toHaveBeenCalledWith('model-1', critical.id, '"t1-r0"', {
      status: 'accepted',
      justification: 'Low value',
      expires: '2027-06-30',
    });
    expect(props.onDecisionSaved).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('threat-decision').textContent).toContain('Accepted');
  });

  it('tells a developer that acceptance becomes a proposal, and reports the 202', async () => {
    setup({ selectedThreatId: critical.id, canDecide: false, canPropose: true });
    await screen.findByTestId('threat-decision');
    expect(screen.getByText(/become proposals/)).toBeTruthy();
    saveDecision.mockResolvedValue({
      status: 202,
      decision: makeDecision({ proposed_status: 'false-positive', proposed_by: 'developer', revision: 1 }),
    });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'false-positive' } });
    // Only someone who can decide sets an expiry.
    expect(screen.queryByLabelText('Acceptance expires')).toBeNull();
    fireEvent.change(screen.getByLabelText('Justification'), { target: { value: 'Not reachable' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    await screen.findByText('Sent to a security architect for review');
    expect(screen.getByText(/Proposed: False positive by developer/)).toBeTruthy();
  });

  it('says to save the model first when the threat is not in the saved version', async () => {
    fetchThreat.mockRejectedValue(new ThreatRequestError(404, 'not-found', 'no such threat', null));
    setup({ selectedThreatId: critical.id });
    await screen.findByText(/Comments are possible once the threat is in a saved version/);
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    await screen.findByText('This threat is not in the saved version yet: save the model first');
    expect(saveDecision).not.toHaveBeenCalled();
    expect(fetchComments).not.toHaveBeenCalled();
  });

  it('reloads the decision after a conflict and says so', async () => {
    setup({ selectedThreatId: critical.id });
    await screen.findByTestId('threat-decision');
    saveDecision.mockRejectedValue(new ThreatRequestError(409, 'conflict', 'changed', null));
    fetchThreat.mockResolvedValue({
      ...critical,
      since_version: 1,
      decision: makeDecision({ status: 'in-progress', owner: 'ann', updated_by: 'architect', revision: 2, etag: '"t1-r2"' }),
    });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'mitigated' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    await screen.findByText(/Someone else changed this threat/);
    await waitFor(() => expect(screen.getByTestId('threat-decision').textContent).toContain('last changed by architect'));
    // What the user chose is kept, to be saved again against the new revision.
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('mitigated');
    saveDecision.mockResolvedValue({ status: 200, decision: makeDecision({ status: 'mitigated', etag: '"t1-r3"' }) });
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    await screen.findByText('Saved');
    expect(saveDecision).toHaveBeenLastCalledWith('model-1', critical.id, '"t1-r2"', { status: 'mitigated' });
  });

  it('lets an architect approve a proposal', async () => {
    fetchThreat.mockResolvedValue({
      ...critical,
      since_version: 1,
      decision: makeDecision({
        proposed_status: 'false-positive',
        proposed_justification: 'Behind the VPN only',
        proposed_by: 'developer',
        revision: 1,
        etag: '"t1-r1"',
      }),
    });
    saveDecision.mockResolvedValue({
      status: 200,
      decision: makeDecision({ status: 'false-positive', justification: 'Behind the VPN only', etag: '"t1-r2"' }),
    });
    setup({ selectedThreatId: critical.id });
    fireEvent.click(await screen.findByRole('button', { name: 'Fill in the proposal' }));
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('false-positive');
    fireEvent.click(screen.getByRole('button', { name: 'Save status' }));
    await screen.findByText('Saved');
    expect(saveDecision).toHaveBeenCalledWith('model-1', critical.id, '"t1-r1"', {
      status: 'false-positive',
      justification: 'Behind the VPN only',
    });
  });

  it('is read-only for viewers', async () => {
    setup({ selectedThreatId: critical.id, canDecide: false, canPropose: false });
    await screen.findByTestId('threat-decision');
    expect((screen.getByRole('button', { name: 'Save status' }) as HTMLButtonElement).closest('fieldset')?.disabled).toBe(
      true,
    );
    expect(screen.getByText('You can read this threat but not change it.')).toBeTruthy();
    expect(screen.queryByLabelText('Comment')).toBeNull();
  });

  it('lists and adds comments', async () => {
    fetchComments.mockResolvedValue([
      { id: 'c1', author: 'architect', body: 'Check the WAF rules.', created_at: '2026-11-19T02:00:00Z' },
    ]);
    addComment.mockResolvedValue({ id: 'c2', author: 'admin', body: 'Done.', created_at: '2026-11-20T02:00:00Z' });
    setup({ selectedThreatId: critical.id });
    await screen.findByText('Check the WAF rules.');
    fireEvent.change(screen.getByLabelText('Comment'), { target: { value: 'Done.' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add comment' }));
    });
    await screen.findByText('Done.');
    expect(addComment).toHaveBeenCalledWith('model-1', critical.id, 'Done.');
  });
});
