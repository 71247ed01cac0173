import type { GameState } from '../types.ts';

// Which item containers a character could empty right now: the room's chest and the corpses
// lying in its room, minus those still in someone else's grace period (seed 004: the owner —
// the dead character, or whoever killed the monster — has the corpse to itself for a while).

export interface LootPolicy {
  /** `all` (default): every corpse open to us; `mine`: only those we own; `none`. */
  corpses?: 'all' | 'mine' | 'none';
  /** The room's own container and containers heard of through container events (default true). */
  chests?: boolean;
  now?: number;
}

export function lootableContainers(s: GameState, policy: LootPolicy = {}): string[] {
  const corpses = policy.corpses ?? 'all';
  const chests = policy.chests ?? true;
  const now = policy.now ?? Date.now();
  const ids = new Set<string>();
  const chest = s.room?.container;
  if (chests && chest?.container_id && chest.lock_state === 'unlocked') ids.add(chest.container_id);
  for (const [id, c] of Object.entries(s.containers ?? {})) {
    if (c.roomId !== s.me?.roomId || c.looted) continue;
    if (c.kind !== 'corpse') {
      if (chests) ids.add(id);
      continue;
    }
    const mine = c.ownerId === s.characterId;
    if (corpses === 'none' || (corpses === 'mine' && !mine)) continue;
    if (!mine && c.graceUntil && Date.parse(c.graceUntil) > now) continue;
    ids.add(id);
  }
  return [...ids];
}
