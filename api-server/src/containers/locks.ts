// Lock states changed by the game (issue 12): a key or a picked lock opens a `locked` container,
// a world event (the boss's death) a `sealed` one. Until then the container API answers 423.
import type { ContainerLockState } from '@distributed-dungeon/contracts';
import type { Queryable } from './db.ts';

/**
 * Unlocks the container when it is in the lock state `from`; false when it was not (already
 * open, or locked another way), so a caller can tell a stale decision from a done one.
 */
export async function unlockContainer(db: Queryable, containerId: string, from: Exclude<ContainerLockState, 'unlocked'>, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE containers SET lock_state = 'unlocked', updated_at = $3 WHERE container_instance_id = $1 AND lock_state = $2`,
    [containerId, from, now],
  );
  return (rowCount ?? 0) === 1;
}

/** A container's place and lock, for the rules' inputs (null: no such container). */
export async function lockOf(db: Queryable, containerId: string): Promise<{ roomId: string | null; lockState: ContainerLockState; session: string | null } | null> {
  const { rows } = await db.query<{ room_id: string | null; lock_state: ContainerLockState; session: string | null }>(
    `SELECT room_id, lock_state, metadata->>'game_session' AS session FROM containers WHERE container_instance_id = $1`,
    [containerId],
  );
  const r = rows[0];
  return r ? { roomId: r.room_id, lockState: r.lock_state, session: r.session } : null;
}
