import type { Router } from 'express';
import type { AppContext } from '../context.ts';
import type { Authenticators } from './auth.ts';
import type { OpenApiOperation } from '../ops/openapi.ts';

/** What a router module gets: the shared context plus the authenticators and the rate limiter. */
export interface ModuleContext extends AppContext {
  auth: Authenticators;
  /** Spends one unit of the character's request budget; throws the 429 (or 503) itself. */
  rateLimit(characterId: string): Promise<void>;
}

/**
 * A feature mounted into the api-server (registry, sessions, actions, item containers, ...).
 * Routes throw `AppError`s (see http/errors.ts) and let the shared middleware answer; async
 * handlers need no wrapper in express 5.
 */
export interface ApiModule {
  name: string;
  /** Where the router is mounted, e.g. `/api/containers`. */
  path: string;
  /** A request body limit above the API's 64 kB, for this module's routes only. */
  bodyLimit?: string;
  router(ctx: ModuleContext): Router;
  /** Operations for `/openapi.json`, keyed by full path then lowercase method. */
  openapi?: Record<string, Record<string, OpenApiOperation>>;
}
