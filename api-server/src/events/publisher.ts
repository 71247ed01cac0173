import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { characterChannel, gameMasterChannel, sessionChannel, topicOfEventType, type EventEnvelope, type GameEvent, type SessionTopic } from '@distributed-dungeon/contracts';

/** An event as the game produces it (one definition, in the contracts); the publisher wraps it in the envelope. */
export type { GameEvent } from '@distributed-dungeon/contracts';

export interface EventSink {
  publish(sessionId: string, event: GameEvent): Promise<EventEnvelope>;
  /**
   * Several events of one session in one round trip (one outbox insert, one Redis pipeline), in
   * order: a room's copies of one event, a departure and what the game said about it.
   */
  publishMany(sessionId: string, events: readonly GameEvent[]): Promise<EventEnvelope[]>;
}

// The engine numbers its own state changes; the publisher only carries that number. The script
// publishes and raises the session's high-water mark (the newest version published, for
// `currentVersion`) in one step, so the mark never runs ahead of what subscribers were sent,
// whichever replica publishes. The envelope is sent without its closing brace and the script
// appends the version, avoiding a JSON round-trip in Lua.
export const PUBLISH_VERSIONED = `
local v = tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if v > current then redis.call('SET', KEYS[1], v) end
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ',"version":' .. v .. '}')
return v
`;

const SCRIPTED = new WeakSet<Redis>();

/**
 * A pipeline on which `publishVersioned` is the script by its SHA (EVALSHA, loaded once per
 * connection by ioredis, which falls back to EVAL on NOSCRIPT) rather than the whole script
 * sent with every event.
 */
export function versionedPipeline(redis: Redis): ChainableCommander & { publishVersioned(key: string, channel: string, body: string, version: string): unknown } {
  if (!SCRIPTED.has(redis)) {
    redis.defineCommand('publishVersioned', { numberOfKeys: 1, lua: PUBLISH_VERSIONED });
    SCRIPTED.add(redis);
  }
  return redis.pipeline() as ReturnType<typeof versionedPipeline>;
}

export function versionKey(sessionId: string): string {
  return `dungeon:session:${sessionId}:version`;
}

/** Where an event goes and the envelope it travels in (a fresh id: the one subscribers deduplicate by). */
export function addressed(sessionId: string, event: GameEvent): { topic: SessionTopic; channel: string; envelope: Omit<EventEnvelope, 'version'>; version: number | undefined } {
  const topic = event.topic ?? topicOfEventType(event.type);
  const channel = event.audience === 'game-master' ? gameMasterChannel(sessionId) : event.characterId ? characterChannel(event.characterId) : sessionChannel(sessionId, topic);
  const envelope = { id: randomUUID(), type: event.type, sessionId, timestamp: new Date().toISOString(), data: event.data };
  // A private event never carries a version: it is not part of the session's ordered stream.
  const version = event.characterId === undefined ? event.version : undefined;
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
    throw new TypeError(`event ${event.type}: version must be a non-negative integer, got ${String(version)}`);
  }
  return { topic, channel, envelope, version };
}

/** Publishes straight to Redis; the api-server's own events go through the outbox relay instead. */
export class EventPublisher implements EventSink {
  readonly #redis: Redis;
  readonly #onPublished: (topic: string) => void;
  constructor(redis: Redis, onPublished: (topic: string) => void = () => undefined) {
    this.#redis = redis;
    this.#onPublished = onPublished;
  }

  async publish(sessionId: string, event: GameEvent): Promise<EventEnvelope> {
    return (await this.publishMany(sessionId, [event]))[0]!;
  }

  async publishMany(sessionId: string, events: readonly GameEvent[]): Promise<EventEnvelope[]> {
    if (events.length === 0) return [];
    const sent = events.map((event) => ({ event, ...addressed(sessionId, event) }));
    const pipeline = versionedPipeline(this.#redis);
    for (const { channel, envelope, version } of sent) {
      if (version === undefined) pipeline.publish(channel, JSON.stringify(envelope));
      else pipeline.publishVersioned(versionKey(sessionId), channel, JSON.stringify(envelope).slice(0, -1), String(version));
    }
    // A pipeline answers each command; the first failure is this call's failure.
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    for (const { event, topic } of sent) this.#onPublished(event.characterId ? 'character' : topic);
    return sent.map(({ envelope, version }) => (version === undefined ? envelope : { ...envelope, version }));
  }

  /** The newest engine version published for a session (0 when none was yet). */
  async currentVersion(sessionId: string): Promise<number> {
    return Number((await this.#redis.get(versionKey(sessionId))) ?? 0);
  }
}
