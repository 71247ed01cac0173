import type { z } from 'zod';

// The one catalogue of errors the API answers with. Each has a stable `code` clients may branch
// on; the HTTP status follows from it. Modules (item containers, game rules) add their own codes
// by throwing `AppError` with a code of their own namespace, e.g. `container.locked`.

export interface FieldError {
  /** Dotted path of the bad field, e.g. `capabilities.0` or `direction`. */
  path: string;
  message: string;
}

interface AppErrorInit {
  status: number;
  /** One of the catalogue's codes: an error the catalogue does not list cannot be made. */
  code: ErrorCode;
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
  'request.unsupported_charset': { status: 415, title: 'The request body must be UTF-8 JSON' },
  'request.unsupported_encoding': { status: 415, title: 'The Content-Encoding of the request is not supported' },
  'request.undecodable_body': { status: 400, title: 'The request body cannot be decoded with its Content-Encoding' },
  'request.aborted': { status: 400, title: 'The request body was cut short' },
  'request.bad_path': { status: 400, title: 'The request path is not valid percent-encoding' },
  'request.personal_data': { status: 400, title: 'The request carries personal data' },
  'request.unparsable': { status: 400, title: 'The request is not valid HTTP' },
  'request.headers_too_large': { status: 431, title: 'The request headers are too large' },
  'auth.missing_credentials': { status: 401, title: 'Credentials are required' },
  'auth.invalid_token': { status: 401, title: 'The token is invalid' },
  'auth.token_expired': { status: 401, title: 'The token has expired' },
  'auth.invalid_admin_token': { status: 401, title: 'The admin token is invalid' },
  'auth.admin_port_only': { status: 403, title: 'The admin API is served on the admin port only' },
  'auth.forbidden': { status: 403, title: 'Not allowed' },
  'auth.not_registered': { status: 401, title: 'The character is not registered' },
  'auth.token_superseded': { status: 401, title: 'The token belongs to an earlier registration' },
  'registry.key_invalid': { status: 401, title: 'The API key is not valid' },
  'registry.key_revoked': { status: 401, title: 'The API key has been revoked' },
  'registry.key_mismatch': { status: 403, title: 'The API key belongs to another character' },
  'registry.spec_mismatch': { status: 403, title: 'The registration does not match the Character spec recorded with the key' },
  'registry.key_without_spec': { status: 403, title: 'The API key was minted without a Character spec' },
  'registry.character_not_found': { status: 404, title: 'No such character' },
  'registry.key_not_found': { status: 404, title: 'No API key for this character' },
  'registry.character_id_taken': { status: 409, title: 'The character id has a live API key of another Character' },
  'actions.impersonation': { status: 403, title: 'A character may act only as itself' },
  'actions.capability_missing': { status: 403, title: 'The character lacks the capability for this action' },
  'sessions.not_found': { status: 404, title: 'No such session' },
  'sessions.exists': { status: 409, title: 'The session already exists' },
  'sessions.full': { status: 409, title: 'The session is full' },
  'sessions.closed': { status: 409, title: 'The session is closed' },
  'sessions.unknown_world': { status: 400, title: 'No such world' },
  'sessions.no_room': { status: 409, title: 'Every open session is full and no more may be opened automatically' },
  'portability.bad_archive': { status: 400, title: 'The archive is not a character archive' },
  'portability.unsupported_format': { status: 400, title: 'The archive is of a format this platform does not read' },
  'portability.issuer_not_trusted': { status: 403, title: "The archive's issuer is not trusted here" },
  'portability.bad_signature': { status: 422, title: "The archive's signature does not hold" },
  'portability.already_imported': { status: 409, title: 'The archive was imported already' },
  'portability.inventory_not_empty': { status: 409, title: 'The character already holds or wears items here' },
  'portability.not_exported': { status: 404, title: 'The character was not exported' },
  'container.invalid': { status: 400, title: 'The container request is invalid' },
  'container.coppa_violation': { status: 400, title: 'The container metadata carries personal data' },
  'container.idempotency_key_reused': { status: 400, title: 'The idempotency key was used for another request' },
  'container.access_denied': { status: 403, title: 'Access to the container is denied' },
  'container.invalid_mutation_token': { status: 403, title: 'The mutation token is not valid' },
  'container.not_found': { status: 404, title: 'No such container' },
  'container.capacity_exceeded': { status: 409, title: 'The container cannot take this change' },
  'container.insufficient_items': { status: 409, title: 'The source does not hold that many' },
  'container.character_dead': { status: 409, title: 'A dead character cannot use containers' },
  'container.in_combat': { status: 409, title: 'No looting while a fight goes on in the room' },
  'container.locked': { status: 423, title: 'The container is locked' },
  'humans.csrf': { status: 403, title: 'The request lacks its CSRF header' },
  'humans.link_invalid': { status: 401, title: 'The sign-in link is not valid' },
  'humans.not_signed_in': { status: 401, title: 'Not signed in' },
  'humans.players_only': { status: 403, title: 'For players' },
  'humans.origin': { status: 403, title: 'Foreign origin' },
  'humans.not_in_session': { status: 409, title: 'The character is not in a session' },
  'humans.manual_control': { status: 409, title: 'The player has taken control' },
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

function fieldErrors(error: z.ZodError): FieldError[] {
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
  let client: AppError | undefined;
  if (err instanceof AppError) e = err;
  else if ((client = clientRequestError(err))) e = client;
  else if (isUnavailable(err)) e = appError('service_unavailable', 'PostgreSQL or Redis cannot be reached; try again shortly', { retryAfter: 1 });
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

// body-parser and raw-body tag their errors with a `type`; each is the client's doing.
const BODY_ERRORS: Record<string, ErrorCode> = {
  'entity.parse.failed': 'request.malformed_json',
  'entity.too.large': 'request.too_large',
  'entity.verify.failed': 'request.invalid',
  'charset.unsupported': 'request.unsupported_charset',
  'encoding.unsupported': 'request.unsupported_encoding',
  'request.aborted': 'request.aborted',
  'request.size.invalid': 'request.invalid',
};

/**
 * The catalogued error for what express, its router and body-parser throw at malformed input
 * (a charset or Content-Encoding it cannot read, a corrupt gzip body, a path that is not valid
 * percent-encoding); undefined for anything else, which stays a bug (500) or an outage (503).
 */
function clientRequestError(err: unknown): AppError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { type, status, expose, code } = err as Error & { type?: unknown; status?: unknown; expose?: unknown; code?: unknown };
  if (typeof type === 'string' && Object.hasOwn(BODY_ERRORS, type)) {
    const code = BODY_ERRORS[type]!;
    return appError(code, code === 'request.too_large' ? undefined : err.message);
  }
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  // The router decodes path parameters itself and marks a failure 400.
  if (err instanceof URIError) return appError('request.bad_path', err.message);
  // zlib's errors while inflating a body, marked 400 by body-parser.
  if (typeof code === 'string' && code.startsWith('Z_')) return appError('request.undecodable_body', err.message);
  // Any other error an http-errors thrower marked as the client's and safe to show.
  if (expose === true) return appError('request.invalid', err.message);
  return undefined;
}
