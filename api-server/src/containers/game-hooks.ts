// Glue between the Dungeon Master's events and the container system: the rules emit
// `corpse.created { roomId, corpseOf: {kind, id, name}, ownerId, items }` when something dies
// (combat.ts); this turns one into createCorpseOnDeath input. Pure, so the mapping is tested
// without a database.
import type { InventoryStackInput } from '@distributed-dungeon/contracts';
import type { DeathInput } from './lifecycle.ts';

interface CorpseCreatedData {
  roomId: string;
  corpseOf: { kind: 'character' | 'monster'; id: string; name: string };
  /** The dead character, or whoever killed the monster (grace goes to them); null when nobody. */
  ownerId: string | null;
  items: { item_id: string; name?: string; item_name?: string; quantity: number; weight?: number }[];
}

export function isCorpseCreatedData(data: unknown): data is CorpseCreatedData {
  const d = data as Partial<CorpseCreatedData> | null;
  return (
    !!d &&
    typeof d.roomId === 'string' &&
    !!d.corpseOf &&
    typeof d.corpseOf.id === 'string' &&
    typeof d.corpseOf.name === 'string' &&
    (d.corpseOf.kind === 'character' || d.corpseOf.kind === 'monster') &&
    Array.isArray(d.items)
  );
}

/**
 * A dead character's corpse also takes its PostgreSQL inventory (what it looted through the
 * container API); a monster's corpse holds its loot and is owned by its killer (or itself when
 * nobody killed it, which makes the grace period nobody's).
 */
export function deathInputFromGameEvent(sessionId: string, data: CorpseCreatedData): DeathInput {
  const items: InventoryStackInput[] = data.items.map((i) => ({
    item_id: i.item_id,
    item_name: i.item_name ?? i.name ?? i.item_id,
    quantity: i.quantity,
    ...(i.weight !== undefined ? { weight: i.weight } : {}),
  }));
  const isCharacter = data.corpseOf.kind === 'character';
  return {
    ownerId: data.ownerId ?? data.corpseOf.id,
    ownerName: data.corpseOf.name,
    sessionId,
    roomId: data.roomId,
    items,
    takeInventory: isCharacter,
    ...(isCharacter || data.ownerId ? {} : { gracePeriodSeconds: 0 }),
  };
}
