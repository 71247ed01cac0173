// The session cookie of a human (game master or player) in the web client. HttpOnly keeps it
// away from scripts, SameSite=Strict keeps other sites from sending it, Secure under TLS.

export const SESSION_COOKIE = 'dd_session';
/** The header every mutation must carry: a cross-site form cannot set it. */
export const CSRF_HEADER = 'x-dungeon-csrf';

/** The cookies of a `Cookie:` header; a malformed pair is skipped rather than failing the request. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    const raw = part.slice(at + 1).trim();
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(raw));
    } catch (err) {
      if (!(err instanceof URIError)) throw err;
      // A value that is not valid percent-encoding cannot be one of ours: ignore it.
    }
  }
  return out;
}

interface CookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
}

export function sessionCookie(value: string, opts: CookieOptions): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', `Max-Age=${opts.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { maxAgeSeconds: 0, secure });
}
