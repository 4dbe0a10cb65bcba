import { describe, expect, it } from 'vitest';
import { safeNextPath } from './nextPath';

describe('safeNextPath', () => {
  it('keeps paths of the app with their query and hash', () => {
    expect(safeNextPath('/models/abc')).toBe('/models/abc');
    expect(safeNextPath('/models/abc/diff?from=1&to=2')).toBe('/models/abc/diff?from=1&to=2');
    expect(safeNextPath('/projects/p#models')).toBe('/projects/p#models');
  });

  it('falls back to the portfolio for anything else', () => {
    for (const bad of [
      null,
      undefined,
      '',
      'models/abc',
      'https://evil.example/',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      ' /models/abc',
      '/models/\nabc',
      '/\tevil',
      'http:/evil.example',
    ]) {
      expect(safeNextPath(bad), String(bad)).toBe('/');
    }
  });

  it('never returns to the sign-in page or the API', () => {
    expect(safeNextPath('/login')).toBe('/');
    expect(safeNextPath('/login?next=/x')).toBe('/');
    expect(safeNextPath('/api/v1/auth/session')).toBe('/');
  });

  it('normalises dot segments without leaving the origin', () => {
    expect(safeNextPath('/a/../projects/p')).toBe('/projects/p');
    expect(safeNextPath('/../../etc')).toBe('/etc');
  });
});
