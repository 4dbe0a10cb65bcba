// Roles from a session's grants.
import type { Role } from '../model/types';

export const ROLE_ORDER: readonly Role[] = ['viewer', 'developer', 'security-architect', 'admin'];

export const ROLE_LABEL: Record<Role, string> = {
  viewer: 'Viewer',
  developer: 'Developer',
  'security-architect': 'Security architect',
  admin: 'Administrator',
};

export interface GrantLike {
  scope_kind: string;
  scope_id: string;
  role: string;
}

export interface SessionLike {
  user: { is_org_admin: boolean };
  grants: GrantLike[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLE_ORDER as readonly string[]).includes(value);
}

/** The higher of two roles (null means none). */
export function higherRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return ROLE_ORDER.indexOf(a) >= ROLE_ORDER.indexOf(b) ? a : b;
}

/**
 * The caller's role on a project: the highest of the grants on the project and on its
 * business unit. Organisation administrators are administrators everywhere. Null: no access.
 */
export function roleOn(
  session: SessionLike | null,
  projectId: string | null | undefined,
  businessUnitId: string | null | undefined,
): Role | null {
  if (!session) return null;
  if (session.user.is_org_admin) return 'admin';
  let best: Role | null = null;
  for (const grant of session.grants) {
    if (!isRole(grant.role)) continue;
    const matches =
      (grant.scope_kind === 'project' && projectId && grant.scope_id === projectId) ||
      (grant.scope_kind === 'business-unit' && businessUnitId && grant.scope_id === businessUnitId);
    if (matches) best = higherRole(best, grant.role);
  }
  return best;
}

/** Whether a role may change models (viewers may not). */
export function canEdit(role: Role | null): boolean {
  return role !== null && role !== 'viewer';
}
