import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { appError } from './errors.ts';
import type { CharacterPrincipal, TokenService } from './tokens.ts';

/**
 * A character's principal carries what its grounds check read (`capabilities`), so a route
 * need not read the character again; absent when the grounds check returned nothing.
 */
export type Principal = { kind: 'admin' } | ({ kind: 'character'; capabilities?: readonly string[] } & CharacterPrincipal);

export function bearerToken(req: Pick<Request, 'headers'>): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** The API key of a registration: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function apiKeyOf(req: Pick<Request, 'headers'>): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  return bearerToken(req);
}

function sameSecret(a: string, b: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new Error('route has no authentication middleware');
  return p;
}

export function characterOf(res: Response): Extract<Principal, { kind: 'character' }> {
  const p = principalOf(res);
  if (p.kind !== 'character') throw appError('auth.forbidden', 'this endpoint is for characters');
  return p;
}

/**
 * A route's own grounds check, in place of the shared one: it must refuse exactly as that one
 * does, and may read more in the same round trip (what the route needs next, left in res.locals).
 */
export type OwnGrounds = (p: CharacterPrincipal, req: Request, res: Response) => Promise<void | { capabilities: readonly string[] }>;

export interface Authenticators {
  admin: RequestHandler;
  character: RequestHandler;
  /**
   * `character`, running `alongside` (e.g. spending the character's request budget in Redis)
   * at the same time as the grounds check once the token's signature is verified: one round
   * trip's wait for both. A refusal of the grounds wins over one of `alongside`. `own`: the
   * route's own grounds check in place of the shared one (see OwnGrounds).
   */
  characterWith(alongside: (p: CharacterPrincipal) => Promise<void>, own?: OwnGrounds): RequestHandler;
  /** Either the admin token or a character token. */
  any: RequestHandler;
}

/**
 * `grounds` is asked about every verified character token and throws when what the token was
 * issued for is gone (key revoked, deregistered, moved, registered again): see registry/grounds.ts.
 * While they hold, it may return the registration's capabilities, which the principal carries.
 */
export function authenticators(
  adminToken: string,
  tokens: TokenService,
  grounds: (p: CharacterPrincipal) => Promise<void | { capabilities: readonly string[] }>,
): Authenticators {
  const isAdmin = (t: string) => sameSecret(t, adminToken);
  const asCharacter = async (t: string, alongside?: (p: CharacterPrincipal) => Promise<void>, judge = grounds): Promise<Principal> => {
    const p = tokens.verify(t);
    const [held, also] = await Promise.allSettled([judge(p), alongside?.(p)]);
    if (held.status === 'rejected') throw held.reason;
    if (also.status === 'rejected') throw also.reason;
    return { kind: 'character', ...p, ...(held.value ? { capabilities: held.value.capabilities } : {}) };
  };
  /** The character authenticator, with `alongside` run beside its grounds check when given. */
  const characterHandler = (alongside?: (p: CharacterPrincipal) => Promise<void>, own?: OwnGrounds): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      const t = bearerToken(req);
      if (!t) throw appError('auth.missing_credentials', 'send the character token as "Authorization: Bearer <jwt>"');
      res.locals.principal = await asCharacter(t, alongside, own ? (p) => own(p, req, res) : grounds);
      next();
    };
  return {
    admin(req: Request, res: Response, next: NextFunction) {
      const t = bearerToken(req);
      if (!t) throw appError('auth.missing_credentials', 'send the admin token as "Authorization: Bearer <token>"');
      if (!isAdmin(t)) throw appError('auth.invalid_admin_token');
      res.locals.principal = { kind: 'admin' } satisfies Principal;
      next();
    },
    character: characterHandler(),
    characterWith: characterHandler,
    async any(req: Request, res: Response, next: NextFunction) {
      const t = bearerToken(req);
      if (!t) throw appError('auth.missing_credentials', 'send "Authorization: Bearer <admin token or character jwt>"');
      res.locals.principal = isAdmin(t) ? ({ kind: 'admin' } satisfies Principal) : await asCharacter(t);
      next();
    },
  };
}
