// Builders of threats and summaries for the panel's tests (imported by tests only).

import type { Decision, FullThreat, Severity, Summary, ThreatPreview, ThreatStatus } from './types';

let counter = 0;

export interface ThreatSpec {
  rule?: string;
  target?: string;
  targetName?: string;
  targetKind?: ThreatPreview['target_kind'];
  severity?: Severity;
  score?: number;
  status?: ThreatStatus;
  title?: string;
  expired?: boolean;
  owner?: string | null;
}

export function makeThreat(spec: ThreatSpec = {}): FullThreat {
  counter += 1;
  const rule = spec.rule ?? `rule-${counter}`;
  const target = spec.target ?? 'web-app';
  const kind = spec.targetKind ?? 'element';
  const severity = spec.severity ?? 'medium';
  const score = spec.score ?? 9;
  const status = spec.status ?? 'open';
  const title = spec.title ?? `Threat ${rule}`;
  const id = `${rule}@${target}`;
  const risk = { likelihood: 3, impact: 3, score, severity };
  return {
    id,
    rule,
    title,
    target,
    target_kind: kind,
    severity,
    score,
    stride: ['spoofing'],
    status,
    owner: spec.owner ?? null,
    due_date: null,
    description: `Attackers exploit ${rule} on ${target}.`,
    references: ['https://example.invalid/reference'],
    analysis: {
      id,
      rule,
      title,
      stride: ['spoofing'],
      cwe: [307],
      capec: [600],
      attack: ['T1110.004'],
      target: { kind, id: target, name: spec.targetName ?? target },
      location: { line: 1, column: 1 },
      inherent: risk,
      current: risk,
      status,
      tracking: spec.expired ? { status: 'accepted', expired: true } : undefined,
      because: [`\`${target}\` has capability \`user-login\``],
      risk_factors: ['base likelihood 3 and impact 3 from the rule'],
      countermeasures: [{ id: 'multi-factor-authentication', present: false }],
    },
    countermeasures: [
      {
        state: { id: 'multi-factor-authentication', present: false },
        name: 'Multi-factor authentication',
        description: 'Require a second factor at login.',
        guidance: 'Use the identity provider\u2019s MFA.',
      },
    ],
  };
}

export function makeSummary(threats: ThreatPreview[]): Summary {
  const unresolved = threats.filter((t) => t.status === 'open' || t.status === 'in-progress');
  const count = (severity: Severity) => unresolved.filter((t) => t.severity === severity).length;
  return {
    components: 3,
    flows: 2,
    threats: threats.length,
    unresolved: unresolved.length,
    critical: count('critical'),
    high: count('high'),
    medium: count('medium'),
    low: count('low'),
    risk_score: 10,
  };
}

export function makeDecision(partial: Partial<Decision> = {}): Decision {
  return {
    status: 'open',
    justification: null,
    owner: null,
    due_date: null,
    expires: null,
    ticket: null,
    proposed_status: null,
    proposed_justification: null,
    proposed_by: null,
    revision: 0,
    updated_by: null,
    updated_at: null,
    etag: '"tabc-r0"',
    ...partial,
  };
}
