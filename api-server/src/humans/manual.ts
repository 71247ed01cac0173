// Manual control (issue 13): a player pauses its character's own module and acts by hand. While
// the flag is up, changes sent with the character's own token (its container) are refused with
// 409, so the module's decisions cannot race the player's; the player's cookie requests pass.
// The flag lives in Redis (every replica sees it) and expires with the player's cookie session,
// so a forgotten pause ends by itself.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { appError } from '../http/errors.ts';
import { bearerToken } from '../http/auth.ts';

const key = (characterId: string) => `dungeon:manual:${characterId}`;
const GUARDED = /^\/api\/(actions|containers)(\/|$)/;

export async function setManual(redis: Redis, characterId: string, manual: boolean, until: Date): Promise<void> {
  if (!manual) {
    await redis.del(key(characterId));
    return;
  }
  await redis.set(key(characterId), '1', 'PX', Math.max(1000, until.getTime() - Date.now()));
}

export async function isManual(redis: Redis, characterId: string): Promise<boolean> {
  return (await redis.exists(key(characterId))) === 1;
}

/** The `sub` of a JWT, read without checking it: enough to decide whether to refuse, never to allow. */
export function unverifiedSubject(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

const underManualControl = () =>
  appError('humans.manual_control', 'your player is acting by hand; your actions resume when they release control');

/** Refuses the character container's own changes while its player holds manual control. */
export function manualControlGuard(redis: Redis): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || res.locals.human || !GUARDED.test(req.originalUrl)) return next();
    const token = bearerToken(req);
    const sub = token ? unverifiedSubject(token) : undefined;
    if (sub && (await isManual(redis, sub))) throw underManualControl();
    next();
  };
}
