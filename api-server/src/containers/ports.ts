// The seams through which the container system plugs into the rest of the api-server. The core
// (app.ts, auth, event publisher, world state) provides implementations; tests provide real ones
// backed by Redis or plain objects for the game state that the core owns.
import type { ContainerEvent } from '@distributed-dungeon/contracts';

/**
 * Where the container system sends its events: the core's event bus (adapters.ts) in the server,
 * a plain object in tests. A port of this module, not the event bus itself (events/publisher.ts).
 */
export interface ContainerEventPort {
  /**
   * Private event, e.g. `container.opened` to the opener (channel `character:{id}`); `sessionId`
   * is the character's session when the caller knows it.
   */
  publishToCharacter(characterId: string, event: ContainerEvent, sessionId?: string): Promise<void>;
  /**
   * Room broadcast, e.g. `container.updated`/`closed`/`decayed`: to the characters in the room
   * only, each on its private channel.
   */
  publishToRoom(sessionId: string, roomId: string, event: ContainerEvent): Promise<void>;
}

/** Injectable time source: corpse grace and decay, token expiry and audit timestamps use it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface CharacterLocation {
  sessionId: string;
  roomId: string;
}

/**
 * One character as a container request needs it, read once per request: who it is (name and
 * roles, from the registry), where it stands and whether it may loot now (alive, no fight in its
 * room; from the game engine, which owns these facts in the session owner's memory).
 */
export interface ActorFacts {
  characterId: string;
  name: string | null;
  roles: readonly string[];
  location: CharacterLocation | null;
  /** False only when the game says the character is dead (unknown counts as alive). */
  alive: boolean;
  /** A fight is going on in the character's room. */
  inCombat: boolean;
}

/** What the game state knows about a character; the Dungeon Master owns the answers. */
export interface CharacterDirectory extends RoomPresence {
  /** Everything a request needs about its actor, in one lookup. */
  lookup(characterId: string): Promise<ActorFacts>;
  /** Where the character stands, or null when it is in no session. */
  locationOf(characterId: string): Promise<CharacterLocation | null>;
  /** Roles checked against a container's `allowed_roles` (e.g. its class, "gm"). */
  rolesOf(characterId: string): Promise<readonly string[]>;
  /** Display name for the audit trail. */
  nameOf(characterId: string): Promise<string | null>;
}

/**
 * Who is in a room of a session: the recipients of that room's container events (each hears them
 * on its private `character:{id}` channel, so characters elsewhere in the session hear nothing).
 */
export interface RoomPresence {
  charactersInRoom(sessionId: string, roomId: string): Promise<readonly string[]>;
}

interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the next request would be allowed (for Retry-After). */
  retryAfterSeconds: number;
  remaining: number;
}

/** 20 requests / 60 s per character on the container endpoints (seed 004). */
export interface ContainerRateLimiter {
  consume(characterId: string): Promise<RateLimitDecision>;
}

/** Minimal structured logger (pino satisfies it). */
export interface ContainerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ContainerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
