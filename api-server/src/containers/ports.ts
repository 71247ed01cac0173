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
  /** Room broadcast, e.g. `container.updated`/`closed`/`decayed` to everyone in the room. */
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

/** What the game state knows about a character; the Dungeon Master owns the answers. */
export interface CharacterDirectory {
  /** Where the character stands, or null when it is in no session. */
  locationOf(characterId: string): Promise<CharacterLocation | null>;
  /** Roles checked against a container's `allowed_roles` (e.g. its class, "gm"). */
  rolesOf(characterId: string): Promise<readonly string[]>;
  /** Display name for the audit trail. */
  nameOf(characterId: string): Promise<string | null>;
}

export interface RateLimitDecision {
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
