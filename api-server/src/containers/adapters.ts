// Implementations of the ports on top of the api-server core: its event publisher (Redis, with
// the session envelope), its `characters` table and game engine for who is where and who is in a room,
// and a Redis rate limiter with the seed's own budget (20 requests / 60 s per character).
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GameEngine } from '../engine/game-engine.ts';
import type { EventSink } from '../events/publisher.ts';
import { appError } from '../http/errors.ts';
import type { Queryable } from './db.ts';
import { charactersInRoomOfView, factsFromCharacterView } from './engine-view.ts';
import type { ActorFacts, CharacterDirectory, CharacterLocation, ContainerLogger, ContainerEventPort } from './ports.ts';
import { silentLogger } from './ports.ts';

export const CONTAINER_RATE_LIMIT = { points: 20, windowSeconds: 60 } as const;

/**
 * Private events go to `character:{id}`. Room events go to the characters in that room only, each
 * on its private channel, with `room_id` added to the data: a character elsewhere in the session
 * hears nothing of a chest it cannot see. A private event without a known session is dropped
 * with a warning.
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
      const present = await directory.charactersInRoom(sessionId, roomId);
      const data = { ...event.data, room_id: roomId };
      // One copy per character in the room, and one for the game masters watching the session
      // (who follow every room), written and sent together: one round trip, not one per copy.
      await events.publishMany(sessionId, [
        ...[...new Set(present)].map((characterId) => ({ type: event.type, data: { ...data }, topic: 'exploration' as const, characterId })),
        { type: event.type, data, topic: 'exploration', audience: 'game-master' },
      ]);
    },
  };
}

interface CharacterRow {
  name: string;
  class: string;
  capabilities: string[];
  session_id: string | null;
}

/**
 * Names and roles from the registry's `characters` table (roles = class + capabilities), the
 * session from the same row, the room, life and fights from the game engine's view of the
 * character (served by the session's owner). `lookup` reads the row once per request.
 */
export function engineCharacterDirectory(db: Queryable, engine: Pick<GameEngine, 'getState'>): CharacterDirectory {
  const row = async (characterId: string): Promise<CharacterRow | undefined> => {
    const { rows } = await db.query<CharacterRow>(
      `SELECT name, class, capabilities, session_id FROM characters WHERE character_id = $1 AND status = 'registered'`,
      [characterId],
    );
    return rows[0];
  };
  const viewFacts = async (sessionId: string | null | undefined, characterId: string) => {
    if (!sessionId) return factsFromCharacterView('', null);
    const view = await engine.getState(sessionId, characterId).catch(() => null);
    return factsFromCharacterView(sessionId, view);
  };
  return {
    async lookup(characterId): Promise<ActorFacts> {
      const r = await row(characterId);
      const facts = await viewFacts(r?.session_id, characterId);
      return { characterId, name: r?.name ?? null, roles: r ? [r.class, ...r.capabilities] : [], ...facts };
    },
    async locationOf(characterId): Promise<CharacterLocation | null> {
      return (await viewFacts((await row(characterId))?.session_id, characterId)).location;
    },
    async rolesOf(characterId) {
      const r = await row(characterId);
      return r ? [r.class, ...r.capabilities] : [];
    },
    async nameOf(characterId) {
      return (await row(characterId))?.name ?? null;
    },
    async charactersInRoom(sessionId, roomId) {
      // A session the engine cannot show (unknown, owner away) has no one to tell.
      const view = await engine.getState(sessionId).catch(() => null);
      return charactersInRoomOfView(view, roomId);
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
