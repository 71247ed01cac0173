// The one way the client talks HTTP: same-origin cookies, JSON, the CSRF header on changes, and
// problem+json refusals turned into errors that carry the server's own words.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** What to show for a refusal: the problem's detail, else its title. */
async function problemOf(res: Response): Promise<ApiError> {
  let body: { code?: string; title?: string; detail?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  return new ApiError(res.status, body.code ?? `http.${res.status}`, body.detail ?? body.title ?? `${res.status} ${res.statusText}`);
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-dungeon-csrf'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw await problemOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export function newIdempotencyKey(): string {
  return `web-${crypto.randomUUID()}`;
}
