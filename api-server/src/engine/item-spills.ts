import type { InventoryStack } from '@distributed-dungeon/contracts';
import { updatedEvent } from '../containers/events.ts';
import type { GameEvent, GameState } from '../game/index.ts';

// What a command's item changes leave beside the tables: what spilled onto a room's floor, which
// the store announces as `container.updated` in the same outbox write as the rules' own events.

/** Who a command is by, as the audit trail names it. */
export interface ItemActor {
  id: string;
  name: string | null;
}

export interface FloorSpill {
  roomId: string;
  containerId: string;
  before: InventoryStack[];
  after: InventoryStack[];
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
