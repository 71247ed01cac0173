// POST /api/containers/open | transfer | close | loot-all (seed 004). Character JWT only; each
// request spends one unit of the character's container budget (20 / 60 s) before validation,
// so floods of malformed requests are limited too. Errors are thrown (AppError subclasses) and
// answered by the api-server's one problem+json middleware.
import {
  CloseContainerRequestSchema,
  LootAllRequestSchema,
  OpenContainerRequestSchema,
  TransferRequestSchema,
} from '@distributed-dungeon/contracts';
import { Router, type RequestHandler, type Response } from 'express';
import { characterOf } from '../http/auth.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { ContainerRateLimiter, coreEventPublisher, engineCharacterDirectory } from './adapters.ts';
import { writeAudit } from './audit.ts';
import type { CharacterDirectory, Clock, ContainerLogger, ContainerEventPort } from './ports.ts';
import { ContainerService } from './service.ts';

export interface ContainersRouterDeps {
  service: ContainerService;
  /** Puts the principal on res.locals (the core's `auth.character`). */
  authenticate: RequestHandler;
  /** Spends one request of the character's container budget; throws the 429. */
  rateLimit(characterId: string): Promise<void>;
  /** The authenticated character's id; defaults to the core's `characterOf(res)`. */
  characterIdOf?(res: Response): string;
}

export function containersRouter(deps: ContainersRouterDeps): Router {
  const who = deps.characterIdOf ?? ((res: Response) => characterOf(res).characterId);
  const r = Router();
  r.post('/open', deps.authenticate, async (req, res) => {
    const me = who(res);
    await deps.rateLimit(me);
    res.status(200).json(await deps.service.openContainer(me, parse(OpenContainerRequestSchema, req.body)));
  });
  r.post('/transfer', deps.authenticate, async (req, res) => {
    const me = who(res);
    await deps.rateLimit(me);
    const out = await deps.service.transfer(me, parse(TransferRequestSchema, req.body));
    if (out.replayed) res.setHeader('idempotent-replayed', 'true');
    res.status(200).json(out.result);
  });
  r.post('/close', deps.authenticate, async (req, res) => {
    const me = who(res);
    await deps.rateLimit(me);
    res.status(200).json(await deps.service.closeContainer(me, parse(CloseContainerRequestSchema, req.body)));
  });
  r.post('/loot-all', deps.authenticate, async (req, res) => {
    const me = who(res);
    await deps.rateLimit(me);
    const out = await deps.service.lootAll(me, parse(LootAllRequestSchema, req.body));
    if (out.replayed) res.setHeader('idempotent-replayed', 'true');
    res.status(200).json(out.result);
  });
  return r;
}

export interface ContainersModuleOptions {
  /** Who is where; defaults to the `characters` table + the game engine's character view. */
  directory?(ctx: ModuleContext): CharacterDirectory;
  publisher?(ctx: ModuleContext, directory: CharacterDirectory): ContainerEventPort;
  clock?: Clock;
  rateLimit?: { points: number; windowSeconds: number };
  /** Receives the service once built (to share it with the corpse hook, tests...). */
  onService?(service: ContainerService): void;
}

export function createContainersModule(opts: ContainersModuleOptions = {}): ApiModule {
  return {
    name: 'containers',
    path: '/api/containers',
    router(ctx) {
      const logger: ContainerLogger = ctx.logger.child({ component: 'containers' });
      const directory = opts.directory?.(ctx) ?? engineCharacterDirectory(ctx.db, ctx.engine);
      const publisher = opts.publisher?.(ctx, directory) ?? coreEventPublisher(ctx.events, directory, logger);
      const service = new ContainerService({ pool: ctx.db, publisher, directory, clock: opts.clock, logger });
      opts.onService?.(service);
      const limiter = new ContainerRateLimiter(ctx.redis, {
        ...opts.rateLimit,
        onLimited: (characterId) => {
          ctx.metrics.rateLimited.inc();
          logger.warn({ characterId }, 'container rate limit exceeded');
          // Violations are kept for security monitoring (seed 004); never blocks the answer.
          void writeAudit(ctx.db, {
            occurredAt: service.clock.now(),
            actorId: characterId,
            actorName: null,
            containerId: null,
            operation: 'rate_limited',
            outcome: 'denied',
          }).catch((err: unknown) => logger.error({ err }, 'audit write failed'));
        },
      });
      return containersRouter({ service, authenticate: ctx.auth.character, rateLimit: (id) => limiter.consume(id) });
    },
    openapi: {
      '/api/containers/open': {
        post: { summary: 'Open a container: access check, mutation token', security: ['character'], requestBody: 'OpenContainerRequestSchema', responses: { '200': 'OpenContainerResponseSchema' }, tags: ['containers'] },
      },
      '/api/containers/transfer': {
        post: { summary: 'Move items between the container and your inventory', security: ['character'], requestBody: 'TransferRequestSchema', responses: { '200': 'TransferResponseSchema' }, tags: ['containers'] },
      },
      '/api/containers/close': {
        post: { summary: 'Close a container (releases the mutation token)', security: ['character'], requestBody: 'CloseContainerRequestSchema', responses: { '200': 'CloseContainerResponseSchema' }, tags: ['containers'] },
      },
      '/api/containers/loot-all': {
        post: { summary: 'Take everything that fits', security: ['character'], requestBody: 'LootAllRequestSchema', responses: { '200': 'LootAllResponseSchema' }, tags: ['containers'] },
      },
    },
  };
}

/** The module with the default wiring (for `DEFAULT_MODULES`). */
export const containersModule: ApiModule = createContainersModule();
