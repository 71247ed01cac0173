import type { Queryable } from '../db/queryable.ts';
import type { BusUsers } from '../events/bus-users.ts';
import { listBusUsers } from './repository.ts';

/**
 * Re-applies every registered character's event-bus ACL user from the stored password hashes.
 * Redis keeps ACL users in memory only, so this runs at start-up and after Redis restarts.
 * Returns how many were applied.
 */
export async function reapplyBusUsers(q: Queryable, busUsers: BusUsers): Promise<number> {
  const users = await listBusUsers(q);
  for (const u of users) await busUsers.apply(u.characterId, u.sessionId, u.passwordHash);
  return users.length;
}
