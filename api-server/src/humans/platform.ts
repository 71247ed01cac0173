// The platform status of Characters as the operator reports it (phase, Ready, conditions): the
// api-server needs no access to the cluster to show it to game masters and players.
import { CharacterId } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/queryable.ts';
import type { ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';

const Condition = z.object({ type: z.string().max(100), status: z.enum(['True', 'False', 'Unknown']), reason: z.string().max(200).optional(), message: z.string().max(2000).optional() });

const PlatformReport = z.strictObject({
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
  phase: z.string().min(1).max(32),
  conditions: z.array(Condition).max(20),
});
export type PlatformReport = z.infer<typeof PlatformReport>;

export interface PlatformStatus extends PlatformReport {
  ready: boolean;
  reportedAt: string;
}

export async function platformOf(q: Queryable, characterId: string): Promise<PlatformStatus | null> {
  const { rows } = await q.query<{ namespace: string; name: string; phase: string; ready: boolean; conditions: PlatformReport['conditions']; reported_at: Date }>(
    'SELECT namespace, name, phase, ready, conditions, reported_at FROM character_platform WHERE character_id = $1',
    [characterId],
  );
  const r = rows[0];
  return r ? { namespace: r.namespace, name: r.name, phase: r.phase, ready: r.ready, conditions: r.conditions, reportedAt: r.reported_at.toISOString() } : null;
}

export function platformRoutes(ctx: ModuleContext): Router {
  const r = Router();
  r.put('/platform/:characterId', ctx.auth.admin, async (req, res) => {
    const { characterId } = parse(z.object({ characterId: CharacterId }), req.params, 'path');
    const report = parse(PlatformReport, req.body ?? {});
    const ready = report.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    await ctx.db.query(
      `INSERT INTO character_platform (character_id, namespace, name, phase, ready, conditions, reported_at) VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (character_id) DO UPDATE SET namespace = EXCLUDED.namespace, name = EXCLUDED.name, phase = EXCLUDED.phase, ready = EXCLUDED.ready,
         conditions = EXCLUDED.conditions, reported_at = now()`,
      [characterId, report.namespace, report.name, report.phase, ready, JSON.stringify(report.conditions)],
    );
    res.status(204).end();
  });
  // A deleted Character is reported once more, as gone.
  r.delete('/platform/:characterId', ctx.auth.admin, async (req, res) => {
    const { characterId } = parse(z.object({ characterId: CharacterId }), req.params, 'path');
    await ctx.db.query('DELETE FROM character_platform WHERE character_id = $1', [characterId]);
    res.status(204).end();
  });
  return r;
}
