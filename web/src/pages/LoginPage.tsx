import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../api/session';
import { getAuthMethods } from '../api/cache';
import { errorMessage } from '../api/errors';
import type { AuthMethods } from '../api/types';
import { safeNextPath } from '../lib/nextPath';
import { LogoIcon } from '../components/Icons';
import './LoginPage.css';

export function LoginPage() {
  const { status, login } = useSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [methods, setMethods] = useState<AuthMethods | null>(null);

  useEffect(() => {
    document.title = 'Sign in · Rampart';
    let live = true;
    getAuthMethods()
      .then((m) => live && setMethods(m))
      // Older servers have no /auth/methods: password only.
      .catch(() => live && setMethods({ password: true, oidc: null }));
    return () => {
      live = false;
    };
  }, []);

  if (status === 'signed-in' && !busy) return <Navigate to={next} replace />;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your user name and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(next, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  const sso = methods?.oidc ?? null;
  const ssoHref = sso ? `${sso.login_url}?return_to=${encodeURIComponent(next)}` : null;

  return (
    <div className="login">
      <main className="login-card">
        <div className="login-brand">
          <LogoIcon className="login-logo" />
          <span>Rampart</span>
        </div>
        <h1>Sign in</h1>
        <p className="login-sub">Threat models for your organisation.</p>
        <form onSubmit={onSubmit} noValidate aria-describedby={error ? 'login-error' : undefined}>
          <label className="field">
            <span className="field-label">User name</span>
            <input
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoFocus
              required
              aria-invalid={error ? true : undefined}
            />
          </label>
          <label className="field">
            <span className="field-label">Password</span>
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              aria-invalid={error ? true : undefined}
            />
          </label>
          {error ? (
            <p id="login-error" className="login-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="button button-wide" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {ssoHref ? (
          <>
            <div className="login-or" aria-hidden="true">
              <span>or</span>
            </div>
            <a className="button button-secondary button-wide" href={ssoHref}>
              Sign in with single sign-on
            </a>
          </>
        ) : null}
      </main>
    </div>
  );
}
