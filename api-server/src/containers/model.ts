// The container as the service works with it (the seed's ContainerComponent with real Dates),
// and its wire form.
import type {
  ContainerComponent,
  ContainerLockState,
  ContainerSourceType,
  InventoryStack,
} from '@distributed-dungeon/contracts';

export interface ContainerRecord {
  container_id: string;
  source_type: ContainerSourceType;
  owner_id: string | null;
  room_id: string | null;
  entity_id: string | null;
  lock_state: ContainerLockState;
  capacity_slots: number;
  weight_limit: number | null;
  decay_at: Date | null;
  allowed_roles: string[];
  items: InventoryStack[];
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

/** Metadata keys the container system itself writes. */
export const META = {
  /** Game session the room belongs to (not a web session id: see coppa.ts). */
  gameSession: 'game_session',
  /** Stable identity for loader-made and floor containers (unique index). */
  sourceKey: 'source_key',
  graceUntil: 'grace_period_until',
  ownerCharacterId: 'owner_character_id',
  ownerName: 'owner_name',
  kind: 'kind',
  name: 'name',
  equipped: 'equipped',
  itemId: 'item_id',
} as const;

export function metaString(c: ContainerRecord, key: string): string | null {
  const v = c.metadata[key];
  return typeof v === 'string' ? v : null;
}

export function toWire(c: ContainerRecord): ContainerComponent {
  return {
    container_id: c.container_id,
    source_type: c.source_type,
    owner_id: c.owner_id,
    room_id: c.room_id,
    entity_id: c.entity_id,
    lock_state: c.lock_state,
    capacity_slots: c.capacity_slots,
    weight_limit: c.weight_limit,
    decay_at: c.decay_at ? c.decay_at.toISOString() : null,
    allowed_roles: [...c.allowed_roles],
    items: c.items.map((s) => ({ ...s })),
    metadata: { ...c.metadata },
  };
}
