import { createDatabase, eventually, startRedis, type RedisServer } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';
import { RELAY_LOCK } from './publisher-relay.ts';

// Applied if and only if reported (issue 11), on real servers: this suite owns its Redis, so it
// can kill it in the middle of a burst of actions.

interface Envelope {
  id: string;
  type: string;
  sessionId: string;
  version?: number;
  data: Record<string, unknown>;
}

let redis: RedisServer;
let api: RunningServer;
let db: pg.Pool;
let sub: Redis;
const heard: Envelope[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'outbox');
  api = await startApi({ databaseUrl, redisUrl: redis.url, RATE_LIMIT_POINTS: '100000', DUNGEON_TURN_TIMEOUT_MS: '300', DUNGEON_SEED: '7' });
  db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  // Reconnects at once after the restart (and re-subscribes), so it is listening before the relay publishes.
  sub = new Redis(redis.url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
  sub.on('error', () => undefined);
  sub.on('pmessage', (_p: string, _channel: string, message: string) => heard.push(JSON.parse(message) as Envelope));
  await sub.psubscribe('session:*', 'character:*');
});

afterAll(async () => {
  sub?.disconnect();
  await api?.stop();
  await db?.end();
  await redis?.destroy();
});

type Answer = { status: number; body: { actionId?: string; accepted?: boolean; code?: string } };

async function act(token: string, body: Record<string, unknown>): Promise<Answer> {
  return http(api.url, 'POST', '/api/actions', { token, body });
}

/** Until the subscriber hears a marker published now: it is subscribed again after a restart. */
async function subscriberListening(sessionId: string): Promise<void> {
  const probe = new Redis(redis.url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
  probe.on('error', () => undefined);
  try {
    const marker = uniqueId('marker');
    await eventually('the subscriber to listen again', async () => {
      await probe.publish(`session:${sessionId}:system`, JSON.stringify({ id: marker, type: 'test.marker', sessionId, data: {} }));
      return heard.some((e) => e.id === marker);
    });
  } finally {
    probe.disconnect();
  }
}

async function pendingOutbox(): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM event_outbox WHERE published_at IS NULL');
  return Number(rows[0]!.n);
}

describe('the transactional outbox', () => {
  it('Redis killed during a burst: every accepted action’s events arrive once after it returns, nothing of a refused one; retries apply once', async () => {
    const fighterId = uniqueId('fighter');
    const bardId = uniqueId('bard');
    const fighter = await mintAndRegister(api.url, fighterId);
    const bard = await mintAndRegister(api.url, bardId, { name: 'Lark', class: 'bard' });
    const sessionId = fighter.sessionId;
    expect(bard.sessionId).toBe(sessionId);

    // The fighter walks into the ossuary and never answers its turns: its clock keeps firing
    // (a timeout log entry each time), with or without Redis.
    for (const direction of ['north', 'east']) expect((await act(fighter.characterToken, { type: 'exploration.move', characterId: fighterId, direction })).status).toBe(200);
    await eventually('the fight with the rats', () => heard.some((e) => e.sessionId === sessionId && e.type === 'combat.started'));

    const timeoutsLogged = async () => {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM game_session_log WHERE session_id = $1 AND command->>'kind' = 'timeout'`, [sessionId]);
      return Number(rows[0]!.n);
    };

    // The burst: the bard says 40 things, four at a time; Redis dies after the third round.
    const said = Array.from({ length: 40 }, (_, i) => ({ clientActionId: uniqueId(`say-${i}`), message: `verse number ${i}` }));
    const say = (s: (typeof said)[number]) => act(bard.characterToken, { type: 'social.say', characterId: bardId, ...s });
    const answers = new Map<string, Answer>();
    let timeoutsBefore = 0;
    for (let i = 0; i < said.length; i += 4) {
      const round = said.slice(i, i + 4);
      const inFlight = Promise.all(round.map(async (s) => answers.set(s.clientActionId, await say(s))));
      if (i === 12) {
        timeoutsBefore = await timeoutsLogged();
        await redis.stop();
      }
      await inFlight;
    }
    // While Redis is away the turn clock still runs and its entries wait in the outbox.
    await eventually('turn timeouts logged while Redis is down', async () => (await timeoutsLogged()) >= timeoutsBefore + 2);
    const pendingDuringOutage = await pendingOutbox();
    expect(pendingDuringOutage).toBeGreaterThan(0);

    // Redis returns. The relay is held back (its lock taken, as a busy replica would) until the
    // subscriber listens again: nothing it publishes can then be missed.
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK]);
      await redis.start();
      await subscriberListening(sessionId);
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    await eventually('the outbox to drain', async () => (await pendingOutbox()) === 0);

    const ok = said.filter((s) => answers.get(s.clientActionId)!.status === 200);
    const refused = said.filter((s) => answers.get(s.clientActionId)!.status !== 200);
    expect(ok.length).toBeGreaterThanOrEqual(12);
    expect(refused.length).toBeGreaterThan(0);
    for (const s of refused) expect(answers.get(s.clientActionId)!.status).toBe(503);

    // Every event the session wrote reached the subscriber exactly once, outage or not.
    const { rows: outbox } = await db.query<{ event_id: string }>('SELECT event_id FROM event_outbox WHERE session_id = $1', [sessionId]);
    const heardIds = heard.filter((e) => e.sessionId === sessionId && e.type !== 'test.marker').map((e) => e.id);
    for (const row of outbox) expect(heardIds.filter((id) => id === row.event_id)).toHaveLength(1);
    expect(new Set(heardIds).size).toBe(heardIds.length);

    // Accepted: recorded once, and its event heard once. Refused (503): neither.
    const { rows: recorded } = await db.query<{ id: string; client_action_id: string }>('SELECT id, client_action_id FROM actions WHERE character_id = $1', [bardId]);
    for (const s of ok) {
      const actionId = answers.get(s.clientActionId)!.body.actionId!;
      expect(recorded.filter((r) => r.client_action_id === s.clientActionId).map((r) => r.id)).toEqual([actionId]);
      expect(heard.filter((e) => e.type === 'social.say' && e.data.actionId === actionId)).toHaveLength(1);
    }
    for (const s of refused) {
      expect(recorded.filter((r) => r.client_action_id === s.clientActionId)).toHaveLength(0);
      expect(heard.filter((e) => e.type === 'social.say' && e.data.message === s.message)).toHaveLength(0);
    }
    // The timeouts logged during the outage were heard after it, once each.
    const { rows: timeouts } = await db.query<{ events: { type: string; version?: number }[] }>(
      `SELECT events FROM game_session_log WHERE session_id = $1 AND command->>'kind' = 'timeout' ORDER BY seq`,
      [sessionId],
    );
    for (const t of timeouts) {
      for (const e of t.events.filter((x) => x.version !== undefined)) {
        expect(heard.filter((h) => h.sessionId === sessionId && h.type === e.type && h.version === e.version)).toHaveLength(1);
      }
    }

    // Every request tried again with its clientActionId: the accepted ones get their first
    // answer back and are not applied again; the refused ones are applied now, once.
    for (const s of said) {
      const again = await say(s);
      expect(again.status).toBe(200);
      const first = answers.get(s.clientActionId)!;
      if (first.status === 200) expect(again.body).toEqual(first.body);
    }
    const { rows: entries } = await db.query<{ id: string; n: string }>(
      `SELECT command->'action'->>'clientActionId' AS id, count(*) AS n FROM game_session_log
       WHERE session_id = $1 AND command->>'kind' = 'action' AND command->'action'->>'characterId' = $2 GROUP BY 1`,
      [sessionId, bardId],
    );
    expect(entries).toHaveLength(said.length);
    for (const e of entries) expect(Number(e.n)).toBe(1);
    const { rows: counted } = await db.query<{ n: string }>('SELECT count(*) AS n FROM actions WHERE character_id = $1', [bardId]);
    expect(Number(counted[0]!.n)).toBe(said.length);
  });

  it('an action whose transaction rolls back is neither applied nor heard, and the session plays on', async () => {
    const id = uniqueId('doomed');
    const me = await mintAndRegister(api.url, id, { name: 'Lark', class: 'bard' });
    // A real failure inside the action's transaction, after its log entry was written.
    await db.query(`CREATE OR REPLACE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.client_action_id LIKE 'doomed-%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER refuse_doomed BEFORE INSERT ON actions FOR EACH ROW EXECUTE FUNCTION refuse_doomed()');
    try {
      const mine = async () =>
        (await db.query(`SELECT 1 FROM game_session_log WHERE session_id = $1 AND command->>'kind' = 'action' AND command->'action'->>'characterId' = $2`, [me.sessionId, id])).rowCount;
      const failed = await act(me.characterToken, { type: 'social.say', characterId: id, clientActionId: uniqueId('doomed'), message: 'words never heard' });
      expect(failed.status).toBe(500);
      expect(await mine()).toBe(0);

      // The next action is applied and heard; the refused one never was.
      const next = await act(me.characterToken, { type: 'social.say', characterId: id, clientActionId: uniqueId('fine'), message: 'words heard' });
      expect(next.status).toBe(200);
      expect(await mine()).toBe(1);
      await eventually('the next action heard', () => heard.some((e) => e.data.actionId === next.body.actionId));
      expect(heard.filter((e) => e.data.message === 'words never heard')).toHaveLength(0);
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM event_outbox WHERE envelope->'data'->>'message' = 'words never heard'`);
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await db.query('DROP TRIGGER refuse_doomed ON actions');
    }
  });
});
