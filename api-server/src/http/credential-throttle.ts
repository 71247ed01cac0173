import { createHash } from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config/config.ts';
import type { Metrics } from '../ops/metrics.ts';
import { apiKeyOf, bearerToken } from './auth.ts';
import { AppError, appError } from './errors.ts';

// Failed credentials (bad or revoked API keys, forged or foreign tokens, wrong admin tokens) are
// counted in Redis per client IP and per claimed identity (the API key itself, the character id
// a request names or a token claims). Past the budget, requests with credentials from that IP or
// for that identity are answered 429 before their credentials are even looked at, until the
// window ends. An expired token is not counted: that is a character that should refresh.

/**
 * Codes that mean "these credentials are wrong", as opposed to missing, expired or merely not
 * allowed, and what they are charged to. Guesses cost the client IP and the claimed identity; a
 * revoked or another character's key was a real credential once, not a guess, so it costs only
 * that key's and that character's budget (a deleted character still trying must not lock out
 * everything else behind the same address).
 */
export const CREDENTIAL_FAILURES: ReadonlyMap<string, 'ip-and-identity' | 'identity'> = new Map([
  ['auth.invalid_token', 'ip-and-identity'],
  ['auth.invalid_admin_token', 'ip-and-identity'],
  ['registry.key_invalid', 'ip-and-identity'],
  ['humans.link_invalid', 'ip-and-identity'],
  ['registry.key_revoked', 'identity'],
  ['registry.key_mismatch', 'identity'],
] as const);

const ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The `sub` a JWT's payload claims, read without the header or the signature: every request with
 * a token asks, and jsonwebtoken's decode (a validity regex and two JSON parses) was ~4% of the
 * api-server's CPU in the actions bench.
 */
function unverifiedSubject(token: string): unknown {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as { sub?: unknown }).sub : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The identities a request's credentials claim, as budget keys; the client IP is kept apart. */
export function claimedIdentities(req: Pick<Request, 'headers' | 'body'>): string[] {
  const out = new Set<string>();
  const raw = apiKeyOf(req);
  const key = raw?.startsWith('ddk_') ? raw : undefined;
  if (key) out.add(`key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`);
  const token = bearerToken(req);
  if (token && !token.startsWith('ddk_')) {
    // Unverified on purpose: it only names whose budget a failure is charged to.
    const sub = unverifiedSubject(token);
    if (typeof sub === 'string' && ID.test(sub)) out.add(`id:${sub}`);
  }
  const body = req.body as { characterId?: unknown } | undefined;
  if (key && typeof body?.characterId === 'string' && ID.test(body.characterId)) out.add(`id:${body.characterId}`);
  return [...out];
}

/**
 * Whether a request brings credentials of any kind: a bearer token or API key, a session cookie,
 * or a sign-in that carries the admin token or a one-time link in its body (mounted under /api).
 */
function hasCredentials(req: Request): boolean {
  return req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined || req.headers.cookie !== undefined || req.path.startsWith('/humans/');
}

export class CredentialThrottle {
  readonly #byIp: RateLimiterRedis;
  readonly #byId: RateLimiterRedis;
  readonly #redis: Redis;
  readonly #metrics: Metrics;
  readonly #logger: Logger;

  constructor(redis: Redis, cfg: Config['rateLimit'], deps: { metrics: Metrics; logger: Logger }) {
    const common = { storeClient: redis, duration: cfg.failedAuth.windowSeconds, rejectIfRedisNotReady: true };
    this.#byIp = new RateLimiterRedis({ ...common, keyPrefix: `${cfg.keyPrefix}:authfail:ip`, points: cfg.failedAuth.perIp });
    this.#byId = new RateLimiterRedis({ ...common, keyPrefix: `${cfg.keyPrefix}:authfail:id`, points: cfg.failedAuth.perId });
    this.#redis = redis;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger;
  }

  /**
   * What each budget has spent ({ consumed, msBeforeNext }; null: nothing this window), read
   * with one MGET under the limiters' own key names, and a PTTL only for a budget spent (the
   * rare case: one command, not a GET and a PTTL per key, on every request): every request with credentials asks,
   * and the limiters' `get` is a MULTI of its own per key (one write each). Plain commands, so
   * the command client's auto-pipelining sends them in one write with whatever else this turn
   * of the event loop issued (other requests' checks and budgets); an explicit pipeline would
   * be a write of its own per request. The limiters still do all the counting. Like them, it
   * refuses to wait for a Redis not ready.
   */
  async #spent(checks: readonly [RateLimiterRedis, string][]): Promise<({ consumed: number; msBeforeNext: number } | null)[]> {
    if (this.#redis.status !== 'ready') throw new Error('Redis connection is not ready');
    const keys = checks.map(([limiter, key]) => limiter.getKey(key));
    const consumed = await this.#redis.mget(keys);
    return Promise.all(
      checks.map(async ([limiter], i) => {
        const c = consumed[i];
        if (c === null || c === undefined) return null;
        return { consumed: Number(c), msBeforeNext: Number(c) >= limiter.points ? await this.#redis.pttl(keys[i]!) : 0 };
      }),
    );
  }

  /** Mounted ahead of the routes: 429 with Retry-After while the IP or a claimed identity is over its budget. */
  readonly guard: RequestHandler = async (req: Request, _res: Response, next: NextFunction) => {
    if (!hasCredentials(req)) return next();
    const checks: [RateLimiterRedis, string][] = [[this.#byIp, req.ip ?? 'unknown'], ...claimedIdentities(req).map((k): [RateLimiterRedis, string] => [this.#byId, k])];
    let waitMs = 0;
    try {
      // Asked together: one round trip for every budget.
      const spent = await this.#spent(checks);
      spent.forEach((res, i) => {
        if (res && res.consumed >= checks[i]![0].points) waitMs = Math.max(waitMs, res.msBeforeNext);
      });
    } catch (err) {
      // Without Redis nothing can be counted; credentials are still checked, so let them be.
      this.#logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'failed-credential budget unavailable');
      return next();
    }
    if (waitMs > 0) {
      this.#metrics.rateLimited.inc();
      throw appError('rate_limited', 'too many failed credentials from this client or for this identity; wait before trying again', { retryAfter: Math.ceil(waitMs / 1000) });
    }
    next();
  };

  /** Error middleware ahead of the error handler: charges a failed credential, then passes the error on. */
  readonly count: ErrorRequestHandler = async (err: unknown, req: Request, _res: Response, next: NextFunction) => {
    const charged = err instanceof AppError ? CREDENTIAL_FAILURES.get(err.code) : undefined;
    if (charged) {
      const charges = claimedIdentities(req).map((k) => this.#charge(this.#byId, k));
      if (charged === 'ip-and-identity') charges.push(this.#charge(this.#byIp, req.ip ?? 'unknown'));
      await Promise.all(charges);
    }
    next(err);
  };

  async #charge(limiter: RateLimiterRedis, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (res) {
      // Over the budget already: the guard refuses the next attempt. Anything else is Redis away.
      if (res instanceof Error) this.#logger.warn({ err: res.message }, 'failed credential not counted');
      // Which budget only: neither the client's address nor the key goes into the log.
      else this.#logger.info({ budget: limiter === this.#byIp ? 'ip' : key.slice(0, key.indexOf(':')), msBeforeNext: (res as RateLimiterRes).msBeforeNext }, 'failed-credential budget spent');
    }
  }
}
