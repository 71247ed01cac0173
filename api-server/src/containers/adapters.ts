// Implementations of the ports on top of the api-server core: its event publisher (Redis, with
// the session envelope and version), its `characters` table and game engine for who is where,
// and a Redis rate limiter with the seed's own budget (20 requests / 60 s per character).
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GameEngine } from '../engine/game-engine.ts';
import type { EventSink } from '../events/publisher.ts';
import { appError } from '../http/errors.ts';
import type { Queryable } from './db.ts';
import type { CharacterDirectory, CharacterLocation, ContainerLogger, ContainerEventPort } from './ports.ts';
import { silentLogger } from './ports.ts';

export const CONTAINER_RATE_LIMIT = { points: 20, windowSeconds: 60 } as const;

/**
 * Room broadcasts go on the session's exploration channel with `room_id` added to the data (the
 * bus is per session; clients keep the events of their room). Private events go to
 * `character:{id}`. A private event without a known session is dropped with a warning.
 */
export function coreEventPublisher(events: EventSink, directory: CharacterDirectory, logger: ContainerLogger = silentLogger): ContainerEventPort {
  return {
    async publishToCharacter(characterId, event, sessionId) {
      const sid = sessionId ?? (await directory.locationOf(characterId))?.sessionId;
      if (!sid) {
        logger.warn({ characterId, type: event.type }, 'private container event dropped: character is in no session');
        return;
      }
      await events.publish(sid, { type: event.type, data: { ...event.data }, topic: 'exploration', characterId });
    },
    async publishToRoom(sessionId, roomId, event) {
      await events.publish(sessionId, { type: event.type, data: { ...event.data, room_id: roomId }, topic: 'exploration' });
    },
  };
}

/**
 * Names and roles from the registry's `characters` table (roles = class + capabilities), the
 * session from the same row, the room from the game engine's view of the character.
 */
export function engineCharacterDirectory(db: Queryable, engine: Pick<GameEngine, 'getState'>): CharacterDirectory {
  const row = async (characterId: string) => {
    const { rows } = await db.query<{ name: string; class: string; capabilities: string[]; session_id: string | null }>(
      `SELECT name, class, capabilities, session_id FROM characters WHERE character_id = $1 AND status = 'registered'`,
      [characterId],
    );
    return rows[0];
  };
  return {
    async locationOf(characterId): Promise<CharacterLocation | null> {
      const r = await row(characterId);
      if (!r?.session_id) return null;
      const view = (await engine.getState(r.session_id, characterId).catch(() => null)) as
        | { me?: { roomId?: unknown; alive?: unknown }; room?: { id?: unknown } }
        | null;
      const roomId = view?.me?.roomId ?? view?.room?.id;
      return typeof roomId === 'string' ? { sessionId: r.session_id, roomId } : null;
    },
    async rolesOf(characterId) {
      const r = await row(characterId);
      return r ? [r.class, ...r.capabilities] : [];
    },
    async nameOf(characterId) {
      return (await row(characterId))?.name ?? null;
    },
  };
}

/** The container endpoints' own budget in Redis: one count per character across replicas. */
export class ContainerRateLimiter {
  readonly #limiter: RateLimiterRedis;
  readonly #onLimited: (characterId: string) => void;
  constructor(redis: Redis, opts: { points?: number; windowSeconds?: number; onLimited?: (characterId: string) => void } = {}) {
    this.#limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'dungeon:rl:containers',
      points: opts.points ?? CONTAINER_RATE_LIMIT.points,
      duration: opts.windowSeconds ?? CONTAINER_RATE_LIMIT.windowSeconds,
      rejectIfRedisNotReady: true,
    });
    this.#onLimited = opts.onLimited ?? (() => undefined);
  }

  /** Spends one request; throws the catalogue's 429 (or 503 while Redis is away). */
  async consume(characterId: string): Promise<void> {
    try {
      await this.#limiter.consume(characterId);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        this.#onLimited(characterId);
        throw appError('rate_limited', `${characterId} is over its container request budget (${CONTAINER_RATE_LIMIT.points} per ${CONTAINER_RATE_LIMIT.windowSeconds}s)`, {
          retryAfter: Math.ceil(res.msBeforeNext / 1000),
        });
      }
      if (res instanceof Error && /not ready/i.test(res.message)) {
        throw appError('service_unavailable', 'Redis cannot be reached; try again shortly', { retryAfter: 1, cause: res });
      }
      throw res;
    }
  }
}
