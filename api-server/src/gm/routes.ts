// The game master's tools on the admin API (admin token, or the game master's cookie session):
//   GET  /api/gm/audit                     the audit trail, filtered, newest first, by pages
//   GET  /api/gm/sessions/{id}/containers  every container of a session
//   GET  /api/gm/containers/{containerId}  one container: contents, who has it open, its trail
//   POST /api/gm/sessions/{id}/close       end a session
import { CloseSessionRequestSchema, SessionId } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import { AUDIT_OPERATIONS, AUDIT_OUTCOMES } from '../containers/audit.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { GameMasterService } from './service.ts';

const AuditQuery = z.strictObject({
  character: z.string().min(1).max(200).optional(),
  container: z.uuid().optional(),
  session: SessionId.optional(),
  action: z.enum(AUDIT_OPERATIONS).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(200).optional(),
});

function router(ctx: ModuleContext): Router {
  const gm = new GameMasterService(ctx);
  const r = Router();
  r.get('/audit', ctx.auth.admin, async (req, res) => {
    const q = parse(AuditQuery, req.query, 'query');
    res.json(
      await gm.audit({
        characterId: q.character,
        containerId: q.container,
        sessionId: q.session,
        operation: q.action,
        outcome: q.outcome,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        cursor: q.cursor,
      }),
    );
  });
  r.get('/sessions/:id/containers', ctx.auth.admin, async (req, res) => {
    const { id } = parse(z.object({ id: SessionId }), req.params, 'path');
    res.json(await gm.sessionContainers(id));
  });
  r.get('/containers/:containerId', ctx.auth.admin, async (req, res) => {
    const { containerId } = parse(z.object({ containerId: z.uuid() }), req.params, 'path');
    res.json(await gm.container(containerId));
  });
  r.post('/sessions/:id/close', ctx.auth.admin, async (req, res) => {
    const { id } = parse(z.object({ id: SessionId }), req.params, 'path');
    const body = parse(CloseSessionRequestSchema, req.body ?? {});
    res.json(await gm.closeSession(id, body.reason));
  });
  return r;
}

const AUDIT_ENUMS: Record<string, readonly string[]> = { action: AUDIT_OPERATIONS, outcome: AUDIT_OUTCOMES };
const AUDIT_PARAMS = ['character', 'container', 'session', 'action', 'outcome', 'from', 'to', 'limit', 'cursor'].map((name) => ({
  name,
  in: 'query' as const,
  ...(AUDIT_ENUMS[name] ? { enum: AUDIT_ENUMS[name] } : {}),
}));

export const gmModule: ApiModule = {
  name: 'gm',
  path: '/api/gm',
  router,
  openapi: {
    '/api/gm/audit': {
      get: { summary: 'Game master: the audit trail, filtered (character, container, session, action, outcome, from/to), newest first; next page by cursor', security: ['admin'], tags: ['gm'], parameters: AUDIT_PARAMS, responses: { '200': 'AuditPageSchema' } },
    },
    '/api/gm/sessions/{id}/containers': {
      get: { summary: "Game master: every container of a session (chests, floors, corpses), contents included", security: ['admin'], tags: ['gm'], parameters: [{ name: 'id', in: 'path' }], responses: { '200': 'GmContainerListSchema' } },
    },
    '/api/gm/containers/{containerId}': {
      get: { summary: 'Game master: one container, who has it open, its newest audit entries', security: ['admin'], tags: ['gm'], parameters: [{ name: 'containerId', in: 'path' }], responses: { '200': 'GmContainerDetailSchema' } },
    },
    '/api/gm/sessions/{id}/close': {
      post: { summary: 'Game master: end a session (closed for registration, members leave the game, system.session_closed)', security: ['admin'], tags: ['gm'], parameters: [{ name: 'id', in: 'path' }], requestBody: 'CloseSessionRequestSchema', responses: { '200': 'SessionRecord' } },
    },
  },
};
