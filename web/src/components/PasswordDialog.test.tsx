import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { PasswordDialog, passwordProblem } from './PasswordDialog';

function reply(status: number, body: unknown) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function fill(current: string, next: string, again: string) {
  fireEvent.change(screen.getByLabelText('Current password'), { target: { value: current } });
  fireEvent.change(screen.getByLabelText('New password'), { target: { value: next } });
  fireEvent.change(screen.getByLabelText('New password again'), { target: { value: again } });
  fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
}

afterEach(cleanup);

describe('passwordProblem', () => {
  it('asks for the current password, 12 characters and the same new one twice', () => {
    expect(passwordProblem('', 'a long new password', 'a long new password')).toMatch(/current/);
    expect(passwordProblem('old', 'short', 'short')).toMatch(/12 characters/);
    expect(passwordProblem('old', 'a long new password', 'a long new passwort')).toMatch(/differ/);
    expect(passwordProblem('old', 'a long new password', 'a long new password')).toBeNull();
  });
});

describe('PasswordDialog', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
  });

  it('sends nothing while the form is not right', async () => {
    render(<PasswordDialog onClose={() => {}} />);
    fill('old password', 'a long new password', 'another long password');
    expect((await screen.findByRole('alert')).textContent).toMatch(/differ/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('changes the password and says what happened to the other sessions', async () => {
    fetchMock.mockImplementation(async () => new Response(null, { status: 204 }));
    render(<PasswordDialog onClose={() => {}} />);
    fill('the old password', 'a long new password', 'a long new password');
    expect((await screen.findByRole('status')).textContent).toMatch(/other sessions are signed out/);
    const request = fetchMock.mock.calls[0][0] as Request;
    expect(request.method).toBe('PUT');
    expect(new URL(request.url).pathname).toBe('/api/v1/auth/password');
    expect(await request.json()).toEqual({ current_password: 'the old password', new_password: 'a long new password' });
  });

  it('shows the server refusal inline', async () => {
    fetchMock.mockImplementation(async () =>
      reply(403, { error: { status: 403, code: 'forbidden', message: 'the current password is wrong', field: null } }),
    );
    render(<PasswordDialog onClose={() => {}} />);
    fill('a wrong password', 'a long new password', 'a long new password');
    expect((await screen.findByRole('alert')).textContent).toBe('the current password is wrong');
    expect(screen.queryByRole('status')).toBeNull();
  });
});
