// Where to go after signing in: only paths of this app, never another origin.

/**
 * Returns `next` when it is a same-origin path (`/models/1?x=y`), else `/`.
 * Rejects absolute URLs, protocol-relative `//host`, backslash tricks, control characters,
 * and the sign-in page itself (to avoid loops).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next) return '/';
  let value = next.trim();
  if (value !== next) return '/';
  if (!value.startsWith('/')) return '/';
  if (value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  try {
    const base = 'https://rampart.invalid';
    const url = new URL(value, base);
    if (url.origin !== base) return '/';
    value = url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
  if (value === '/login' || value.startsWith('/login?') || value.startsWith('/login/')) return '/';
  if (value.startsWith('/api/')) return '/';
  return value;
}
