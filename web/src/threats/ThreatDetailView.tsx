// The selected threat: explanation, risk, countermeasures, mappings, and
// (when the threat is in the saved version) its decision and comments.

import { useCallback, useEffect, useId, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

import { fetchThreat, isAbort, toRequestError } from './api';
import { formatScore, splitCode, targetKindLabel, targetLabel, threatStatusLabel } from './logic';
import { SeverityBadge } from './severity';
import { StatusForm } from './StatusForm';
import { ThreatComments } from './ThreatComments';
import { hasFullAccount, type Decision, type FullThreat, type Risk, type ThreatDetail, type ThreatPreview } from './types';

/** The threat's full account (explanation, countermeasures, mappings). */
export type AccountState = { kind: 'loading'; previous?: FullThreat } | { kind: 'ready'; threat: FullThreat } | { kind: 'error'; message: string };

export type StoredState =
  | { kind: 'loading' }
  | { kind: 'found'; detail: ThreatDetail }
  | { kind: 'missing' }
  | { kind: 'error'; message: string };

interface Props {
  threat: ThreatPreview;
  modelId: string;
  savedVersion: number;
  canDecide: boolean;
  canPropose: boolean;
  onSelectElement(id: string): void;
  onDecisionSaved(): void;
  onClose(): void;
  /**
   * Loads the full account of a threat listed without it (the live analysis's
   * compact list). A new function when the model changed: the account is read again.
   */
  loadThreat?(id: string, signal: AbortSignal): Promise<FullThreat>;
}

/** Text with `ids` in backticks shown as code. */
export function CodeText({ text }: { text: string }) {
  return (
    <>
      {splitCode(text).map((part, index) => (part.code ? <code key={index}>{part.text}</code> : part.text))}
    </>
  );
}

function riskText(risk: Risk | undefined): string {
  if (!risk) return '';
  return `likelihood ${formatScore(risk.likelihood)} × impact ${risk.impact}`;
}

const STRIDE_LABELS: Record<string, string> = {
  spoofing: 'Spoofing',
  tampering: 'Tampering',
  repudiation: 'Repudiation',
  'information-disclosure': 'Information disclosure',
  informationdisclosure: 'Information disclosure',
  'denial-of-service': 'Denial of service',
  denialofservice: 'Denial of service',
  'elevation-of-privilege': 'Elevation of privilege',
  elevationofprivilege: 'Elevation of privilege',
};

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="tp-section">
      <h4>{title}</h4>
      {children}
    </section>
  );
}

export function ThreatDetailView(props: Props) {
  const { threat, modelId, savedVersion, onDecisionSaved, onClose, onSelectElement, loadThreat } = props;
  const [stored, setStored] = useState<StoredState>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);
  const titleId = useId();
  const given = hasFullAccount(threat) ? threat : undefined;
  const [account, setAccount] = useState<AccountState>(() => (given ? { kind: 'ready', threat: given } : { kind: 'loading' }));

  // The full account: given with the threat, or loaded (again when the model changed; the previous one stays shown meanwhile).
  useEffect(() => {
    if (given) {
      setAccount({ kind: 'ready', threat: given });
      return undefined;
    }
    if (!loadThreat) {
      setAccount({ kind: 'error', message: 'The explanation is not available.' });
      return undefined;
    }
    const controller = new AbortController();
    setAccount((before) => ({ kind: 'loading', previous: before.kind === 'ready' ? before.threat : before.kind === 'loading' ? before.previous : undefined }));
    loadThreat(threat.id, controller.signal).then(
      (full) => {
        if (!controller.signal.aborted) setAccount({ kind: 'ready', threat: full });
      },
      (reason: unknown) => {
        if (isAbort(reason) || controller.signal.aborted) return;
        setAccount({ kind: 'error', message: toRequestError(reason).message });
      },
    );
    return () => controller.abort();
  }, [given, loadThreat, threat.id]);

  // The threat as stored in the saved version: its decision (and ETag), and whether comments apply.
  // A threat the server says is not in the saved version is not asked for (it would be a 404).
  useEffect(() => {
    if (threat.stored === false) {
      setStored({ kind: 'missing' });
      return undefined;
    }
    const controller = new AbortController();
    fetchThreat(modelId, threat.id, controller.signal).then(
      (detail) => setStored({ kind: 'found', detail }),
      (reason: unknown) => {
        if (isAbort(reason) || controller.signal.aborted) return;
        const error = toRequestError(reason);
        setStored(error.status === 404 ? { kind: 'missing' } : { kind: 'error', message: error.message });
      },
    );
    return () => controller.abort();
  }, [modelId, threat.id, threat.stored, savedVersion, reloads]);

  const reload = useCallback(() => setReloads((count) => count + 1), []);
  const markMissing = useCallback(() => setStored({ kind: 'missing' }), []);
  const onSaved = useCallback(
    (decision: Decision) => {
      setStored((before) => (before.kind === 'found' ? { kind: 'found', detail: { ...before.detail, decision } } : before));
      onDecisionSaved();
    },
    [onDecisionSaved],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'Escape') return;
    // Escape in a form field belongs to the field (and must not throw away what was typed).
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, select')) return;
    event.preventDefault();
    onClose();
  };

  const full: FullThreat | undefined = account.kind === 'ready' ? account.threat : account.kind === 'loading' ? account.previous : undefined;
  const analysis = full?.analysis;
  const because = analysis?.because ?? [];
  const riskFactors = analysis?.risk_factors ?? [];
  const intelligence = analysis?.intelligence ?? [];
  const cwe = analysis?.cwe ?? [];
  const capec = analysis?.capec ?? [];
  const attack = analysis?.attack ?? [];
  const owasp = [...(analysis?.owasp ?? []), ...(analysis?.owasp_llm ?? [])];
  const stride = threat.stride ?? analysis?.stride ?? [];
  const source = analysis?.target?.source;
  const inherent = analysis?.inherent;
  const current = analysis?.current;
  const controlsLowered = inherent && current && inherent.score !== current.score;

  return (
    <section
      className="tp-detail"
      aria-labelledby={titleId}
      // Focusable so that a click anywhere in it lets Escape close it.
      tabIndex={-1}
      onKeyDown={onKeyDown}
      data-testid="threat-detail"
    >
      <div className="tp-detail-head">
        <h3 id={titleId}>{threat.title}</h3>
        <button type="button" className="tp-close" aria-label="Close threat details" onClick={onClose}>
          <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
            <path d="M2 2 L10 10 M10 2 L2 10" stroke="currentColor" strokeWidth="1.8" />
          </svg>
        </button>
      </div>

      <dl className="tp-facts">
        <dt>Severity</dt>
        <dd>
          <SeverityBadge severity={threat.severity} /> score {formatScore(threat.score)} of 25
          {current ? ` (${riskText(current)})` : ''}
          {controlsLowered ? (
            <span className="tp-muted">
              {' '}
              — without controls {formatScore(inherent.score)} ({inherent.severity})
            </span>
          ) : null}
        </dd>
        <dt>Target</dt>
        <dd>
          {threat.target_kind === 'model' ? (
            targetLabel(threat)
          ) : (
            <button
              type="button"
              className="tp-link"
              onClick={() => onSelectElement(threat.target)}
              title="Show it in the diagram"
            >
              {targetLabel(threat)}
            </button>
          )}{' '}
          <span className="tp-muted">({targetKindLabel(threat.target_kind)})</span>
        </dd>
        <dt>Status</dt>
        <dd>
          {threatStatusLabel(threat)}
          {threat.owner ? ` · owner ${threat.owner}` : ''}
          {threat.due_date ? ` · due ${threat.due_date}` : ''}
        </dd>
        {stride.length > 0 ? (
          <>
            <dt>STRIDE</dt>
            <dd>{stride.map((category) => STRIDE_LABELS[category] ?? category).join(', ')}</dd>
          </>
        ) : null}
        <dt>Id</dt>
        <dd>
          <code className="tp-id">{threat.id}</code>
        </dd>
        {source ? (
          <>
            <dt>Source</dt>
            <dd>
              <code>
                {source.file}
                {source.line !== undefined ? `:${source.line}` : ''}
              </code>
              {source.resource ? <span className="tp-muted"> {source.resource}</span> : null}
            </dd>
          </>
        ) : null}
      </dl>

      {account.kind === 'loading' ? (
        <p className="tp-muted tp-account-state" role="status">
          Loading the explanation…
        </p>
      ) : account.kind === 'error' ? (
        <p className="tp-muted tp-account-state" role="status">
          The explanation could not be loaded: {account.message}
        </p>
      ) : null}

      {full ? (
        <>
      <Section title="Why it applies">
        {full.description ? <p className="tp-text">{full.description.trim()}</p> : null}
        {because.length > 0 ? (
          <>
            <p className="tp-subtle">Because:</p>
            <ul className="tp-bullets">
              {because.map((fact, index) => (
                <li key={index}>
                  <CodeText text={fact} />
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Section>

      {riskFactors.length > 0 || intelligence.length > 0 ? (
        <Section title="How the risk was scored">
          <ul className="tp-bullets">
            {riskFactors.map((factor, index) => (
              <li key={index}>
                <CodeText text={factor} />
              </li>
            ))}
            {intelligence.map((item, index) => (
              <li key={`intel-${index}`}>Threat intelligence: {item}</li>
            ))}
          </ul>
        </Section>
      ) : null}

      <Section title="Countermeasures">
        {full.countermeasures.length === 0 ? (
          <p className="tp-muted">The rule names no countermeasure.</p>
        ) : (
          <ul className="tp-measures">
            {full.countermeasures.map((measure) => (
              <li key={measure.state.id}>
                <details>
                  <summary>
                    <span className="tp-measure-name">{measure.name}</span>{' '}
                    {measure.state.present ? (
                      <span className="tp-present">✓ in place</span>
                    ) : (
                      <span className="tp-absent">✗ missing</span>
                    )}
                  </summary>
                  <p className="tp-text">{measure.description.trim()}</p>
                  {measure.guidance ? (
                    <>
                      <p className="tp-subtle">How to implement:</p>
                      <p className="tp-text">{measure.guidance.trim()}</p>
                    </>
                  ) : null}
                  <p className="tp-muted">
                    Control id <code>{measure.state.id}</code>
                  </p>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Section>

      {cwe.length + capec.length + attack.length + owasp.length > 0 ? (
        <Section title="Mappings">
          <dl className="tp-facts">
            {cwe.length > 0 ? (
              <>
                <dt>CWE</dt>
                <dd>{cwe.map((id) => `CWE-${id}`).join(', ')}</dd>
              </>
            ) : null}
            {capec.length > 0 ? (
              <>
                <dt>CAPEC</dt>
                <dd>{capec.map((id) => `CAPEC-${id}`).join(', ')}</dd>
              </>
            ) : null}
            {attack.length > 0 ? (
              <>
                <dt>ATT&amp;CK</dt>
                <dd>{attack.join(', ')}</dd>
              </>
            ) : null}
            {owasp.length > 0 ? (
              <>
                <dt>OWASP</dt>
                <dd>{owasp.join(', ')}</dd>
              </>
            ) : null}
          </dl>
        </Section>
      ) : null}

      {full.references.length > 0 ? (
        <Section title="References">
          <ul className="tp-refs">
            {full.references.map((reference, index) => (
              <li key={index}>{reference}</li>
            ))}
          </ul>
        </Section>
      ) : null}
        </>
      ) : null}

      <StatusForm
        modelId={modelId}
        threat={threat}
        stored={stored}
        canDecide={props.canDecide}
        canPropose={props.canPropose}
        onSaved={onSaved}
        onReload={reload}
        onMissing={markMissing}
      />

      <Section title="Comments">
        {stored.kind === 'found' ? (
          <ThreatComments
            modelId={modelId}
            threatId={threat.id}
            canComment={props.canDecide || props.canPropose}
            savedVersion={savedVersion}
          />
        ) : stored.kind === 'loading' ? (
          <p className="tp-muted">Loading…</p>
        ) : stored.kind === 'missing' ? (
          <p className="tp-muted">Comments are possible once the threat is in a saved version: save the model first.</p>
        ) : (
          <p className="tp-muted">The comments could not be loaded: {stored.message}</p>
        )}
      </Section>
    </section>
  );
}

