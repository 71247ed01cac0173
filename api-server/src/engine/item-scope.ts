import type { InventoryStack } from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { updatedEvent } from '../containers/events.ts';
import type { GameEvent, GameState } from '../game/index.ts';

// What one command's item changes need beyond the intents, kept per transaction. The store opens
// a scope on the command's transaction (who acted: the unlock intents do not say), the item
// rules fill it in as they apply the intents (what spilled onto a room's floor), and the store
// turns the spills into `container.updated` events in the same outbox write as the rules' own
// events. Keyed by the transaction's client, because the engine's hook in between hands the
// transaction on and nothing else.

export interface ItemActor {
  id: string;
  name: string | null;
}

interface FloorSpill {
  roomId: string;
  containerId: string;
  before: InventoryStack[];
  after: InventoryStack[];
}

interface ItemScope {
  actor: ItemActor | null;
  spills: FloorSpill[];
}

const scopes = new WeakMap<pg.PoolClient, ItemScope>();

/** Opens the scope of a command's item changes on its transaction. */
export function openItemScope(tx: pg.PoolClient, actor: ItemActor | null): void {
  scopes.set(tx, { actor, spills: [] });
}

/** Closes it and returns what was recorded (nothing when no scope was open). */
export function closeItemScope(tx: pg.PoolClient): ItemScope {
  const scope = scopes.get(tx) ?? { actor: null, spills: [] };
  scopes.delete(tx);
  return scope;
}

/** Who the command is by (null outside a command, or for the game's own commands). */
export function scopeActor(tx: pg.PoolClient): ItemActor | null {
  return scopes.get(tx)?.actor ?? null;
}

export function recordFloorSpill(tx: pg.PoolClient, spill: FloorSpill): void {
  scopes.get(tx)?.spills.push(spill);
}

/**
 * The room events of the spills: `container.updated` on the private channel of each character in
 * the room (as the container API sends them, with `room_id`), and once to the game masters.
 */
export function spillEvents(state: GameState, spills: readonly FloorSpill[]): GameEvent[] {
  const out: GameEvent[] = [];
  for (const s of spills) {
    const ev = updatedEvent(s.containerId, s.before, s.after);
    if (!ev) continue;
    const data = { ...ev.data, room_id: s.roomId };
    for (const c of Object.values(state.characters)) {
      if (c.present && c.roomId === s.roomId) out.push({ type: ev.type, data, topic: 'exploration', characterId: c.id });
    }
    out.push({ type: ev.type, data, topic: 'exploration', audience: 'game-master' });
  }
  return out;
}
