import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { Pool } from './db/pool.ts';
import type { GameEngine } from './engine/game-engine.ts';
import type { BusUsers } from './events/bus-users.ts';
import type { EventBus } from './events/publisher-outbox.ts';
import type { TokenService } from './http/tokens.ts';
import type { Metrics } from './ops/metrics.ts';

/** Everything a route or use case may depend on; built once by `start()`. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Pool;
  /** Command connection (fails fast while Redis is away). */
  redis: Redis;
  tokens: TokenService;
  busUsers: BusUsers;
  /** Every event goes through the outbox (publisher-outbox.ts); the relay publishes it to Redis. */
  events: EventBus;
  engine: GameEngine;
  metrics: Metrics;
}
