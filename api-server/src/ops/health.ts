import { Router } from 'express';
import type { AppContext } from '../context.ts';
import { pingPostgres } from '../db/pool.ts';
import { pingRedis } from '../events/redis.ts';
import { PROBLEM_TYPE_BASE } from '../http/errors.ts';

export function opsRouter(ctx: AppContext, opts: { isShuttingDown: () => boolean; openapi: () => unknown }): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  r.get('/readyz', async (req, res) => {
    const check = async (fn: () => Promise<void>) =>
      fn().then(
        () => 'ok',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
    const [postgres, redis] = await Promise.all([check(() => pingPostgres(ctx.db, 1000)), check(() => pingRedis(ctx.redis, 1000))]);
    const shuttingDown = opts.isShuttingDown();
    const ok = postgres === 'ok' && redis === 'ok' && !shuttingDown;
    const checks = { postgres, redis, ...(shuttingDown ? { shutdown: 'in progress' } : {}) };
    if (ok) {
      res.json({ status: 'ok', checks });
      return;
    }
    res
      .status(503)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: PROBLEM_TYPE_BASE + 'service_unavailable',
          title: 'Not ready',
          status: 503,
          code: 'service_unavailable',
          detail: Object.entries(checks)
            .filter(([, v]) => v !== 'ok')
            .map(([k, v]) => `${k}: ${v}`)
            .join('; '),
          requestId: req.id,
          checks,
        }),
      );
  });

  r.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  r.get('/openapi.json', (_req, res) => {
    res.json(opts.openapi());
  });
  return r;
}
