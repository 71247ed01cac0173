// What only a game master sees: closing a session, every character, the audit log.
import { SessionId } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import type { ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { AUDIT_OPERATIONS, type AuditOperation } from '../containers/audit.ts';
import { GameMasterService } from '../gm/service.ts';

const AuditQuery = z.object({
  actor: z.string().max(200).optional(),
  operation: z.string().max(64).optional(),
  outcome: z.enum(['success', 'denied', 'error']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function gameMasterRoutes(ctx: ModuleContext): Router {
  const r = Router();

  // The web client's routes for the game master's tools; the use cases are the admin API's (gm/).
  const gm = new GameMasterService(ctx);
  r.post('/sessions/:id/close', ctx.auth.admin, async (req, res) => {
    const { id } = parse(z.object({ id: SessionId }), req.params, 'path');
    res.json(await gm.closeSession(id));
  });

  // Every Character, whichever namespace it lives in: what the operator reports (phase, Ready)
  // next to what the registry knows (registration, session, heartbeat), either side may be missing.
  r.get('/characters', ctx.auth.admin, async (_req, res) => {
    const { rows } = await ctx.db.query<{
      character_id: string;
      display: string | null;
      class: string | null;
      level: number | null;
      session_id: string | null;
      status: string | null;
      last_heartbeat_at: Date | null;
      revoked: boolean | null;
      namespace: string | null;
      resource: string | null;
      phase: string | null;
      ready: boolean | null;
    }>(
      `SELECT character_id, c.name AS display, c.class, c.level, c.session_id, c.status, c.last_heartbeat_at, (k.revoked_at IS NOT NULL) AS revoked,
              p.namespace, p.name AS resource, p.phase, p.ready
         FROM characters c FULL OUTER JOIN character_platform p USING (character_id) LEFT JOIN api_keys k USING (character_id)
        ORDER BY p.namespace NULLS LAST, p.name, character_id`,
    );
    res.json({
      items: rows.map((c) => ({
        characterId: c.character_id,
        name: c.display ?? c.resource ?? c.character_id,
        class: c.class,
        level: c.level,
        sessionId: c.session_id,
        status: c.status ?? 'never registered',
        keyRevoked: c.revoked === true,
        lastHeartbeatAt: c.last_heartbeat_at?.toISOString() ?? null,
        namespace: c.namespace,
        resource: c.resource,
        phase: c.phase,
        ready: c.ready,
      })),
    });
  });

  r.get('/audit', ctx.auth.admin, async (req, res) => {
    const q = parse(AuditQuery, req.query, 'query');
    // The form takes any text; an operation the audit trail never records matches nothing.
    if (q.operation !== undefined && !(AUDIT_OPERATIONS as readonly string[]).includes(q.operation)) return void res.json({ items: [] });
    const page = await gm.audit({
      limit: q.limit,
      ...(q.actor ? { characterId: q.actor } : {}),
      ...(q.operation ? { operation: q.operation as AuditOperation } : {}),
      ...(q.outcome ? { outcome: q.outcome } : {}),
    });
    res.json({
      items: page.items.map((a) => ({
        id: a.id,
        occurredAt: a.occurred_at,
        actorId: a.actor_id,
        actorName: a.actor_name,
        resourceType: a.resource_type,
        resourceId: a.resource_id,
        operation: a.operation,
        outcome: a.outcome,
        securityLevel: a.security_level,
      })),
    });
  });
  return r;
}
