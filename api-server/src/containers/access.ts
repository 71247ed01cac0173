// Access control (seed 004): proximity for environment and corpse containers, ownership for
// equipment, allowed_roles, the corpse grace period, then the lock. A pure decision so every
// rule is unit tested and applied identically by open, transfer, loot-all and close.
import type { CharacterLocation } from './ports.ts';
import { corpsePhase } from './corpse-timers.ts';
import { META, metaString, type ContainerRecord } from './model.ts';

export interface Actor {
  characterId: string;
  /** characterUuid(characterId): what owner_id / entity_id hold. */
  uuid: string;
  roles: readonly string[];
  location: CharacterLocation | null;
}

/**
 * The game's rules on the actor itself, before any container rule: a dead character cannot open,
 * transfer or loot; while a fight goes on in its room a character cannot rummage in the room's
 * chests and corpses (refused, not charged a turn: the container API is outside the turn order).
 * Its own worn containers stay usable. Close is not ruled here (releasing a token is always allowed).
 */
type ActorStateDecision =
  | { allowed: true }
  | { allowed: false; code: 'container.character_dead' | 'container.in_combat'; message: string };

export function decideActorState(c: Pick<ContainerRecord, 'source_type'>, actor: { alive: boolean; inCombat: boolean }): ActorStateDecision {
  if (!actor.alive) return { allowed: false, code: 'container.character_dead', message: 'a dead character cannot open, transfer or loot' };
  if (actor.inCombat && c.source_type !== 'equipment') {
    return { allowed: false, code: 'container.in_combat', message: 'a fight is going on in this room: looting waits until it is over' };
  }
  return { allowed: true };
}

type AccessDenial = {
  allowed: false;
  status: 403 | 404 | 423;
  reason: 'decayed' | 'not_in_room' | 'not_owner' | 'not_equipped' | 'missing_role' | 'grace_period' | 'locked' | 'sealed';
  message: string;
};
type AccessDecision = { allowed: true } | AccessDenial;

function deny(status: AccessDenial['status'], reason: AccessDenial['reason'], message: string): AccessDenial {
  return { allowed: false, status, reason, message };
}

function sameRoom(c: ContainerRecord, loc: CharacterLocation | null): boolean {
  if (!loc || c.room_id === null || c.room_id !== loc.roomId) return false;
  const session = metaString(c, META.gameSession);
  return session === null || session === loc.sessionId;
}

export function decideAccess(c: ContainerRecord, actor: Actor, now: Date): AccessDecision {
  if (c.source_type === 'corpse' && corpsePhase(c, now) === 'decayed') {
    return deny(404, 'decayed', 'the corpse has decayed');
  }
  if (c.source_type === 'equipment') {
    if (c.owner_id !== actor.uuid && c.entity_id !== actor.uuid) return deny(403, 'not_owner', 'this container belongs to someone else');
    if (c.entity_id !== actor.uuid) return deny(403, 'not_equipped', 'equip the container to use it');
  } else if (!sameRoom(c, actor.location)) {
    return deny(403, 'not_in_room', 'you must be in the same room as the container');
  }
  if (c.allowed_roles.length > 0 && !c.allowed_roles.some((r) => actor.roles.includes(r))) {
    return deny(403, 'missing_role', `requires one of the roles: ${c.allowed_roles.join(', ')}`);
  }
  if (c.source_type === 'corpse' && corpsePhase(c, now) === 'grace' && c.owner_id !== actor.uuid) {
    return deny(403, 'grace_period', 'only its owner may loot this corpse during the grace period');
  }
  if (c.lock_state === 'locked') return deny(423, 'locked', 'the container is locked');
  if (c.lock_state === 'sealed') return deny(423, 'sealed', 'the container is sealed');
  return { allowed: true };
}
