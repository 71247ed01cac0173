import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { adminPortOnly, cameThroughPublicPort } from '../admin-port.ts';
import { appError } from '../http/errors.ts';
import { CSRF_HEADER, SESSION_COOKIE, parseCookies } from './cookies.ts';
import type { HumanAuth, HumanPrincipal } from './service.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrfRefused = () =>
  appError('humans.csrf', `send the ${CSRF_HEADER} header given at sign-in with every change`);

export function humanOf(res: Response): HumanPrincipal | undefined {
  return res.locals.human as HumanPrincipal | undefined;
}

export function sessionSecretOf(req: Pick<Request, 'headers'>): string | undefined {
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE) || undefined;
}

/**
 * Lets a signed-in human use the API the characters and the admin already use: a request that
 * carries the session cookie and no Authorization header gets the bearer credential of its human
 * (admin token for a game master, a token of the one character for a player), so every route's
 * own authentication and authorisation apply unchanged. Changes need the CSRF header as well.
 */
export function cookieSessions(auth: HumanAuth): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const secret = req.headers.authorization ? undefined : sessionSecretOf(req);
    if (!secret) return next();
    const human = await auth.resolve(secret);
    if (!human) return next();
    // A game master's cookie, though the browser sends it to every port of the host, counts on
    // the admin port only: on the public one it would hand out the admin token.
    if (human.kind === 'game_master' && cameThroughPublicPort(req)) throw adminPortOnly("a game master's session");
    res.locals.human = human;
    if (!SAFE_METHODS.has(req.method) && !auth.csrfMatches(human, req.header(CSRF_HEADER))) throw csrfRefused();
    const bearer = await auth.bearerFor(human);
    if (bearer) req.headers.authorization = `Bearer ${bearer}`;
    next();
  };
}
