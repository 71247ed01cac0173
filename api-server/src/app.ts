import express, { type Express } from 'express';
import type { AppContext } from './context.ts';
import { opsRouter } from './ops/health.ts';
import { buildOpenApi } from './ops/openapi.ts';
import { assertGrounds } from './registry/grounds.ts';
import { authenticators } from './http/auth.ts';
import { accessLog, errorHandler, mountPoint, notFound, requestContext } from './http/middleware.ts';
import type { ApiModule, ModuleContext } from './http/module.ts';
import { personalDataGuards } from './containers/personal-data.ts';
import { CredentialThrottle } from './http/credential-throttle.ts';
import { CharacterRateLimiter, ReadRateLimiter } from './http/rate-limit.ts';
import { withReadBudget } from './http/read-limit.ts';
import { rejectNul } from './http/no-nul.ts';

/**
 * The express application: shared middleware, the ops endpoints, every module, one error handler.
 * Part of the composition root (beside server.ts): it wires http/ primitives to the modules, so
 * it lives above them all and no module imports it.
 */
export function createApp(ctx: AppContext, modules: ApiModule[], opts: { isShuttingDown: () => boolean }): Express {
  const limiter = new CharacterRateLimiter(ctx.redis, ctx.config.rateLimit, ctx.metrics);
  const reads = new ReadRateLimiter(ctx.redis, ctx.config.rateLimit, ctx.metrics);
  const credentials = new CredentialThrottle(ctx.redis, ctx.config.rateLimit, { metrics: ctx.metrics, logger: ctx.logger });
  const moduleCtx: ModuleContext = {
    ...ctx,
    auth: authenticators(ctx.config.adminToken, ctx.tokens, (p) => assertGrounds(ctx.db, p)),
    rateLimit: (characterId) => limiter.consume(characterId),
  };
  moduleCtx.auth = withReadBudget(moduleCtx.auth, (characterId) => reads.consume(characterId));
  const openapi = buildOpenApi(modules);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(requestContext(ctx.logger));
  app.use(accessLog(ctx.metrics));
  // A module that takes bigger bodies (character archives) parses its own first; the shared
  // parser leaves a parsed body alone.
  for (const m of modules) if (m.bodyLimit) app.use(m.path, express.json({ limit: m.bodyLimit }));
  app.use(express.json({ limit: '64kb' }));
  app.use(rejectNul);
  app.use(opsRouter(ctx, { isShuttingDown: opts.isShuttingDown, openapi: () => openapi }));
  app.use('/api', credentials.guard);
  for (const [path, guard] of personalDataGuards()) app.post(path, guard);
  for (const m of modules) app.use(m.path, mountPoint, m.router(moduleCtx));
  app.use(notFound);
  app.use(credentials.count);
  app.use(errorHandler());
  return app;
}
