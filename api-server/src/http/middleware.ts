import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../ops/metrics.ts';
import { appError, toProblem } from './errors.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

/** Takes a sane incoming `X-Request-Id` or makes one; echoes it and binds a child logger. */
export function requestContext(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ requestId: req.id });
    res.setHeader('x-request-id', req.id);
    next();
  };
}

/** The route template (`/api/registry/character/:id`), never the raw path, keeps label cardinality low. */
function routeLabel(req: Request, res: Response): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  // By the time the response finishes an error may have unwound the router and reset
  // req.baseUrl, so the mount path is remembered on the way in (see mountPoint).
  const base = typeof res.locals.mount === 'string' ? res.locals.mount : req.baseUrl;
  const full = base + (route.path === '/' && base ? '' : route.path);
  return full || '/';
}

/** Remembers where a module is mounted, for route labels. */
export const mountPoint: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  res.locals.mount = req.baseUrl;
  next();
};

export function accessLog(metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: req.method, route: routeLabel(req, res), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      const level = res.statusCode >= 500 ? 'warn' : 'info';
      req.log[level]({ method: req.method, route: labels.route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}

export const notFound: RequestHandler = (req) => {
  throw appError('not_found', `no route for ${req.method} ${req.path}`);
};

/** The one place errors become responses. */
export function errorHandler(): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const problem = toProblem(err, { instance: req.originalUrl, requestId: req.id });
    const log = req.log ?? undefined;
    if (problem.internal) log?.error({ err }, 'unhandled error');
    else if (problem.status === 503) log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'backing service unavailable');
    res.status(problem.status).set(problem.headers).send(JSON.stringify(problem.body));
  };
}
