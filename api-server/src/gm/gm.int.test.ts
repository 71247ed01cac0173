import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { pino } from 'pino';
import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { loadConfig } from '../config/config.ts';
import { createContainer } from '../containers/persistence.ts';
import { busRecorder, migratedPool, registeredToken, type BusEvent } from '../../test/containers/support.ts';
import { start, type RunningServer } from '../server.ts';

// The game master's tools against the real api-server with its default modules and engine (the
// Dungeon Master on PostgreSQL): the characters really join the session, stand in its entrance,
// and the container API asks the engine where they are.
const ADMIN = 'admin-token-for-tests-0123456789';
const run = randomUUID().slice(0, 6);
const S = `gm-${run}`;
const [ANN, BOB] = [`ann-${run}`, `bob-${run}`];
let server: RunningServer;
let pool: pg.Pool;
let bus: { events: BusEvent[]; close(): void };
const tokens: Record<string, string> = {};
let chestId: string;
let entrance: string;

async function call(method: 'GET' | 'POST', path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const gm = (path: string) => call('GET', `/api/gm${path}`, ADMIN);
type Entry = { id: number; actor_id: string | null; resource_id: string | null; session_id: string | null; operation: string; outcome: string; occurred_at: string };
const items = (r: { body: Record<string, unknown> }) => r.body.items as Entry[];

beforeAll(async () => {
  const url = await createDatabase(inject('postgresAdminUrl'), 'gm_tools');
  const config = loadConfig({ DATABASE_URL: url, REDIS_URL: inject('redisUrl'), DUNGEON_ADMIN_TOKEN: ADMIN, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  server = await start(config, { logger: pino({ level: 'silent' }) });
  pool = await migratedPool(url, 4);
  bus = await busRecorder(inject('redisUrl'));
  expect((await call('POST', '/api/sessions', ADMIN, { id: S, capacity: 10 })).status).toBe(201);
  for (const id of [ANN, BOB]) tokens[id] = await registeredToken(server.url, ADMIN, id, S);
  const state = await call('GET', `/api/sessions/${S}/state`, tokens[ANN]);
  entrance = (state.body.gameState as { me: { roomId: string } }).me.roomId;
  const chest = await createContainer(pool, {
    source_type: 'environment',
    room_id: entrance,
    capacity_slots: 5,
    items: [{ item_id: 'gm-gold', item_name: 'Gold', quantity: 9 }],
    metadata: { game_session: S, name: 'GM test chest' },
  });
  chestId = chest.container_id;
  // Ann opens and takes twice; Bob opens; Ann asks for more than there is (a refusal).
  const open = await call('POST', '/api/containers/open', tokens[ANN], { container_id: chestId });
  expect(open.status, JSON.stringify(open.body)).toBe(200);
  const take = (key: string, quantity: number) =>
    call('POST', '/api/containers/transfer', tokens[ANN], { container_id: chestId, mutation_token: open.body.mutation_token, idempotency_key: key, direction: 'to_player', item_id: 'gm-gold', quantity });
  expect((await take(`a-${run}`, 2)).status).toBe(200);
  expect((await take(`b-${run}`, 3)).status).toBe(200);
  expect((await call('POST', '/api/containers/open', tokens[BOB], { container_id: chestId })).status).toBe(200);
  expect((await take(`c-${run}`, 50)).status).toBe(409);
}, 120_000);
afterAll(async () => {
  bus?.close();
  await server?.stop();
  await pool?.end();
});

describe('GET /api/gm/audit', () => {
  it('filters by character, container, session, action, outcome and time range', async () => {
    const ann = items(await gm(`/audit?character=${ANN}`));
    expect(ann.map((e) => `${e.operation}/${e.outcome}`)).toEqual(['transfer/denied', 'transfer/success', 'transfer/success', 'open/success']);
    expect(ann.every((e) => e.actor_id === ANN && e.session_id === S)).toBe(true);

    const chest = items(await gm(`/audit?container=${chestId}`));
    expect(new Set(chest.map((e) => e.actor_id))).toEqual(new Set([ANN, BOB]));
    expect(chest.every((e) => e.resource_id === chestId)).toBe(true);

    const session = items(await gm(`/audit?session=${S}&action=open`));
    expect(session.map((e) => e.actor_id).sort()).toEqual([ANN, BOB].sort());
    expect(items(await gm(`/audit?session=${S}&action=transfer&outcome=denied`)).map((e) => e.actor_id)).toEqual([ANN]);
    expect(items(await gm(`/audit?session=other-${run}`))).toEqual([]);

    // [from, to): the window around Ann's two successful transfers.
    const [, second, first] = ann;
    const windowed = items(await gm(`/audit?character=${ANN}&from=${encodeURIComponent(first!.occurred_at)}&to=${encodeURIComponent(new Date(Date.parse(second!.occurred_at) + 1).toISOString())}`));
    expect(windowed.map((e) => e.id).sort()).toEqual([first!.id, second!.id].sort());
  });

  it('pages newest first by cursor: every entry once, in order', async () => {
    const all = items(await gm(`/audit?session=${S}&limit=500`));
    expect(all.length).toBeGreaterThanOrEqual(5);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Record<string, unknown> } = await gm(`/audit?session=${S}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(items(page).length).toBeLessThanOrEqual(2);
      seen.push(...items(page).map((e) => e.id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('refuses bad filters with 400 naming the parameter, and anyone but the game master with 401', async () => {
    const bad = await gm('/audit?action=steal');
    expect([bad.status, bad.body.code]).toEqual([400, 'request.invalid']);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toContain('action');
    const cursor = await gm('/audit?cursor=bm90LWEtY3Vyc29y');
    expect([cursor.status, (cursor.body.errors as { path: string }[])[0]!.path]).toEqual([400, 'cursor']);
    expect((await gm('/audit?from=yesterday')).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ t: '-271821-04-20T00:00:00.000Z', i: 1 })).toString('base64url');
    expect((await gm(`/audit?cursor=${forged}`)).status).toBe(400);
    // The edges of what the parameters take still answer.
    expect((await gm('/audit?from=0000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z')).status).toBe(200);
    expect((await gm('/audit?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/gm/audit', tokens[ANN])).status).toBe(401);
    expect((await call('GET', '/api/gm/audit', undefined)).status).toBe(401);
  });
});

describe('containers of a session', () => {
  it("lists the session's containers with their kind and contents", async () => {
    const r = await gm(`/sessions/${S}/containers`);
    expect(r.status).toBe(200);
    const list = r.body.items as { container_id: string; kind: string; items: { quantity: number }[]; metadata: Record<string, unknown> }[];
    const mine = list.find((c) => c.container_id === chestId);
    expect(mine).toMatchObject({ kind: 'chest', room_id: entrance, items: [expect.objectContaining({ item_id: 'gm-gold', quantity: 4 })] });
    expect(list.every((c) => c.metadata.game_session === S)).toBe(true);
    expect((await gm(`/sessions/nope-${run}/containers`)).body.code).toBe('sessions.not_found');
  });

  it('inspects one: who has it open, its newest audit entries', async () => {
    const r = await gm(`/containers/${chestId}`);
    expect(r.status).toBe(200);
    expect((r.body.open_by as { character_id: string }[]).map((o) => o.character_id).sort()).toEqual([ANN, BOB].sort());
    expect((r.body.recent_audit as Entry[]).map((e) => e.operation)).toContain('transfer');
    expect((await gm(`/containers/${randomUUID()}`)).body.code).toBe('container.not_found');
    expect((await gm('/containers/not-a-uuid')).status).toBe(400);
  });
});

describe('POST /api/gm/sessions/{id}/close', () => {
  it('ends the session: closed, members told, their actions and container requests refused; again changes nothing', async () => {
    const look = { type: 'exploration.look', characterId: ANN };
    expect((await call('POST', '/api/actions', tokens[ANN], look)).body).toMatchObject({ accepted: true });
    const closed = await call('POST', `/api/gm/sessions/${S}/close`, ADMIN, { reason: 'the tavern closes' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id: S, status: 'closed' });
    const told = await eventually('system.session_closed on the session', () =>
      bus.events.find((e) => e.type === 'system.session_closed' && e.sessionId === S && e.channel.startsWith(`session:${S}:`)),
    );
    expect(told.data).toMatchObject({ sessionId: S, reason: 'the tavern closes', closedBy: 'game_master' });

    const act = await call('POST', '/api/actions', tokens[ANN], look);
    expect(act.status).toBe(200);
    expect(act.body).toMatchObject({ accepted: false, reason: expect.stringMatching(/^session_ended/) });
    // The game itself is over, with its own outcome: the sessions table and the game state agree.
    const state = await call('GET', `/api/sessions/${S}/state`, ADMIN, undefined);
    expect(state.body).toMatchObject({ session: { status: 'closed' }, gameState: { status: 'ended', outcome: 'closed' } });
    expect(told.data).toMatchObject({ outcome: 'closed', members: expect.arrayContaining([ANN, BOB]) });
    const open = await call('POST', '/api/containers/open', tokens[ANN], { container_id: chestId });
    expect([open.status, open.body.code]).toEqual([403, 'container.access_denied']);
    const rooms = await call('GET', `/api/characters/${BOB}/room/containers`, tokens[BOB]);
    expect(rooms.body).toMatchObject({ room_id: null, containers: [] });

    const again = await call('POST', `/api/gm/sessions/${S}/close`, ADMIN, {});
    expect(again.body).toMatchObject({ status: 'closed' });
    expect(bus.events.filter((e) => e.type === 'system.session_closed' && e.sessionId === S && e.channel.startsWith('session:'))).toHaveLength(1);
    expect((await call('POST', `/api/gm/sessions/nope-${run}/close`, ADMIN, {})).body.code).toBe('sessions.not_found');
    expect((await call('POST', `/api/gm/sessions/${S}/close`, ADMIN, { reason: 'x', extra: 1 })).status).toBe(400);
  });
});
