import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config/config.ts';
import type { Metrics } from '../ops/metrics.ts';
import { appError } from './errors.ts';

/**
 * Per-character request budget kept in Redis, so it is one budget however many replicas serve
 * the character. While Redis is away the limiter cannot decide: the request gets 503.
 */
export class CharacterRateLimiter {
  readonly #limiter: RateLimiterRedis;
  readonly #metrics: Metrics;
  constructor(redis: Redis, cfg: Config['rateLimit'], metrics: Metrics) {
    this.#limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'dungeon:rl:character',
      points: cfg.points,
      duration: cfg.windowSeconds,
      rejectIfRedisNotReady: true,
    });
    this.#metrics = metrics;
  }

  async consume(characterId: string): Promise<void> {
    try {
      await this.#limiter.consume(characterId);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        this.#metrics.rateLimited.inc();
        throw appError('rate_limited', `${characterId} is over its request budget`, { retryAfter: Math.ceil(res.msBeforeNext / 1000) });
      }
      if (res instanceof Error && /not ready/i.test(res.message)) {
        throw appError('service_unavailable', 'Redis cannot be reached; try again shortly', { retryAfter: 1, cause: res });
      }
      throw res;
    }
  }
}
