import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, formatProblem, problemsOf, toApiError } from './errors';

describe('toApiError', () => {
  it('reads the server error body', () => {
    const err = toApiError(409, {
      error: { status: 409, code: 'conflict', message: 'Version 5 was saved by alice', field: null, details: { head: 5 } },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(409);
    expect(err.code).toBe('conflict');
    expect(err.message).toBe('Version 5 was saved by alice');
    expect(err.field).toBeNull();
    expect(err.details).toEqual({ head: 5 });
  });

  it('parses a JSON text body and keeps the field', () => {
    const err = toApiError(
      400,
      '{"error":{"status":400,"code":"invalid-request","message":"justification is required","field":"justification"}}',
    );
    expect(err.code).toBe('invalid-request');
    expect(err.field).toBe('justification');
    expect(err.details).toBeNull();
  });

  it('falls back to a readable message for bodies that are not the error shape', () => {
    const html = toApiError(502, '<html>Bad gateway</html>', 'Bad Gateway');
    expect(html.code).toBe('http-502');
    expect(html.message).toMatch(/cannot be reached/);
    const empty = toApiError(418, '', "I'm a teapot");
    expect(empty.message).toBe("I'm a teapot (HTTP 418).");
    const none = toApiError(599, undefined);
    expect(none.message).toBe('The server answered with HTTP 599.');
  });

  it('fills a missing code or message', () => {
    const err = toApiError(403, { error: { message: '' } });
    expect(err.code).toBe('http-403');
    expect(err.message).toMatch(/permission/);
  });
});

describe('problems', () => {
  const invalid = toApiError(422, {
    error: {
      status: 422,
      code: 'invalid-model',
      message: 'bad.yaml:6:5: unknown field `bogus`',
      field: '6:5',
      details: {
        problems: [
          { severity: 'error', line: 6, column: 5, message: 'unknown field `bogus`', help: null },
          { severity: 'error', line: null, column: null, message: 'no components', help: 'add one' },
          'not a problem',
        ],
      },
    },
  });

  it('lists the problems of an invalid model with their location', () => {
    const problems = problemsOf(invalid);
    expect(problems).toHaveLength(2);
    expect(formatProblem(problems[0])).toBe('6:5 unknown field `bogus`');
    expect(formatProblem(problems[1])).toBe('no components');
    expect(problems[1].help).toBe('add one');
  });

  it('has none for other errors', () => {
    expect(problemsOf(new Error('x'))).toEqual([]);
    expect(problemsOf(toApiError(404, null))).toEqual([]);
  });
});

describe('errorMessage', () => {
  it('explains network failures', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/cannot be reached/);
    expect(errorMessage(new ApiError(400, 'x', 'Bad name'))).toBe('Bad name');
    expect(errorMessage('plain')).toBe('plain');
  });
});
