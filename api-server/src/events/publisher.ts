import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { characterChannel, sessionChannel, topicOfEventType, type EventEnvelope, type SessionTopic } from '@distributed-dungeon/contracts';

/** An event as the game produces it; the publisher wraps it in the envelope. */
export interface GameEvent {
  type: string;
  data: Record<string, unknown>;
  /** Defaults to the prefix of `type` (`combat.*` → combat), else system. */
  topic?: SessionTopic;
  /** When set, the event goes to this character's private channel instead of the session's. */
  characterId?: string;
}

export interface EventSink {
  publish(sessionId: string, event: GameEvent): Promise<EventEnvelope>;
}

// Versions are per session and increase by one per event. INCR and PUBLISH run in one script so
// the version order is the delivery order, whichever replica publishes. The envelope is sent
// without its closing brace and the script appends the version, avoiding a JSON round-trip in Lua.
const PUBLISH_SCRIPT = `
local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ',"version":' .. v .. '}')
return v
`;

export function versionKey(sessionId: string): string {
  return `dungeon:session:${sessionId}:version`;
}

export class EventPublisher implements EventSink {
  readonly #redis: Redis;
  readonly #onPublished: (topic: string) => void;
  constructor(redis: Redis, onPublished: (topic: string) => void = () => undefined) {
    this.#redis = redis;
    this.#onPublished = onPublished;
  }

  async publish(sessionId: string, event: GameEvent): Promise<EventEnvelope> {
    const topic = event.topic ?? topicOfEventType(event.type);
    const channel = event.characterId ? characterChannel(event.characterId) : sessionChannel(sessionId, topic);
    const envelope = { id: randomUUID(), type: event.type, sessionId, timestamp: new Date().toISOString(), data: event.data };
    const open = JSON.stringify(envelope).slice(0, -1);
    const version = Number(await this.#redis.eval(PUBLISH_SCRIPT, 1, versionKey(sessionId), channel, open));
    this.#onPublished(event.characterId ? 'character' : topic);
    return { ...envelope, version };
  }

  /** The latest version of a session's stream (0 when nothing was published yet). */
  async currentVersion(sessionId: string): Promise<number> {
    return Number((await this.#redis.get(versionKey(sessionId))) ?? 0);
  }
}
