import { backoffDelay, sleep } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import { appError } from '../http/errors.ts';
import { forward, ForwardFailed, type EngineOp } from './forwarding.ts';
import { NotOwnerError, type SessionOwners } from './session-owners.ts';

// Runs an engine call where the session's owner is: here when this replica holds (or can take)
// the lease, else forwarded to the owner. While the owner is unreachable and its lease still
// runs, the call waits and tries again; once the lease expires this replica takes it over.

export interface RoutingDeps {
  owners: SessionOwners;
  adminToken: string;
  logger: Logger;
  /** The session's memory here is stale (the lease changed hands): drop it. */
  forget: (sessionId: string) => void;
}

export async function routed<T>(d: RoutingDeps, op: EngineOp, sessionId: string, args: unknown[], local: () => Promise<T>): Promise<T> {
  // Long enough to outlast a dead owner's lease and take the session over.
  const deadline = performance.now() + d.owners.ttlMs + 5000;
  let last: unknown;
  for (let attempt = 0; performance.now() < deadline; attempt++) {
    const o = await d.owners.claim(sessionId);
    if (o.mine) {
      if (o.changedHands) d.forget(sessionId);
      try {
        return await local();
      } catch (err) {
        // Lost the lease between the claim and the write: nothing was written, route again.
        if (!(err instanceof NotOwnerError)) throw err;
        last = err;
      }
    } else if (o.ownerUrl) {
      try {
        return (await forward(o.ownerUrl, d.adminToken, op, sessionId, args)) as T;
      } catch (err) {
        if (!(err instanceof ForwardFailed)) throw err;
        last = err;
      }
    }
    await sleep(backoffDelay(attempt, { initialMs: 50, maxMs: 500 }));
  }
  d.logger.warn({ sessionId, op, err: (last as Error | undefined)?.message }, 'no replica could serve the session');
  throw appError('service_unavailable', `session ${sessionId}: its owner cannot be reached; try again shortly`, { retryAfter: 1, cause: last });
}

/** A forwarded call: served only while this replica owns the session (never forwarded again). */
export async function servedHere<T>(d: RoutingDeps, sessionId: string, local: () => Promise<T>): Promise<T> {
  const o = await d.owners.claim(sessionId);
  if (!o.mine) throw new NotOwnerError(`session ${sessionId} is owned elsewhere`);
  if (o.changedHands) d.forget(sessionId);
  return local();
}
