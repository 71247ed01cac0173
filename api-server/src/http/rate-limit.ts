import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config/config.ts';
import type { Metrics } from '../ops/metrics.ts';
import { appError, isUnavailable } from './errors.ts';

/**
 * A request budget per key kept in Redis, so it is one budget however many replicas serve the
 * key. While Redis is away the limiter cannot decide: the request gets 503.
 */
class RedisBudget {
  readonly #limiter: RateLimiterRedis;
  readonly #metrics: Metrics;
  readonly #what: string;
  readonly #failOpen: boolean;
  /** `failOpen`: while Redis is away the request goes through unmetered instead of getting 503. */
  constructor(redis: Redis, opts: { keyPrefix: string; points: number; windowSeconds: number; what: string; failOpen?: boolean }, metrics: Metrics) {
    this.#limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: opts.keyPrefix,
      points: opts.points,
      duration: opts.windowSeconds,
      rejectIfRedisNotReady: true,
    });
    this.#metrics = metrics;
    this.#what = opts.what;
    this.#failOpen = opts.failOpen ?? false;
  }

  async consume(key: string): Promise<void> {
    try {
      await this.#limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        this.#metrics.rateLimited.inc();
        throw appError('rate_limited', `${key} is over its ${this.#what} budget`, { retryAfter: Math.ceil(res.msBeforeNext / 1000) });
      }
      if (this.#failOpen && isUnavailable(res)) return;
      if (res instanceof Error && /not ready/i.test(res.message)) {
        throw appError('service_unavailable', 'Redis cannot be reached; try again shortly', { retryAfter: 1, cause: res });
      }
      throw res;
    }
  }
}

/** Per-character budget for what a character does (actions, registration, token refresh, heartbeats). */
export class CharacterRateLimiter extends RedisBudget {
  constructor(redis: Redis, cfg: Config['rateLimit'], metrics: Metrics) {
    super(redis, { keyPrefix: `${cfg.keyPrefix}:character`, points: cfg.points, windowSeconds: cfg.windowSeconds, what: 'request' }, metrics);
  }
}

/**
 * Per-character budget for reads (session state, records), apart so polling cannot starve
 * actions. Reads need no Redis, so an outage leaves them unmetered rather than refused.
 */
export class ReadRateLimiter extends RedisBudget {
  constructor(redis: Redis, cfg: Config['rateLimit'], metrics: Metrics) {
    super(redis, { keyPrefix: `${cfg.keyPrefix}:read`, points: cfg.readPoints, windowSeconds: cfg.windowSeconds, what: 'read', failOpen: true }, metrics);
  }
}
