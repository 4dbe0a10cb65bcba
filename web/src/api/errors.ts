// The API's error body, as a JavaScript error.

/** Every non-2xx answer of the server: `{"error":{status, code, message, field, details}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, field: string | null = null, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'You are not signed in.',
  403: 'You do not have permission to do this.',
  404: 'Not found.',
  409: 'Someone else changed this in the meantime.',
  413: 'The file is too large.',
  422: 'The model is not valid.',
  428: 'The request is missing its version check.',
  429: 'Too many requests; try again in a moment.',
  502: 'The server cannot be reached.',
  503: 'The server is not available right now.',
};

/** Builds an ApiError from a status and a response body (parsed JSON, text, or nothing). */
export function toApiError(status: number, body: unknown, statusText = ''): ApiError {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = body;
    }
  }
  if (isRecord(parsed) && isRecord(parsed.error)) {
    const e = parsed.error;
    const code = typeof e.code === 'string' && e.code ? e.code : `http-${status}`;
    const message = typeof e.message === 'string' && e.message ? e.message : fallbackMessage(status, statusText);
    const field = typeof e.field === 'string' ? e.field : null;
    const errStatus = typeof e.status === 'number' ? e.status : status;
    return new ApiError(errStatus, code, message, field, e.details ?? null);
  }
  return new ApiError(status, `http-${status}`, fallbackMessage(status, statusText));
}

function fallbackMessage(status: number, statusText: string): string {
  if (STATUS_TEXT[status]) return STATUS_TEXT[status];
  if (statusText) return `${statusText} (HTTP ${status}).`;
  return `The server answered with HTTP ${status}.`;
}

/** Reads an error response's body and turns it into an ApiError. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    text = '';
  }
  return toApiError(response.status, text, response.statusText);
}

/** A person-readable message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) {
    if (err.name === 'TypeError') return 'The server cannot be reached. Check your connection and try again.';
    return err.message;
  }
  return String(err);
}

export interface ProblemLocation {
  line: number | null;
  column: number | null;
  message: string;
  help: string | null;
}

/** The problems of a 422 `invalid-model` answer (`details.problems`), if any. */
export function problemsOf(err: unknown): ProblemLocation[] {
  if (!(err instanceof ApiError) || !isRecord(err.details)) return [];
  const problems = err.details.problems;
  if (!Array.isArray(problems)) return [];
  return problems.filter(isRecord).map((p) => ({
    line: typeof p.line === 'number' ? p.line : null,
    column: typeof p.column === 'number' ? p.column : null,
    message: typeof p.message === 'string' ? p.message : 'Invalid model',
    help: typeof p.help === 'string' ? p.help : null,
  }));
}

/** "12:5 message" (or just the message when the location is unknown). */
export function formatProblem(p: ProblemLocation): string {
  if (p.line !== null) return `${p.line}:${p.column ?? 1} ${p.message}`;
  return p.message;
}
