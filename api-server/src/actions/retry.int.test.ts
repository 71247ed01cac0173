import { createDatabase } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

// An action's token grounds and its clientActionId's recorded answer are read in one round trip
// (actions/service.ts `grounds`), from outside: a real api-server, PostgreSQL and Redis.

let api: RunningServer;
let base: string;
let db: pg.Client;
let databaseUrl: string;

const start = () => startApi({ databaseUrl, redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: '1000', AUTH_FAILURES_PER_IP: '1000', AUTH_FAILURES_PER_ID: '1000' });

beforeAll(async () => {
  databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'action-retry');
  api = await start();
  base = api.url;
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await api?.stop();
});

const act = (token: string, characterId: string, clientActionId: string) =>
  http<{ actionId: string; accepted: boolean; code?: string }>(base, 'POST', '/api/actions', { token, body: { type: 'exploration.look', characterId, clientActionId } });

const recorded = async (characterId: string, clientActionId: string) =>
  (await db.query('SELECT id FROM actions WHERE character_id = $1 AND client_action_id = $2', [characterId, clientActionId])).rows.map((r) => r.id as string);

describe('an action sent again with its clientActionId', () => {
  it('gets the first answer back and is recorded once, sent again one after the other and all at once', async () => {
    const id = uniqueId('retry');
    const reg = await mintAndRegister(base, id);
    const first = await act(reg.characterToken, id, 'once');
    expect(first.status).toBe(200);
    const again = await act(reg.characterToken, id, 'once');
    expect(again.status).toBe(200);
    expect(again.body.actionId).toBe(first.body.actionId);

    const together = await Promise.all(Array.from({ length: 8 }, () => act(reg.characterToken, id, 'together')));
    expect(together.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(together.map((r) => r.body.actionId)).size).toBe(1);

    expect(await recorded(id, 'once')).toEqual([first.body.actionId]);
    expect(await recorded(id, 'together')).toEqual([together[0]!.body.actionId]);
  });

  it('gets the first answer back after a restart, when the session in memory never saw the first copy', async () => {
    const id = uniqueId('restart');
    const reg = await mintAndRegister(base, id);
    const first = await act(reg.characterToken, id, 'before-restart');
    expect(first.status).toBe(200);
    await api.stop();
    api = await start();
    base = api.url;
    // The first action after the restart loads the session; the copy after it finds the
    // session held, so its recorded answer is read beside its grounds and trusted.
    expect((await act(reg.characterToken, id, 'loads-the-session')).status).toBe(200);
    const again = await act(reg.characterToken, id, 'before-restart');
    expect(again.status).toBe(200);
    expect(again.body.actionId).toBe(first.body.actionId);
    expect(await recorded(id, 'before-restart')).toEqual([first.body.actionId]);
  });

  it('is refused once the key is revoked, though its answer is recorded: the grounds read beside it still decide', async () => {
    const id = uniqueId('revoked');
    const reg = await mintAndRegister(base, id);
    expect((await act(reg.characterToken, id, 'before')).status).toBe(200);
    expect((await http(base, 'DELETE', `/api/registry/keys/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const after = await act(reg.characterToken, id, 'before');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('registry.key_revoked');
  });
});
