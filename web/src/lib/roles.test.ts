import { describe, expect, it } from 'vitest';
import { canEdit, higherRole, roleOn } from './roles';

const user = (is_org_admin = false) => ({ is_org_admin });

describe('roleOn', () => {
  it('makes organisation administrators admin everywhere', () => {
    expect(roleOn({ user: user(true), grants: [] }, 'p1', 'bu1')).toBe('admin');
  });

  it('takes the highest of the project and business-unit grants', () => {
    const session = {
      user: user(),
      grants: [
        { scope_kind: 'business-unit', scope_id: 'bu1', role: 'developer' },
        { scope_kind: 'project', scope_id: 'p1', role: 'viewer' },
        { scope_kind: 'project', scope_id: 'p2', role: 'admin' },
      ],
    };
    expect(roleOn(session, 'p1', 'bu1')).toBe('developer');
    expect(roleOn(session, 'p2', 'bu1')).toBe('admin');
    expect(roleOn(session, 'p3', 'bu1')).toBe('developer');
    expect(roleOn(session, 'p1', 'bu2')).toBe('viewer');
    expect(roleOn(session, 'p9', 'bu9')).toBeNull();
  });

  it('does not match a project grant by business-unit id or the other way round', () => {
    const session = { user: user(), grants: [{ scope_kind: 'project', scope_id: 'x', role: 'admin' }] };
    expect(roleOn(session, 'p1', 'x')).toBeNull();
    const bu = { user: user(), grants: [{ scope_kind: 'business-unit', scope_id: 'x', role: 'admin' }] };
    expect(roleOn(bu, 'x', 'bu1')).toBeNull();
  });

  it('ignores unknown roles and works without a business unit', () => {
    const session = {
      user: user(),
      grants: [
        { scope_kind: 'project', scope_id: 'p1', role: 'owner' },
        { scope_kind: 'project', scope_id: 'p1', role: 'security-architect' },
      ],
    };
    expect(roleOn(session, 'p1', undefined)).toBe('security-architect');
    expect(roleOn(null, 'p1', 'bu1')).toBeNull();
  });
});

describe('helpers', () => {
  it('orders roles', () => {
    expect(higherRole('viewer', 'developer')).toBe('developer');
    expect(higherRole('admin', 'security-architect')).toBe('admin');
    expect(higherRole(null, 'viewer')).toBe('viewer');
    expect(higherRole(null, null)).toBeNull();
  });

  it('lets every role but viewers edit', () => {
    expect(canEdit('viewer')).toBe(false);
    expect(canEdit(null)).toBe(false);
    expect(canEdit('developer')).toBe(true);
    expect(canEdit('admin')).toBe(true);
  });
});
