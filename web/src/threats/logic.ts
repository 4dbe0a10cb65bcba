// Pure logic of the threat panel: ordering, filtering, grouping, counting,
// labels and the status form. No React, no network: unit-tested on its own.

import type { Decision, DecisionChange, Severity, ThreatPreview, ThreatStatus } from './types';

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export const STATUSES: readonly ThreatStatus[] = ['open', 'in-progress', 'mitigated', 'accepted', 'false-positive'];

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** 4 for critical down to 1 for low; 0 for anything unknown. */
export function severityRank(severity: string): number {
  return (SEVERITY_RANK as Record<string, number | undefined>)[severity] ?? 0;
}

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export function severityLabel(severity: string): string {
  return (SEVERITY_LABELS as Record<string, string | undefined>)[severity] ?? severity;
}

export const STATUS_LABELS: Record<ThreatStatus, string> = {
  open: 'Open',
  'in-progress': 'In progress',
  mitigated: 'Mitigated',
  accepted: 'Accepted',
  'false-positive': 'False positive',
};

export function statusLabel(status: string): string {
  return (STATUS_LABELS as Record<string, string | undefined>)[status] ?? status;
}

/** An accepted risk whose review date has passed counts as unresolved again. */
export function isExpiredAcceptance(threat: ThreatPreview): boolean {
  return threat.status === 'accepted' && (threat.expired ?? threat.analysis?.tracking?.expired) === true;
}

/** The label of a threat's status, noting an expired acceptance. */
export function threatStatusLabel(threat: ThreatPreview): string {
  return isExpiredAcceptance(threat) ? 'Accepted (expired)' : statusLabel(threat.status);
}

/** Mitigated, accepted (unless expired) and false-positive threats need no more attention. */
export function isResolved(threat: ThreatPreview): boolean {
  switch (threat.status) {
    case 'mitigated':
    case 'false-positive':
      return true;
    case 'accepted':
      return !isExpiredAcceptance(threat);
    default:
      return false;
  }
}

/** Most severe first, then highest score, then title and id (stable for equal threats). */
export function compareThreats(a: ThreatPreview, b: ThreatPreview): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    b.score - a.score ||
    a.title.localeCompare(b.title) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function sortThreats(threats: readonly ThreatPreview[]): ThreatPreview[] {
  return [...threats].sort(compareThreats);
}

export type SeverityCounts = Record<Severity, number>;

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

/** Counts of unresolved threats by severity. */
export function countUnresolved(threats: readonly ThreatPreview[]): SeverityCounts {
  const counts = emptyCounts();
  for (const threat of threats) {
    if (!isResolved(threat) && threat.severity in counts) counts[threat.severity] += 1;
  }
  return counts;
}

export interface ThreatFilter {
  /** Free text: every word must appear in the title, id, rule, target, target name, severity or status. */
  query: string;
  showResolved: boolean;
}

/** The text a filter query is matched against, lower-cased. */
function searchText(threat: ThreatPreview): string {
  return [
    threat.title,
    threat.id,
    threat.rule,
    threat.target,
    threat.analysis?.target?.name ?? threat.target_name ?? '',
    threat.severity,
    threatStatusLabel(threat),
    threat.owner ?? '',
  ]
    .join('\n')
    .toLowerCase();
}

export function queryTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term.length > 0);
}

export function matchesFilter(threat: ThreatPreview, filter: ThreatFilter, terms = queryTerms(filter.query)): boolean {
  if (!filter.showResolved && isResolved(threat)) return false;
  if (terms.length === 0) return true;
  const text = searchText(threat);
  return terms.every((term) => text.includes(term));
}

export function filterThreats(threats: readonly ThreatPreview[], filter: ThreatFilter): ThreatPreview[] {
  const terms = queryTerms(filter.query);
  return threats.filter((threat) => matchesFilter(threat, filter, terms));
}

export type GroupMode = 'element' | 'severity';

export interface ThreatGroup {
  /** Stable key: `severity:high` or `target:<id>`. */
  key: string;
  /** What the group header shows. */
  label: string;
  /** The severity of a severity group; the highest severity in an element group. */
  severity: Severity;
  /** Sorted most severe first. */
  threats: ThreatPreview[];
  /** Unresolved threats of the group by severity. */
  counts: SeverityCounts;
}

const TARGET_KIND_LABELS: Record<string, string> = {
  element: 'element',
  flow: 'flow',
  data: 'data',
  model: 'whole model',
};

/** A readable name of a threat's target: `Customer identity provider (identity-provider)`. */
export function targetLabel(threat: ThreatPreview): string {
  const name = threat.analysis?.target?.name ?? threat.target_name;
  if (threat.target_kind === 'model') return name ? `${name} (whole model)` : 'Whole model';
  if (name && name !== threat.target) return `${name} (${threat.target})`;
  return threat.target;
}

export function targetKindLabel(kind: string): string {
  return TARGET_KIND_LABELS[kind] ?? kind;
}

/**
 * Groups threats (assumed already filtered) by severity (most severe first,
 * empty severities left out) or by target (targets with the most severe and
 * highest-scored threat first). Threats in each group are sorted most severe first.
 */
export function groupThreats(threats: readonly ThreatPreview[], mode: GroupMode): ThreatGroup[] {
  const sorted = sortThreats(threats);
  if (mode === 'severity') {
    return SEVERITIES.map((severity) => {
      const members = sorted.filter((threat) => threat.severity === severity);
      return {
        key: `severity:${severity}`,
        label: SEVERITY_LABELS[severity],
        severity,
        threats: members,
        counts: countUnresolved(members),
      };
    }).filter((group) => group.threats.length > 0);
  }
  // Sorted input: the first threat seen for a target is its most severe one,
  // so groups come out in the order of their worst threat.
  const groups = new Map<string, ThreatGroup>();
  for (const threat of sorted) {
    const key = `target:${threat.target_kind}:${threat.target}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, label: targetLabel(threat), severity: threat.severity, threats: [], counts: emptyCounts() };
      groups.set(key, group);
    }
    group.threats.push(threat);
    if (!isResolved(threat) && threat.severity in group.counts) group.counts[threat.severity] += 1;
  }
  return [...groups.values()];
}

/** Splits text on backticks: the quoted parts are code (ids of the model). */
export function splitCode(text: string): { text: string; code: boolean }[] {
  const parts = text.split('`');
  // An even number of parts means one backtick has no partner: keep it as text.
  const unmatched = parts.length % 2 === 0;
  return parts
    .map((part, index) =>
      unmatched && index === parts.length - 1 ? { text: '`' + part, code: false } : { text: part, code: index % 2 === 1 },
    )
    .filter((part) => part.text.length > 0);
}

/** Formats a score like the server does: at most one decimal. */
export function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}

// ---------------------------------------------------------------------------
// The "Set status" form.

export interface StatusForm {
  status: ThreatStatus;
  justification: string;
  owner: string;
  due_date: string;
  expires: string;
}

export interface StatusFormErrors {
  status?: string;
  justification?: string;
  due_date?: string;
  expires?: string;
}

/** Statuses that need a justification (and, for a developer, become a proposal). */
export function needsJustification(status: ThreatStatus): boolean {
  return status === 'accepted' || status === 'false-positive';
}

/** The form as a decision (or, before one is loaded, the live threat) says. */
export function formFromDecision(decision: Decision | undefined, threat: ThreatPreview | undefined): StatusForm {
  if (decision) {
    return {
      status: decision.status,
      justification: decision.justification ?? '',
      owner: decision.owner ?? '',
      due_date: decision.due_date ?? '',
      expires: decision.expires ?? '',
    };
  }
  return {
    status: threat?.status ?? 'open',
    justification: '',
    owner: threat?.owner ?? '',
    due_date: threat?.due_date ?? '',
    expires: '',
  };
}

/**
 * The form on top of a newly read decision (after someone else changed it):
 * the fields the user edited keep the user's values, the others show the new decision.
 */
export function rebaseForm(
  form: StatusForm,
  edited: ReadonlySet<keyof StatusForm>,
  decision: Decision,
  threat?: ThreatPreview,
): StatusForm {
  const next = formFromDecision(decision, threat);
  for (const field of edited) {
    if (field === 'status') next.status = form.status;
    else next[field] = form[field];
  }
  return next;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD. */
export function isValidDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Checks the form before it is sent. `canDecide` is a security architect's
 * right to decide; without it only proposals and plain updates are possible.
 */
export function validateStatusForm(
  form: StatusForm,
  decision: Decision | undefined,
  canDecide: boolean,
): StatusFormErrors {
  const errors: StatusFormErrors = {};
  if (!STATUSES.includes(form.status)) errors.status = 'Choose a status.';
  if (needsJustification(form.status) && form.justification.trim() === '') {
    errors.justification = `A justification is required to set "${statusLabel(form.status)}".`;
  }
  if (
    !canDecide &&
    decision &&
    needsJustification(form.status) &&
    form.status === decision.status &&
    form.justification.trim() !== (decision.justification ?? '').trim()
  ) {
    errors.justification = `Only a security architect can change the justification of a threat marked "${statusLabel(
      form.status,
    )}".`;
  }
  if (form.due_date.trim() !== '' && !isValidDate(form.due_date.trim())) {
    errors.due_date = 'Write the due date as YYYY-MM-DD.';
  }
  if (form.status === 'accepted' && form.expires.trim() !== '' && !isValidDate(form.expires.trim())) {
    errors.expires = 'Write the expiry date as YYYY-MM-DD.';
  }
  return errors;
}

export function hasErrors(errors: StatusFormErrors): boolean {
  return Object.values(errors).some((message) => message !== undefined);
}

/**
 * The PATCH body: the status always, and only the other fields that differ
 * from the stored decision (an empty text clears a field). The expiry is sent
 * only by someone who can decide, and only for an acceptance.
 */
export function buildChange(form: StatusForm, decision: Decision | undefined, canDecide: boolean): DecisionChange {
  const change: DecisionChange = { status: form.status };
  const before = formFromDecision(decision, undefined);
  const justification = form.justification.trim();
  if (justification !== before.justification.trim()) change.justification = justification;
  const owner = form.owner.trim();
  if (owner !== before.owner.trim()) change.owner = owner;
  const due = form.due_date.trim();
  if (due !== before.due_date.trim()) change.due_date = due;
  if (canDecide && form.status === 'accepted') {
    const expires = form.expires.trim();
    if (expires !== before.expires.trim()) change.expires = expires;
  }
  return change;
}

/** A one-line account of a stored decision. */
export function decisionSummary(decision: Decision): string {
  const parts = [statusLabel(decision.status)];
  if (decision.owner) parts.push(`owner ${decision.owner}`);
  if (decision.due_date) parts.push(`due ${decision.due_date}`);
  if (decision.status === 'accepted' && decision.expires) parts.push(`acceptance expires ${decision.expires}`);
  if (decision.ticket) parts.push(`ticket ${decision.ticket}`);
  if (decision.updated_by) parts.push(`last changed by ${decision.updated_by}`);
  return parts.join(' · ');
}

export type SaveOutcome =
  | { kind: 'saved' }
  | { kind: 'proposed' }
  | { kind: 'not-saved-yet' }
  | { kind: 'conflict' }
  | { kind: 'invalid'; field: string | null; message: string }
  | { kind: 'error'; message: string };

export const OUTCOME_MESSAGES = {
  saved: 'Saved',
  proposed: 'Sent to a security architect for review',
  'not-saved-yet': 'This threat is not in the saved version yet: save the model first',
  conflict:
    'Someone else changed this threat since you opened it. Their decision is shown now: check it, then save again.',
} as const;

/** What an answer of the PATCH (or of the GET before it) means for the user. */
export function outcomeOf(status: number, message?: string, field?: string | null): SaveOutcome {
  if (status === 200) return { kind: 'saved' };
  if (status === 202) return { kind: 'proposed' };
  if (status === 404) return { kind: 'not-saved-yet' };
  if (status === 409 || status === 412) return { kind: 'conflict' };
  if (status === 400 || status === 422) {
    return { kind: 'invalid', field: field ?? null, message: message ?? 'The server refused the change.' };
  }
  if (status === 403) return { kind: 'error', message: message ?? 'You may not make this change.' };
  return { kind: 'error', message: message ?? `The change failed (HTTP ${status}).` };
}

export function outcomeMessage(outcome: SaveOutcome): string {
  switch (outcome.kind) {
    case 'saved':
    case 'proposed':
    case 'not-saved-yet':
    case 'conflict':
      return OUTCOME_MESSAGES[outcome.kind];
    case 'invalid':
    case 'error':
      return outcome.message;
  }
}

/** The text of the hint shown when the user may only propose. */
export const PROPOSAL_HINT =
  'You can set open, in progress or mitigated. Accepted and false positive become proposals that a security architect reviews.';
