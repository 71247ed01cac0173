import type { z } from 'zod';

// The one catalogue of errors the API answers with. Each has a stable `code` clients may branch
// on; the HTTP status follows from it. Modules (item containers, game rules) add their own codes
// by throwing `AppError` with a code of their own namespace, e.g. `container.locked`.

export interface FieldError {
  /** Dotted path of the bad field, e.g. `capabilities.0` or `direction`. */
  path: string;
  message: string;
}

export interface AppErrorInit {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  /** Seconds, for 429 and 503. */
  retryAfter?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  constructor(init: AppErrorInit) {
    super(init.detail ?? init.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.retryAfter = init.retryAfter;
  }
}

/** The catalogue: code → status and title. */
export const CATALOGUE = {
  'request.invalid': { status: 400, title: 'The request is invalid' },
  'request.malformed_json': { status: 400, title: 'The request body is not valid JSON' },
  'request.too_large': { status: 413, title: 'The request body is too large' },
  'auth.missing_credentials': { status: 401, title: 'Credentials are required' },
  'auth.invalid_token': { status: 401, title: 'The token is invalid' },
  'auth.token_expired': { status: 401, title: 'The token has expired' },
  'auth.invalid_admin_token': { status: 401, title: 'The admin token is invalid' },
  'auth.forbidden': { status: 403, title: 'Not allowed' },
  'auth.not_registered': { status: 401, title: 'The character is not registered' },
  'registry.key_invalid': { status: 401, title: 'The API key is not valid' },
  'registry.key_revoked': { status: 401, title: 'The API key has been revoked' },
  'registry.key_mismatch': { status: 403, title: 'The API key belongs to another character' },
  'registry.character_not_found': { status: 404, title: 'No such character' },
  'registry.key_not_found': { status: 404, title: 'No API key for this character' },
  'actions.impersonation': { status: 403, title: 'A character may act only as itself' },
  'actions.capability_missing': { status: 403, title: 'The character lacks the capability for this action' },
  'sessions.not_found': { status: 404, title: 'No such session' },
  'sessions.exists': { status: 409, title: 'The session already exists' },
  'sessions.full': { status: 409, title: 'The session is full' },
  'sessions.closed': { status: 409, title: 'The session is closed' },
  'rate_limited': { status: 429, title: 'Too many requests' },
  'not_found': { status: 404, title: 'No such resource' },
  'method_not_allowed': { status: 405, title: 'Method not allowed' },
  'service_unavailable': { status: 503, title: 'A backing service is unavailable' },
  'internal': { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof CATALOGUE;

/** Builds the catalogued error for `code`. */
export function appError(code: ErrorCode, detail?: string, extra: Omit<Partial<AppErrorInit>, 'status' | 'code' | 'title'> = {}): AppError {
  const entry = CATALOGUE[code];
  return new AppError({ status: entry.status, code, title: entry.title, detail, ...extra });
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** A 400 naming each bad field, from a zod error. */
export function validationError(error: z.ZodError, where = 'body'): AppError {
  const errors = fieldErrors(error);
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return appError('request.invalid', `invalid ${where}: ${detail}`, { errors });
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENETUNREACH']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /Connection is closed/i,
  /enableOfflineQueue/i,
  /Reached the max retries per request/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /Redis connection is not ready/i,
];

/**
 * Whether an unexpected error means PostgreSQL or Redis could not be reached (→ 503) rather than a
 * bug (→ 500). PostgreSQL's SQLSTATE class 08 is "connection exception"; 57P0x are shutdowns.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== 'object') return false;
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code))) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isUnavailable(inner))) return true;
  }
  return false;
}

/** The `application/problem+json` body (RFC 9457) for an error, plus the status and headers. */
export interface Problem {
  status: number;
  headers: Record<string, string>;
  body: {
    type: string;
    title: string;
    status: number;
    code: string;
    detail?: string;
    instance?: string;
    requestId?: string;
    errors?: FieldError[];
  };
}

export const PROBLEM_TYPE_BASE = 'https://distributed-dungeon.io/problems/';

/** Maps any thrown value to a problem; `internal` is true when it must be logged as a bug. */
export function toProblem(err: unknown, ctx: { instance?: string; requestId?: string } = {}): Problem & { internal: boolean } {
  let e: AppError;
  let internal = false;
  if (err instanceof AppError) e = err;
  else if (isBodyParserError(err)) {
    e = err.type === 'entity.too.large' ? appError('request.too_large') : appError('request.malformed_json', err.message);
  } else if (isUnavailable(err)) e = appError('service_unavailable', 'PostgreSQL or Redis cannot be reached; try again shortly', { retryAfter: 1 });
  else {
    e = appError('internal', 'An unexpected error occurred; quote the request id when reporting it');
    internal = true;
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (e.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(e.retryAfter)));
  return {
    status: e.status,
    headers,
    internal,
    body: {
      type: PROBLEM_TYPE_BASE + e.code,
      title: e.title,
      status: e.status,
      code: e.code,
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      ...(ctx.instance !== undefined ? { instance: ctx.instance } : {}),
      ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
      ...(e.errors ? { errors: e.errors } : {}),
    },
  };
}

function isBodyParserError(err: unknown): err is Error & { type: string; status: number } {
  if (!(err instanceof Error)) return false;
  const type = (err as unknown as { type?: unknown }).type;
  return type === 'entity.parse.failed' || type === 'entity.too.large';
}
