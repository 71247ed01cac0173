import { Router } from 'express';
import { z } from 'zod';
import { appError } from '../http/errors.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { NotOwnerError } from './session-owners.ts';

// A replica that does not own a session forwards the engine call to the one that does, over the
// api-server's own port. `POST /internal/engine` takes the admin token (shared by the replicas;
// character pods never reach the admin API) and serves only sessions this replica owns: it
// never forwards again, so a call cannot bounce between replicas.

export const ENGINE_OPS = ['createSession', 'join', 'leave', 'end', 'handleAction', 'getState'] as const;
export type EngineOp = (typeof ENGINE_OPS)[number];

const Forwarded = z.object({ op: z.enum(ENGINE_OPS), sessionId: z.string().min(1), args: z.array(z.unknown()).max(3) });

/** The owner could not be reached or does not own the session any more: route again. */
export class ForwardFailed extends Error {}

/** What the engine offers to forwarded calls. */
export interface ForwardTarget {
  serveForwarded(op: EngineOp, sessionId: string, args: unknown[]): Promise<unknown>;
}

function isForwardTarget(engine: unknown): engine is ForwardTarget {
  return typeof (engine as Partial<ForwardTarget>).serveForwarded === 'function';
}

const NOT_OWNER_HEADER = 'x-dungeon-not-owner';

export async function forward(ownerUrl: string, adminToken: string, op: EngineOp, sessionId: string, args: unknown[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL('/internal/engine', ownerUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ op, sessionId, args }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new ForwardFailed(`owner ${ownerUrl} unreachable: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (res.status === 409 && res.headers.get(NOT_OWNER_HEADER)) throw new ForwardFailed(`${ownerUrl} no longer owns ${sessionId}`);
  if (res.status === 503) throw new ForwardFailed(`${ownerUrl} answered 503: ${text.slice(0, 200)}`);
  if (!res.ok) throw new Error(`${op} forwarded to ${ownerUrl}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { result: unknown }).result;
}

function router(ctx: ModuleContext): Router {
  const r = Router();
  r.post('/', ctx.auth.admin, async (req, res) => {
    const parsed = Forwarded.safeParse(req.body);
    if (!parsed.success) throw appError('request.invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!isForwardTarget(ctx.engine)) throw appError('not_found', 'this engine does not take forwarded calls');
    try {
      const result = await ctx.engine.serveForwarded(parsed.data.op, parsed.data.sessionId, parsed.data.args);
      res.status(200).json({ result: result ?? null });
    } catch (err) {
      if (!(err instanceof NotOwnerError)) throw err;
      res.status(409).set(NOT_OWNER_HEADER, '1').json({ notOwner: true, detail: err.message });
    }
  });
  return r;
}

export const engineForwardingModule: ApiModule = { name: 'engine-forwarding', path: '/internal/engine', router };
