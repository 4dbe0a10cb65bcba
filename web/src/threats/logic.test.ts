import { describe, expect, it } from 'vitest';

import {
  buildChange,
  compareThreats,
  decisionSummary,
  countUnresolved,
  filterThreats,
  formFromDecision,
  groupThreats,
  hasErrors,
  isResolved,
  isValidDate,
  outcomeMessage,
  outcomeOf,
  rebaseForm,
  severityRank,
  sortThreats,
  splitCode,
  statusLabel,
  targetLabel,
  threatStatusLabel,
  validateStatusForm,
  type StatusForm,
} from './logic';
import { makeDecision, makeThreat } from './testFixtures';

describe('ordering', () => {
  it('ranks severities', () => {
    expect(severityRank('critical')).toBeGreaterThan(severityRank('high'));
    expect(severityRank('high')).toBeGreaterThan(severityRank('medium'));
    expect(severityRank('medium')).toBeGreaterThan(severityRank('low'));
    expect(severityRank('bogus')).toBe(0);
  });

  it('sorts most severe first, then by score, then title', () => {
    const low = makeThreat({ severity: 'low', score: 2, title: 'L' });
    const highA = makeThreat({ severity: 'high', score: 12, title: 'B' });
    const highB = makeThreat({ severity: 'high', score: 15, title: 'Z' });
    const highC = makeThreat({ severity: 'high', score: 12, title: 'A' });
    const critical = makeThreat({ severity: 'critical', score: 20 });
    const sorted = sortThreats([low, highA, critical, highB, highC]);
    expect(sorted.map((t) => t.id)).toEqual([critical.id, highB.id, highC.id, highA.id, low.id]);
  });

  it('does not change its input', () => {
    const threats = [makeThreat({ severity: 'low' }), makeThreat({ severity: 'critical' })];
    const copy = [...threats];
    sortThreats(threats);
    expect(threats).toEqual(copy);
  });

  it('breaks full ties by id', () => {
    const a = makeThreat({ rule: 'a', title: 'Same', score: 5 });
    const b = makeThreat({ rule: 'b', title: 'Same', score: 5 });
    expect(compareThreats(a, b)).toBeLessThan(0);
    expect(compareThreats(b, a)).toBeGreaterThan(0);
  });
});

describe('status', () => {
  it('labels statuses', () => {
    expect(statusLabel('in-progress')).toBe('In progress');
    expect(statusLabel('false-positive')).toBe('False positive');
    expect(statusLabel('something-new')).toBe('something-new');
  });

  it('treats mitigated, accepted and false positives as resolved', () => {
    expect(isResolved(makeThreat({ status: 'open' }))).toBe(false);
    expect(isResolved(makeThreat({ status: 'in-progress' }))).toBe(false);
    expect(isResolved(makeThreat({ status: 'mitigated' }))).toBe(true);
    expect(isResolved(makeThreat({ status: 'accepted' }))).toBe(true);
    expect(isResolved(makeThreat({ status: 'false-positive' }))).toBe(true);
  });

  it('treats an expired acceptance as unresolved', () => {
    const expired = makeThreat({ status: 'accepted', expired: true });
    expect(isResolved(expired)).toBe(false);
    expect(threatStatusLabel(expired)).toBe('Accepted (expired)');
    // A compact list entry (no account) says so itself.
    const compact = { ...makeThreat({ status: 'accepted' }), analysis: undefined, expired: true };
    expect(isResolved(compact)).toBe(false);
    expect(threatStatusLabel({ ...compact, expired: false })).toBe('Accepted');
  });

  it('counts unresolved threats by severity', () => {
    const counts = countUnresolved([
      makeThreat({ severity: 'critical' }),
      makeThreat({ severity: 'critical', status: 'mitigated' }),
      makeThreat({ severity: 'high', status: 'in-progress' }),
      makeThreat({ severity: 'low', status: 'accepted', expired: true }),
      makeThreat({ severity: 'low', status: 'false-positive' }),
    ]);
    expect(counts).toEqual({ critical: 1, high: 1, medium: 0, low: 1 });
  });
});

describe('filtering', () => {
  const login = makeThreat({ title: 'Credential stuffing', target: 'identity-provider', targetName: 'Customer IdP' });
  const sql = makeThreat({ title: 'SQL injection', target: 'orders-db', severity: 'high' });
  const done = makeThreat({ title: 'Old problem', target: 'orders-db', status: 'mitigated' });
  const all = [login, sql, done];

  it('hides resolved threats unless asked', () => {
    expect(filterThreats(all, { query: '', showResolved: false })).toEqual([login, sql]);
    expect(filterThreats(all, { query: '', showResolved: true })).toEqual(all);
  });

  it('matches every word of the query, ignoring case', () => {
    expect(filterThreats(all, { query: 'stuffing', showResolved: true })).toEqual([login]);
    expect(filterThreats(all, { query: 'ORDERS', showResolved: true })).toEqual([sql, done]);
    expect(filterThreats(all, { query: 'orders injection', showResolved: true })).toEqual([sql]);
    expect(filterThreats(all, { query: 'orders stuffing', showResolved: true })).toEqual([]);
  });

  it('matches the target name, severity and status', () => {
    expect(filterThreats(all, { query: 'customer idp', showResolved: true })).toEqual([login]);
    expect(filterThreats(all, { query: 'high', showResolved: true })).toEqual([sql]);
    expect(filterThreats(all, { query: 'mitigated', showResolved: true })).toEqual([done]);
  });
});

describe('grouping', () => {
  const a1 = makeThreat({ target: 'api', severity: 'medium', score: 9 });
  const a2 = makeThreat({ target: 'api', severity: 'critical', score: 20 });
  const b1 = makeThreat({ target: 'db', severity: 'high', score: 12 });
  const f1 = makeThreat({ target: 'api->db', targetKind: 'flow', severity: 'low', score: 2 });

  it('groups by severity, most severe first, leaving out empty severities', () => {
    const groups = groupThreats([a1, a2, b1, f1], 'severity');
    expect(groups.map((g) => g.key)).toEqual(['severity:critical', 'severity:high', 'severity:medium', 'severity:low']);
    const medium = groupThreats([a1, f1], 'severity');
    expect(medium.map((g) => g.label)).toEqual(['Medium', 'Low']);
    expect(medium[0]?.threats).toEqual([a1]);
  });

  it('groups by element, the element with the worst threat first', () => {
    const groups = groupThreats([f1, b1, a1, a2], 'element');
    expect(groups.map((g) => g.label)).toEqual(['api', 'db', 'api->db']);
    expect(groups[0]?.threats).toEqual([a2, a1]);
    expect(groups[0]?.severity).toBe('critical');
    expect(groups[0]?.counts).toEqual({ critical: 1, high: 0, medium: 1, low: 0 });
  });

  it('keeps an element and a flow of the same id apart', () => {
    const element = makeThreat({ target: 'x' });
    const data = makeThreat({ target: 'x', targetKind: 'data' });
    expect(groupThreats([element, data], 'element')).toHaveLength(2);
  });

  it('names targets by name and id', () => {
    expect(targetLabel(makeThreat({ target: 'idp', targetName: 'Identity provider' }))).toBe('Identity provider (idp)');
    expect(targetLabel(makeThreat({ target: 'idp', targetName: 'idp' }))).toBe('idp');
    expect(targetLabel(makeThreat({ target: 'Shop', targetName: 'Shop', targetKind: 'model' }))).toBe(
      'Shop (whole model)',
    );
  });

  it('handles 2,000 threats quickly', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      makeThreat({
        target: `c${i % 300}`,
        severity: (['low', 'medium', 'high', 'critical'] as const)[i % 4],
        score: i % 25,
      }),
    );
    const started = performance.now();
    const groups = groupThreats(filterThreats(many, { query: 'c1', showResolved: false }), 'element');
    expect(groups.length).toBeGreaterThan(0);
    // Generous bound: a sanity check against accidental quadratic work, not a benchmark.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('text', () => {
  it('splits backtick-quoted ids', () => {
    expect(splitCode('`idp` has capability `user-login`')).toEqual([
      { text: 'idp', code: true },
      { text: ' has capability ', code: false },
      { text: 'user-login', code: true },
    ]);
    expect(splitCode('no code')).toEqual([{ text: 'no code', code: false }]);
    expect(splitCode('a `b` c `d')).toEqual([
      { text: 'a ', code: false },
      { text: 'b', code: true },
      { text: ' c ', code: false },
      { text: '`d', code: false },
    ]);
  });
});

describe('status form', () => {
  const base: StatusForm = { status: 'open', justification: '', owner: '', due_date: '', expires: '' };

  it('starts from the decision, or from the live threat', () => {
    const decision = makeDecision({ status: 'accepted', justification: 'ok', owner: 'ann', expires: '2027-01-01' });
    expect(formFromDecision(decision, undefined)).toEqual({
      status: 'accepted',
      justification: 'ok',
      owner: 'ann',
      due_date: '',
      expires: '2027-01-01',
    });
    const threat = makeThreat({ status: 'in-progress', owner: 'bob' });
    expect(formFromDecision(undefined, threat)).toMatchObject({ status: 'in-progress', owner: 'bob' });
  });

  it('requires a justification to accept or mark a false positive', () => {
    expect(validateStatusForm({ ...base, status: 'accepted' }, undefined, true).justification).toMatch(/required/);
    expect(validateStatusForm({ ...base, status: 'false-positive', justification: '  ' }, undefined, true)).toHaveProperty(
      'justification',
    );
    expect(hasErrors(validateStatusForm({ ...base, status: 'accepted', justification: 'why' }, undefined, true))).toBe(
      false,
    );
    expect(hasErrors(validateStatusForm({ ...base, status: 'mitigated' }, undefined, false))).toBe(false);
  });

  it('checks dates', () => {
    expect(isValidDate('2027-02-28')).toBe(true);
    expect(isValidDate('2027-02-30')).toBe(false);
    expect(isValidDate('27-2-3')).toBe(false);
    expect(validateStatusForm({ ...base, due_date: 'soon' }, undefined, true).due_date).toBeDefined();
    expect(
      validateStatusForm({ ...base, status: 'accepted', justification: 'x', expires: '2027-13-01' }, undefined, true)
        .expires,
    ).toBeDefined();
  });

  it('tells a developer that only an architect may rewrite an accepted justification', () => {
    const decision = makeDecision({ status: 'accepted', justification: 'old' });
    const form = { ...base, status: 'accepted' as const, justification: 'new' };
    expect(validateStatusForm(form, decision, false).justification).toMatch(/security architect/);
    expect(validateStatusForm(form, decision, true).justification).toBeUndefined();
  });

  it('sends the status and only what changed', () => {
    const decision = makeDecision({ status: 'in-progress', owner: 'ann', due_date: '2027-01-01' });
    expect(buildChange({ ...formFromDecision(decision, undefined), status: 'mitigated' }, decision, true)).toEqual({
      status: 'mitigated',
    });
    expect(
      buildChange({ ...formFromDecision(decision, undefined), owner: ' bob ', due_date: '' }, decision, true),
    ).toEqual({ status: 'in-progress', owner: 'bob', due_date: '' });
  });

  it('sends the expiry only for an acceptance made by someone who can decide', () => {
    const form: StatusForm = { ...base, status: 'accepted', justification: 'why', expires: '2027-05-01' };
    expect(buildChange(form, makeDecision(), true)).toEqual({
      status: 'accepted',
      justification: 'why',
      expires: '2027-05-01',
    });
    expect(buildChange(form, makeDecision(), false)).toEqual({ status: 'accepted', justification: 'why' });
    expect(buildChange({ ...form, status: 'mitigated' }, makeDecision(), true)).not.toHaveProperty('expires');
  });

  it('explains every answer', () => {
    expect(outcomeMessage(outcomeOf(200))).toBe('Saved');
    expect(outcomeMessage(outcomeOf(202))).toBe('Sent to a security architect for review');
    expect(outcomeMessage(outcomeOf(404))).toBe('This threat is not in the saved version yet: save the model first');
    expect(outcomeOf(409).kind).toBe('conflict');
    expect(outcomeMessage(outcomeOf(409))).toMatch(/Someone else changed/);
    expect(outcomeOf(400, 'a justification is required', 'justification')).toEqual({
      kind: 'invalid',
      field: 'justification',
      message: 'a justification is required',
    });
    expect(outcomeMessage(outcomeOf(500, 'boom'))).toBe('boom');
  });
});

describe('rebasing the form after a conflict', () => {
  it('keeps the edited fields and takes the rest from the new decision', () => {
    const form: StatusForm = { status: 'mitigated', justification: '', owner: '', due_date: '2027-01-01', expires: '' };
    const theirs = makeDecision({ status: 'in-progress', owner: 'ann', due_date: '2026-12-01', justification: 'x' });
    expect(rebaseForm(form, new Set(['status', 'due_date'] as const), theirs)).toEqual({
      status: 'mitigated',
      justification: 'x',
      owner: 'ann',
      due_date: '2027-01-01',
      expires: '',
    });
    expect(buildChange(rebaseForm(form, new Set(['status'] as const), theirs), theirs, true)).toEqual({
      status: 'mitigated',
    });
  });
});

describe('decision summary', () => {
  it('says who decided what', () => {
    expect(
      decisionSummary(
        makeDecision({ status: 'accepted', owner: 'ann', expires: '2027-01-01', ticket: 'T-1', updated_by: 'architect' }),
      ),
    ).toBe('Accepted · owner ann · acceptance expires 2027-01-01 · ticket T-1 · last changed by architect');
    expect(decisionSummary(makeDecision())).toBe('Open');
  });
});
