import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';
import type { DungeonMasterEngine } from './dungeon-master-engine.ts';

// Group commit against the real store: many concurrent actions of one session are stored in
// fewer writes than entries (entries of one write share its transaction's `recorded_at`), the log
// has no gap, every answered action has its record once, the batches that hold a snapshot go
// through the transaction path, and the stored log replays to the state in memory.

let api: RunningServer;
beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'groupcommit'), redisUrl: inject('redisUrl'), RATE_LIMIT_POINTS: '100000', DUNGEON_SEED: '4' });
});
afterAll(async () => {
  await api?.stop();
});

describe('group commit of a session log', () => {
  it('stores concurrent actions of one session together, each once, in order, replayable', async () => {
    const engine = api.context.engine as DungeonMasterEngine;
    const sessionId = uniqueId('gc');
    expect((await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: sessionId } })).status).toBe(201);
    const ids = [uniqueId('gc-a'), uniqueId('gc-b'), uniqueId('gc-c')];
    const tokens: string[] = [];
    for (const id of ids) tokens.push((await mintAndRegister(api.url, id, { sessionId })).characterToken);

    const answers = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        http<{ actionId: string; accepted: boolean }>(api.url, 'POST', '/api/actions', { token: tokens[i % 3], body: { type: 'exploration.look', characterId: ids[i % 3] } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));

    const db = api.context.db;
    const log = await db.query<{ seq: number; recorded_at: Date }>('SELECT seq, recorded_at FROM game_session_log WHERE session_id = $1 ORDER BY seq', [sessionId]);
    expect(log.rows.map((r) => r.seq)).toEqual(log.rows.map((_, i) => i));
    const writes = new Set(log.rows.map((r) => r.recorded_at.getTime())).size;
    expect(writes).toBeLessThan(log.rows.length);
    console.log(`[group-commit] ${log.rows.length} log entries in ${writes} writes`);

    const ids90 = answers.map((a) => a.body.actionId);
    const recorded = await db.query<{ id: string }>('SELECT id FROM actions WHERE id = ANY($1::uuid[])', [ids90]);
    expect(recorded.rows).toHaveLength(90);
    const snapshots = await db.query<{ seq: number }>('SELECT seq FROM game_session_snapshots WHERE session_id = $1', [sessionId]);
    expect(snapshots.rows.length).toBeGreaterThan(0);

    const before = engine.dm.session(sessionId)!.state;
    engine.dm.forget(sessionId);
    expect(await engine.dm.load(sessionId)).toEqual(before);
  });
});
