import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { SessionProvider } from '../api/session';
import { LoginPage } from './LoginPage';

function reply(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function renderLogin(path: string) {
  const router = createMemoryRouter(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '*', element: <p>Landed</p> },
    ],
    { initialEntries: [path] },
  );
  render(
    <SessionProvider initial={null}>
      <RouterProvider router={router} />
    </SessionProvider>,
  );
  return router;
}

afterEach(cleanup);

describe('LoginPage', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
  });

  it('offers single sign-on when the server has it, keeping a safe next path', async () => {
    fetchMock.mockImplementation(async () =>
      reply(200, { password: true, oidc: { login_url: '/api/v1/auth/oidc/login' } }),
    );
    renderLogin('/login?next=%2F%2Fevil.example');
    const sso = await screen.findByRole('link', { name: 'Sign in with single sign-on' });
    expect(sso.getAttribute('href')).toBe('/api/v1/auth/oidc/login?return_to=%2F');
  });

  it('shows the server message inline when sign-in fails', async () => {
    fetchMock.mockImplementation(async (input: Request | string) => {
      const url = typeof input === 'string' ? input : input.url;
      if (url.includes('/auth/methods')) return reply(200, { password: true, oidc: null });
      return reply(401, {
        error: { status: 401, code: 'locked', message: 'Too many failed attempts; try again in 15 minutes', field: null },
      });
    });
    renderLogin('/login');
    fireEvent.change(screen.getByLabelText('User name'), { target: { value: 'admin' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Too many failed attempts; try again in 15 minutes');
    expect(screen.queryByRole('link', { name: /single sign-on/ })).toBeNull();
  });
});
