import { z } from 'zod';

// The event bus (Redis pub/sub): one envelope on every channel. Session channels carry what
// everyone in the session sees; `character:{id}` carries what only that character sees.

export const SESSION_TOPICS = ['combat', 'exploration', 'social', 'system'] as const;
export const SessionTopic = z.enum(SESSION_TOPICS);
export type SessionTopic = z.infer<typeof SessionTopic>;

export function sessionChannel(sessionId: string, topic: SessionTopic): string {
  return `session:${sessionId}:${topic}`;
}

export function characterChannel(characterId: string): string {
  return `character:${characterId}`;
}

/**
 * What only the session's game masters watch: a copy of the events addressed to the characters
 * of one room (container events), so the game master's view follows every room. No character's
 * bus user is granted it (its grants are `characterChannels`).
 */
export function gameMasterChannel(sessionId: string): string {
  return `gm:${sessionId}`;
}

/** Every channel a character of this session may subscribe to, in a stable order. */
export function characterChannels(sessionId: string, characterId: string): string[] {
  return [...SESSION_TOPICS.map((t) => sessionChannel(sessionId, t)), characterChannel(characterId)];
}

/** The topic of an event type is its prefix (`combat.attack` → combat); the rest are system events. */
export function topicOfEventType(type: string): SessionTopic {
  const prefix = type.split('.')[0];
  return prefix === 'combat' || prefix === 'exploration' || prefix === 'social' ? prefix : 'system';
}

export const EVENT_TYPES = [
  // combat
  'combat.started',
  'combat.initiative',
  'combat.turn',
  'combat.attack',
  'combat.damage',
  'combat.healing',
  'combat.defend',
  'combat.cast',
  'combat.flee',
  'combat.death',
  'combat.ended',
  // exploration
  'exploration.moved',
  'exploration.look',
  'exploration.search',
  'exploration.discovery',
  'exploration.trap',
  // social
  'social.say',
  'social.talk',
  'social.npc_reply',
  // items (the rules, on the system topic; `container.*` here are the game's lock decisions, the
  // item-container service's own events are CONTAINER_EVENT_TYPES)
  'item.equipped',
  'item.unequipped',
  'item.used',
  'container.unlocked',
  'container.pick_lock',
  'container.unsealed',
  // system (each has a producer: the game's rules, the registry, the sessions and game-master
  // services; state_changed, action and notification had none and were dropped)
  'system.character_joined',
  'system.character_left',
  'system.session_created',
  'system.session_closed',
  'system.rest',
  'system.error',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/**
 * The envelope. `type` is a string rather than `EventType` so new kinds of event (item containers,
 * world-specific ones) do not break older subscribers; `version` increases by one per event of a
 * session, so a client can tell it missed some and reconcile from `GET /api/sessions/{id}/state`.
 */
export const EventEnvelope = z.object({
  id: z.string(),
  type: z.string().min(1),
  sessionId: z.string(),
  timestamp: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
  version: z.number().int().nonnegative().optional(),
});
export type EventEnvelope<D extends Record<string, unknown> = Record<string, unknown>> = Omit<z.infer<typeof EventEnvelope>, 'data'> & {
  data: D;
};

/**
 * An event as the game (or the platform) produces it, before the event bus wraps it in its
 * envelope (id, sessionId, timestamp): the Dungeon Master's rules return these, the session log
 * keeps them, the outbox carries them.
 */
export interface GameEvent {
  type: string;
  data: Record<string, unknown>;
  /** Defaults to the prefix of `type` (`combat.*` → combat), else system. */
  topic?: SessionTopic;
  /** When set, the event goes to this character's private channel instead of the session's. */
  characterId?: string;
  /** `game-master`: to the session's game-master channel only (see gameMasterChannel). */
  audience?: 'game-master';
  /**
   * The engine's state version after this event (authoritative, +1 per state change of the
   * session). Only engine events that change the session carry one; private events and the
   * platform's own notices (a character registered, a container was opened) do not.
   */
  version?: number;
}
