import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../api/session';
import { errorMessage } from '../api/errors';
import { Breadcrumbs } from './Breadcrumbs';
import { PasswordDialog } from './PasswordDialog';
import { LogoIcon, SignOutIcon } from './Icons';

export function TopBar() {
  const { session, logout } = useSession();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);

  async function signOut() {
    setBusy(true);
    try {
      await logout();
      navigate('/login', { replace: true });
    } catch (err) {
      window.alert(`Could not sign out: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <header className="topbar">
      <Link to="/" className="topbar-brand" aria-label="Rampart, portfolio">
        <LogoIcon className="topbar-logo" />
        <span>Rampart</span>
      </Link>
      <Breadcrumbs />
      {session ? (
        <div className="topbar-user">
          <span className="topbar-name" title={session.user.username}>
            {session.user.display_name || session.user.username}
          </span>
          {session.via === 'session' ? (
            <button type="button" className="button button-quiet" onClick={() => setChangingPassword(true)}>
              Password
            </button>
          ) : null}
          <button type="button" className="button button-quiet" onClick={signOut} disabled={busy}>
            <SignOutIcon /> Sign out
          </button>
          {changingPassword ? <PasswordDialog onClose={() => setChangingPassword(false)} /> : null}
        </div>
      ) : null}
    </header>
  );
}
