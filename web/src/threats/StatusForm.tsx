// "Set status": a threat's decision, saved with PATCH guarded by the decision's ETag.

import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';

import { fetchThreat, saveDecision, toRequestError } from './api';
import {
  PROPOSAL_HINT,
  STATUSES,
  buildChange,
  decisionSummary,
  formFromDecision,
  hasErrors,
  needsJustification,
  outcomeMessage,
  outcomeOf,
  rebaseForm,
  statusLabel,
  validateStatusForm,
  type SaveOutcome,
  type StatusForm as StatusFormValues,
  type StatusFormErrors,
} from './logic';
import type { StoredState } from './ThreatDetailView';
import type { Decision, ThreatPreview, ThreatStatus } from './types';

interface Props {
  modelId: string;
  threat: ThreatPreview;
  stored: StoredState;
  canDecide: boolean;
  canPropose: boolean;
  onSaved(decision: Decision): void;
  /** Read the decision again (after a conflict). */
  onReload(): void;
  /** The threat turned out not to be in the saved version. */
  onMissing(): void;
}

type Field = keyof StatusFormValues;

export function StatusForm({ modelId, threat, stored, canDecide, canPropose, onSaved, onReload, onMissing }: Props) {
  const decision = stored.kind === 'found' ? stored.detail.decision : undefined;
  const [form, setForm] = useState<StatusFormValues>(() => formFromDecision(decision, threat));
  const [errors, setErrors] = useState<StatusFormErrors>({});
  const [outcome, setOutcome] = useState<SaveOutcome | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  // The fields the user changed since the decision was read.
  const [edited, setEdited] = useState<ReadonlySet<Field>>(() => new Set());
  const id = useId();
  const fieldRefs = useRef<Partial<Record<Field, HTMLElement | null>>>({});

  // A newly read decision (its ETag names its revision) fills the form, keeping what the user is
  // in the middle of changing. Done while rendering, so that no click can see the form before it.
  const [formEtag, setFormEtag] = useState(decision?.etag);
  if (decision && decision.etag !== formEtag) {
    setFormEtag(decision.etag);
    setForm(rebaseForm(form, edited, decision, threat));
  }

  const canEdit = canDecide || canPropose;
  const proposalOnly = !canDecide && canPropose;

  const update = (field: Field, value: string) => {
    setEdited((before) => (before.has(field) ? before : new Set(before).add(field)));
    setOutcome(undefined);
    setForm((before) => ({ ...before, [field]: value }));
    if (errors[field as keyof StatusFormErrors]) {
      setErrors((before) => ({ ...before, [field]: undefined }));
    }
  };

  /** An architect takes a developer's proposal into the form, to approve it with Save. */
  const adoptProposal = (proposal: Decision) => {
    if (!proposal.proposed_status) return;
    update('status', proposal.proposed_status);
    update('justification', proposal.proposed_justification ?? '');
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!canEdit || busy) return;
    const found = validateStatusForm(form, decision, canDecide);
    setErrors(found);
    setOutcome(undefined);
    if (hasErrors(found)) {
      const first = (['status', 'justification', 'due_date', 'expires'] as const).find((field) => found[field]);
      if (first) fieldRefs.current[first]?.focus();
      return;
    }
    setBusy(true);
    try {
      // The ETag of the decision the user saw; read it now if it was not loaded.
      const base = decision ?? (await fetchThreat(modelId, threat.id)).decision;
      const saved = await saveDecision(modelId, threat.id, base.etag, buildChange(form, base, canDecide));
      setEdited(new Set());
      setFormEtag(saved.decision.etag);
      setForm(formFromDecision(saved.decision, threat));
      setOutcome(saved.status === 202 ? { kind: 'proposed' } : { kind: 'saved' });
      onSaved(saved.decision);
    } catch (reason) {
      const error = toRequestError(reason);
      const result = outcomeOf(error.status, error.message, error.field);
      if (result.kind === 'conflict') onReload();
      if (result.kind === 'not-saved-yet') onMissing();
      if (result.kind === 'invalid' && result.field !== null && result.field in form) {
        setErrors({ [result.field]: result.message });
      }
      setOutcome(result);
    } finally {
      setBusy(false);
    }
  };

  const justificationNeeded = needsJustification(form.status);
  const errorId = (field: keyof StatusFormErrors) => `${id}-${field}-error`;
  const described = (field: keyof StatusFormErrors, extra?: string) =>
    [errors[field] ? errorId(field) : undefined, extra].filter(Boolean).join(' ') || undefined;
  const success = outcome?.kind === 'saved' || outcome?.kind === 'proposed';

  return (
    <form className="tp-form" aria-labelledby={`${id}-title`} noValidate onSubmit={submit}>
      <h4 id={`${id}-title`}>Set status</h4>
      {decision ? (
        <p className="tp-decision" data-testid="threat-decision">
          Saved decision: {decisionSummary(decision)}
          {decision.justification ? (
            <span className="tp-justification">“{decision.justification.trim()}”</span>
          ) : null}
        </p>
      ) : null}
      {decision?.proposed_status ? (
        <p className="tp-proposal">
          Proposed: {statusLabel(decision.proposed_status)}
          {decision.proposed_by ? ` by ${decision.proposed_by}` : ''}, awaiting a security architect
          {decision.proposed_justification ? `: “${decision.proposed_justification.trim()}”` : '.'}
          {canDecide ? (
            <>
              {' '}
              <button type="button" className="tp-link" onClick={() => adoptProposal(decision)}>
                Fill in the proposal
              </button>{' '}
              then save to approve it.
            </>
          ) : null}
        </p>
      ) : null}
      {stored.kind === 'missing' ? (
        <p className="tp-muted">This threat is not in the saved version yet: save the model before setting its status.</p>
      ) : null}
      {!canEdit ? (
        <p className="tp-muted">You can read this threat but not change it.</p>
      ) : proposalOnly ? (
        <p className="tp-hint">{PROPOSAL_HINT}</p>
      ) : null}

      <fieldset className="tp-fieldset" disabled={!canEdit || busy}>
        <legend className="tp-visually-hidden">Decision</legend>
        <div className="tp-field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            ref={(element) => {
              fieldRefs.current.status = element;
            }}
            value={form.status}
            onChange={(event) => update('status', event.target.value as ThreatStatus)}
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
                {proposalOnly && needsJustification(status) ? ' (proposal)' : ''}
              </option>
            ))}
          </select>
        </div>

        <div className="tp-field">
          <label htmlFor={`${id}-justification`}>Justification</label>
          <textarea
            id={`${id}-justification`}
            ref={(element) => {
              fieldRefs.current.justification = element;
            }}
            rows={3}
            value={form.justification}
            aria-required={justificationNeeded}
            aria-invalid={errors.justification ? true : undefined}
            aria-describedby={described('justification', `${id}-justification-hint`)}
            onChange={(event) => update('justification', event.target.value)}
          />
          <p id={`${id}-justification-hint`} className="tp-muted tp-small">
            {justificationNeeded ? 'Required for accepted and false positive.' : 'Optional for this status.'}
          </p>
          {errors.justification ? (
            <p id={errorId('justification')} className="tp-error" role="alert">
              {errors.justification}
            </p>
          ) : null}
        </div>

        <div className="tp-field-row">
          <div className="tp-field">
            <label htmlFor={`${id}-owner`}>Owner</label>
            <input
              id={`${id}-owner`}
              type="text"
              value={form.owner}
              autoComplete="off"
              onChange={(event) => update('owner', event.target.value)}
            />
          </div>
          <div className="tp-field">
            <label htmlFor={`${id}-due`}>Due date</label>
            <input
              id={`${id}-due`}
              type="date"
              ref={(element) => {
                fieldRefs.current.due_date = element;
              }}
              value={form.due_date}
              aria-invalid={errors.due_date ? true : undefined}
              aria-describedby={described('due_date')}
              onChange={(event) => update('due_date', event.target.value)}
            />
            {errors.due_date ? (
              <p id={errorId('due_date')} className="tp-error" role="alert">
                {errors.due_date}
              </p>
            ) : null}
          </div>
        </div>

        {form.status === 'accepted' && canDecide ? (
          <div className="tp-field">
            <label htmlFor={`${id}-expires`}>Acceptance expires</label>
            <input
              id={`${id}-expires`}
              type="date"
              ref={(element) => {
                fieldRefs.current.expires = element;
              }}
              value={form.expires}
              aria-invalid={errors.expires ? true : undefined}
              aria-describedby={described('expires')}
              onChange={(event) => update('expires', event.target.value)}
            />
            {errors.expires ? (
              <p id={errorId('expires')} className="tp-error" role="alert">
                {errors.expires}
              </p>
            ) : null}
          </div>
        ) : null}

        <div className="tp-actions">
          <button type="submit" className="tp-primary">
            Save status
          </button>
        </div>
      </fieldset>

      <p className="tp-outcome-ok" role="status">
        {busy ? 'Saving…' : success && outcome ? outcomeMessage(outcome) : ''}
      </p>
      {outcome && !success && !(outcome.kind === 'invalid' && outcome.field && outcome.field in form) ? (
        <p className="tp-error" role="alert">
          {outcomeMessage(outcome)}
        </p>
      ) : null}
    </form>
  );
}
