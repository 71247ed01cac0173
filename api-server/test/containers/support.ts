// Shared by the container tests and the benchmark: a real database with the real migrations, a
// real Redis event bus seen through the core's publisher, a controllable clock, and a plain map
// standing in for the game engine's knowledge of who stands where.
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import type { ContainerEvent } from '@distributed-dungeon/contracts';
import { eventually } from '@distributed-dungeon/testkit';
import { migrate } from '../../src/db/migrate.ts';
import { EventPublisher as CoreEventPublisher } from '../../src/events/publisher.ts';
import { coreEventPublisher } from '../../src/containers/adapters.ts';
import type { ActorFacts, CharacterDirectory, CharacterLocation, Clock, ContainerEventPort } from '../../src/containers/ports.ts';

export async function migratedPool(databaseUrl: string, max = 20): Promise<pg.Pool> {
  await migrate(databaseUrl, pino({ level: 'silent' }));
  return new pg.Pool({ connectionString: databaseUrl, max });
}

export class ManualClock implements Clock {
  #t: number;
  constructor(start = Date.parse('2030-01-01T12:00:00Z')) {
    this.#t = start;
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(seconds: number): void {
    this.#t += seconds * 1000;
  }
}

export class MapDirectory implements CharacterDirectory {
  readonly locations = new Map<string, CharacterLocation>();
  readonly roles = new Map<string, string[]>();
  /** Characters the game says are dead, and those in a fight in their room. */
  readonly dead = new Set<string>();
  readonly fighting = new Set<string>();
  /** How many times each character was looked up (one per request is the rule). */
  readonly lookups = new Map<string, number>();
  place(characterId: string, sessionId: string, roomId: string, roles: string[] = []): void {
    this.locations.set(characterId, { sessionId, roomId });
    this.roles.set(characterId, roles);
  }
  async lookup(characterId: string): Promise<ActorFacts> {
    this.lookups.set(characterId, (this.lookups.get(characterId) ?? 0) + 1);
    return {
      characterId,
      name: await this.nameOf(characterId),
      roles: await this.rolesOf(characterId),
      location: await this.locationOf(characterId),
      alive: !this.dead.has(characterId),
      inCombat: this.fighting.has(characterId),
    };
  }
  async locationOf(characterId: string): Promise<CharacterLocation | null> {
    return this.locations.get(characterId) ?? null;
  }
  async rolesOf(characterId: string): Promise<readonly string[]> {
    return this.roles.get(characterId) ?? [];
  }
  async nameOf(characterId: string): Promise<string | null> {
    return `Hero ${characterId}`;
  }
  async charactersInRoom(sessionId: string, roomId: string): Promise<readonly string[]> {
    return [...this.locations].filter(([, l]) => l.sessionId === sessionId && l.roomId === roomId).map(([id]) => id);
  }
}

export interface BusEvent {
  channel: string;
  type: string;
  sessionId: string;
  data: Record<string, unknown>;
}

/** The core publisher on a real Redis, plus a subscriber that records everything published. */
export async function redisBus(redisUrl: string, directory: CharacterDirectory): Promise<{
  publisher: ContainerEventPort;
  events: BusEvent[];
  waitFor(pred: (e: BusEvent) => boolean, timeoutMs?: number): Promise<BusEvent>;
  close(): Promise<void>;
}> {
  const cmd = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  const events: BusEvent[] = [];
  await sub.psubscribe('session:*', 'character:*');
  sub.on('pmessage', (_p: string, channel: string, message: string) => {
    const env = JSON.parse(message) as { type: string; sessionId: string; data: Record<string, unknown> };
    events.push({ channel, type: env.type, sessionId: env.sessionId, data: env.data });
  });
  const publisher = coreEventPublisher(new CoreEventPublisher(cmd), directory);
  return {
    publisher,
    events,
    waitFor(pred, timeoutMs = 5000) {
      return eventually('the event on the bus', () => {
        const hit = events.find(pred);
        if (!hit) throw new Error(`got ${events.map((e) => e.type).join(', ') || 'nothing'}`);
        return hit;
      }, timeoutMs, 20);
    },
    async close() {
      sub.disconnect();
      cmd.disconnect();
    },
  };
}

/** Discards events; for the benchmark, which measures the database path. */
export const discardPublisher: ContainerEventPort = {
  async publishToCharacter(_c: string, _e: ContainerEvent) {},
  async publishToRoom(_s: string, _r: string, _e: ContainerEvent) {},
};

/** Total quantity per item id over every container and inventory. */
export async function itemTotals(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ item_id: string; total: string }>(
    `SELECT s->>'item_id' AS item_id, SUM((s->>'quantity')::bigint) AS total FROM (
       SELECT jsonb_array_elements(items) AS s FROM containers
       UNION ALL SELECT jsonb_array_elements(items) FROM character_inventories) x
     GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.item_id, Number(r.total)]));
}

/**
 * A character token from a running api-server: a key minted by the admin, then a registration
 * into `sessionId`, as the operator and the runtime would (a token holds only while registered).
 */
export async function registeredToken(baseUrl: string, adminToken: string, characterId: string, sessionId: string): Promise<string> {
  const capabilities = ['combat', 'exploration', 'social'];
  const mint = await fetch(`${baseUrl}/api/registry/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ characterId, spec: { displayName: characterId, class: 'rogue', level: 3, capabilities } }),
  });
  if (!mint.ok) throw new Error(`mint ${characterId}: ${mint.status} ${await mint.text()}`);
  const { apiKey } = (await mint.json()) as { apiKey: string };
  const res = await fetch(`${baseUrl}/api/registry/character`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ characterId, name: characterId, class: 'rogue', level: 3, containerEndpoint: 'http://c:3000', capabilities, version: '1.0.0', sessionId }),
  });
  if (!res.ok) throw new Error(`register ${characterId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { characterToken: string }).characterToken;
}

/** Everything published on the bus, by channel, from the moment it is started. */
export async function busRecorder(redisUrl: string): Promise<{ events: BusEvent[]; close(): void }> {
  const sub = new Redis(redisUrl);
  const events: BusEvent[] = [];
  await sub.psubscribe('session:*', 'character:*', 'gm:*');
  sub.on('pmessage', (_p: string, channel: string, message: string) => {
    const env = JSON.parse(message) as { type: string; sessionId: string; data: Record<string, unknown> };
    events.push({ channel, type: env.type, sessionId: env.sessionId, data: env.data });
  });
  return { events, close: () => sub.disconnect() };
}
