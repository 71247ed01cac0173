// What only a game master sees: closing a session, every character, the audit log.
import { SessionId } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import { appError } from '../http/errors.ts';
import type { ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { getSession } from '../sessions/repository.ts';

const AuditQuery = z.object({
  actor: z.string().max(200).optional(),
  operation: z.string().max(64).optional(),
  outcome: z.enum(['success', 'denied', 'error']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function gameMasterRoutes(ctx: ModuleContext): Router {
  const r = Router();

  r.post('/sessions/:id/close', ctx.auth.admin, async (req, res) => {
    const { id } = parse(z.object({ id: SessionId }), req.params, 'path');
    const closed = await ctx.db.query("UPDATE sessions SET status = 'closed' WHERE id = $1 AND status = 'open'", [id]);
    const session = await getSession(ctx.db, id);
    if (!session) throw appError('sessions.not_found', `no session ${id}`);
    if (closed.rowCount === 1) await ctx.events.publish(id, { type: 'system.session_closed', data: { sessionId: id, reason: 'closed by the game master' } });
    res.json(session);
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
    const { rows } = await ctx.db.query<{ id: string; occurred_at: Date; actor_id: string | null; actor_name: string | null; resource_type: string; resource_id: string | null; operation: string; outcome: string; security_level: string }>(
      `SELECT id, occurred_at, actor_id, actor_name, resource_type, resource_id, operation, outcome, security_level FROM audit_log
        WHERE ($1::text IS NULL OR actor_id = $1) AND ($2::text IS NULL OR operation = $2) AND ($3::text IS NULL OR outcome = $3)
        ORDER BY occurred_at DESC, id DESC LIMIT $4`,
      [q.actor ?? null, q.operation ?? null, q.outcome ?? null, q.limit],
    );
    res.json({
      items: rows.map((a) => ({
        id: Number(a.id),
        occurredAt: a.occurred_at.toISOString(),
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
