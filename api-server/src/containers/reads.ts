// What a character may read of the item system: its own inventory and worn containers, and the
// containers of the room it stands in as it sees them (a locked or sealed one hides its contents;
// corpses show their grace and decay times). Read-only: no token, no lock, no audit entry.
import type { ContainerKind, MyInventoryResponse, RoomContainersResponse, VisibleContainer } from '@distributed-dungeon/contracts';
import { corpsePhase } from './corpse-timers.ts';
import type { Queryable } from './db.ts';
import { getEquipment } from './equipment.ts';
import { characterUuid } from './ids.ts';
import { DEFAULT_INVENTORY, getInventory } from './inventory.ts';
import { META, metaString, toWire, type ContainerRecord } from './model.ts';
import { getContainersByEntityId, getContainersByRoomId } from './persistence.ts';
import { systemClock, type CharacterDirectory, type Clock } from './ports.ts';

export function kindOf(c: Pick<ContainerRecord, 'source_type' | 'metadata'>): ContainerKind {
  if (c.source_type === 'corpse') return 'corpse';
  if (c.source_type === 'equipment') return 'equipment';
  return c.metadata[META.kind] === 'floor' ? 'floor' : 'chest';
}

export function visibleContainer(c: ContainerRecord): VisibleContainer {
  return {
    container_id: c.container_id,
    kind: kindOf(c),
    name: metaString(c, META.name),
    room_id: c.room_id,
    lock_state: c.lock_state,
    capacity_slots: c.capacity_slots,
    weight_limit: c.weight_limit,
    items: c.lock_state === 'unlocked' ? c.items : null,
    owner_name: c.source_type === 'corpse' ? metaString(c, META.ownerName) : null,
    grace_period_until: c.source_type === 'corpse' ? metaString(c, META.graceUntil) : null,
    decay_at: c.decay_at?.toISOString() ?? null,
  };
}

export class ContainerReads {
  readonly #db: Queryable;
  readonly #directory: CharacterDirectory;
  readonly #clock: Clock;
  constructor(deps: { db: Queryable; directory: CharacterDirectory; clock?: Clock }) {
    this.#db = deps.db;
    this.#directory = deps.directory;
    this.#clock = deps.clock ?? systemClock;
  }

  async inventoryOf(characterId: string): Promise<MyInventoryResponse> {
    const [inventory, slots, worn] = await Promise.all([
      getInventory(this.#db, characterId),
      getEquipment(this.#db, characterId),
      getContainersByEntityId(this.#db, characterUuid(characterId)),
    ]);
    return {
      character_id: characterId,
      inventory: inventory ?? { character_id: characterId, ...DEFAULT_INVENTORY, items: [] },
      equipped: Object.fromEntries(slots.map((s) => [s.slot, s.item])),
      // entity_id is set only while worn (unequipping clears it): these are the ones on.
      equipment: worn.filter((c) => c.source_type === 'equipment').map(toWire),
    };
  }

  async roomContainersOf(characterId: string): Promise<RoomContainersResponse> {
    const location = await this.#directory.locationOf(characterId);
    if (!location) return { character_id: characterId, session_id: null, room_id: null, containers: [] };
    const now = this.#clock.now();
    const inRoom = await getContainersByRoomId(this.#db, location.roomId, { gameSession: location.sessionId });
    return {
      character_id: characterId,
      session_id: location.sessionId,
      room_id: location.roomId,
      // A decayed corpse awaiting the sweeper is already gone for the players.
      containers: inRoom.filter((c) => c.source_type !== 'equipment' && !(c.source_type === 'corpse' && corpsePhase(c, now) === 'decayed')).map(visibleContainer),
    };
  }
}
