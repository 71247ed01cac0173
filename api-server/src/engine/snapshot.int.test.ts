import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';
import type { DungeonMasterEngine } from './dungeon-master-engine.ts';

// A session restored from its snapshot in PostgreSQL must replay its tail exactly as it was
// played: the rules iterate the state's maps (characters, monsters) in insertion order, so the
// snapshot must keep the order of their keys, whatever their lengths.

let api: RunningServer;
beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'snapshot'), redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: '100000', DUNGEON_SEED: '3' });
});
afterAll(async () => {
  await api?.stop();
});

describe('session snapshots', () => {
  it('a session reloaded from its snapshot replays the later joins and actions as they were played', async () => {
    const engine = api.context.engine as DungeonMasterEngine;
    const sessionId = uniqueId('snap');
    expect((await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: sessionId } })).status).toBe(201);
    // Ids of different lengths, longest first: a store that sorts keys would change their order.
    const ids = [uniqueId('zz-very-long-character-name'), uniqueId('mid-name'), uniqueId('a')];
    const tokens: string[] = [];
    for (const id of ids.slice(0, 2)) tokens.push((await mintAndRegister(api.url, id, { sessionId })).characterToken);
    for (let i = 0; i < 24; i++) {
      const who = i % 2;
      expect((await http(api.url, 'POST', '/api/actions', { token: tokens[who], body: { type: 'exploration.look', characterId: ids[who] } })).status).toBe(200);
    }
    const { rows } = await api.context.db.query<{ seq: number }>('SELECT seq FROM game_session_snapshots WHERE session_id = $1', [sessionId]);
    expect(rows[0]!.seq).toBeGreaterThan(0);
    // After the snapshot: a join (it lists the party, in order) and more actions.
    tokens.push((await mintAndRegister(api.url, ids[2]!, { sessionId })).characterToken);
    expect((await http(api.url, 'POST', '/api/actions', { token: tokens[2], body: { type: 'exploration.move', characterId: ids[2], direction: 'north' } })).status).toBe(200);
    const before = engine.dm.session(sessionId)!.state;

    engine.dm.forget(sessionId);
    const restored = await engine.dm.load(sessionId);
    expect(restored).toEqual(before);
    expect(Object.keys(restored.characters)).toEqual(Object.keys(before.characters));
    expect((await http(api.url, 'POST', '/api/actions', { token: tokens[0], body: { type: 'exploration.look', characterId: ids[0] } })).status).toBe(200);
  });
});
