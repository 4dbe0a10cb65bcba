// Changing one's own password (PUT /api/v1/auth/password): the current one, and the new one twice.
import { useId, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { errorMessage } from '../api/errors';
import { Dialog } from './Dialog';

/** What the server asks of a new password (passwords::MIN_PASSWORD_CHARS). */
export const MIN_PASSWORD_CHARS = 12;

/** Why the form cannot be sent yet, if it cannot. */
export function passwordProblem(current: string, next: string, again: string): string | null {
  if (!current) return 'Enter your current password.';
  if ([...next].length < MIN_PASSWORD_CHARS) return `The new password needs at least ${MIN_PASSWORD_CHARS} characters.`;
  if (next !== again) return 'The two new passwords differ.';
  return null;
}

export function PasswordDialog({ onClose }: { onClose(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const ids = { current: useId(), next: useId(), again: useId() };

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const problem = passwordProblem(current, next, again);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.PUT('/api/v1/auth/password', { body: { current_password: current, new_password: next } });
      setDone(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const footer = done ? (
    <button type="button" className="button" onClick={onClose}>
      Done
    </button>
  ) : (
    <>
      <button type="button" className="button button-secondary" onClick={onClose}>
        Cancel
      </button>
      <button type="submit" form="password-form" className="button" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </>
  );
  return (
    <Dialog title="Change password" onClose={onClose} footer={footer}>
      {done ? (
        <p role="status">Your password is changed. Your other sessions are signed out; this one stays.</p>
      ) : (
        <form id="password-form" onSubmit={onSubmit} noValidate>
          {(
            [
              ['current', 'Current password', current, setCurrent, 'current-password'],
              ['next', 'New password', next, setNext, 'new-password'],
              ['again', 'New password again', again, setAgain, 'new-password'],
            ] as const
          ).map(([key, label, value, set, autoComplete]) => (
            <div className="field" key={key}>
              <label className="field-label" htmlFor={ids[key]}>
                {label}
              </label>
              <input
                id={ids[key]}
                type="password"
                autoComplete={autoComplete}
                value={value}
                data-autofocus={key === 'current' ? true : undefined}
                onChange={(e) => set(e.target.value)}
              />
            </div>
          ))}
          <p className="field-help">At least {MIN_PASSWORD_CHARS} characters.</p>
          {error ? (
            <div className="error-note" role="alert">
              <p>{error}</p>
            </div>
          ) : null}
        </form>
      )}
    </Dialog>
  );
}
