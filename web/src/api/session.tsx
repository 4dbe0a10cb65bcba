// The signed-in session: who the user is, their grants and the CSRF token.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, must, setCsrfToken } from './client';
import { ApiError } from './errors';
import { clearSessionCaches } from './cache';
import type { SessionInfo } from './types';
import type { Role } from '../model/types';
import { roleOn as resolveRole } from '../lib/roles';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'error';

export interface SessionContextValue {
  status: SessionStatus;
  session: SessionInfo | null;
  /** Why the session could not be loaded (status `error`). */
  error: Error | null;
  login(username: string, password: string): Promise<SessionInfo>;
  logout(): Promise<void>;
  refresh(): Promise<void>;
  /** The caller's highest role on a project (org admins: admin everywhere), or null. */
  roleOn(projectId: string | null | undefined, businessUnitId: string | null | undefined): Role | null;
  /** Marks the session as gone (after a 401 elsewhere). */
  expire(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: SessionInfo | null }) {
  const [session, setSession] = useState<SessionInfo | null>(initial ?? null);
  const [status, setStatus] = useState<SessionStatus>(
    initial === undefined ? 'loading' : initial ? 'signed-in' : 'signed-out',
  );
  const [error, setError] = useState<Error | null>(null);

  const apply = useCallback((info: SessionInfo | null) => {
    setCsrfToken(info?.csrf_token ?? null);
    setSession(info);
    setStatus(info ? 'signed-in' : 'signed-out');
    setError(null);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const info = await must(api.GET('/api/v1/auth/session'));
      apply(info);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        apply(null);
      } else {
        setError(err instanceof Error ? err : new Error(String(err)));
        setStatus('error');
      }
    }
  }, [apply]);

  useEffect(() => {
    if (initial === undefined) void refresh();
    else setCsrfToken(initial?.csrf_token ?? null);
  }, [initial, refresh]);

  const login = useCallback(
    async (username: string, password: string) => {
      const info = await must(api.POST('/api/v1/auth/login', { body: { username, password } }));
      clearSessionCaches();
      apply(info);
      return info;
    },
    [apply],
  );

  const logout = useCallback(async () => {
    try {
      await api.POST('/api/v1/auth/logout');
    } catch (err) {
      // Signing out of a session that has already ended is not an error for the user.
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    } finally {
      clearSessionCaches();
    }
    apply(null);
  }, [apply]);

  const expire = useCallback(() => {
    clearSessionCaches();
    apply(null);
  }, [apply]);

  const value = useMemo<SessionContextValue>(
    () => ({
      status,
      session,
      error,
      login,
      logout,
      refresh,
      expire,
      roleOn: (projectId, businessUnitId) => resolveRole(session, projectId, businessUnitId),
    }),
    [status, session, error, login, logout, refresh, expire],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() needs a <SessionProvider> above it');
  return value;
}
