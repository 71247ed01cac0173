import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase } from '@distributed-dungeon/testkit';
import { expect } from 'vitest';
import type { WorldInput } from '../src/game/index.ts';
import type { RunningServer } from '../src/server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from './harness.ts';

// A real api-server playing a small world of a suite's own: the world file goes into a folder
// in /tmp (DUNGEON_WORLDS_DIR), the database is the suite's own, the seed fixed, and characters
// join sessions of that world and act over HTTP as a character process would.

export interface Player {
  id: string;
  token: string;
  sessionId: string;
}

export interface WorldPlay {
  api: RunningServer;
  /** A new session of the world. */
  newSession(): Promise<string>;
  /** A character of this class registered into the session. */
  join(sessionId: string, cls?: string): Promise<Player>;
  /** The action's answer (HTTP 200 asserted; refusals are answers too). */
  act(p: Player, action: Record<string, unknown>): Promise<{ accepted: boolean; reason?: string }>;
  /** The container API id of a room's own container (its chest) in a session. */
  roomContainer(sessionId: string, roomId: string): Promise<string>;
  stop(): Promise<void>;
}

export async function playWorld(world: WorldInput, opts: { postgresAdminUrl: string; redisUrl: string; seed: number }): Promise<WorldPlay> {
  const worldsDir = await mkdtemp(path.join(tmpdir(), `dungeon-${world.id}-it-`));
  await writeFile(path.join(worldsDir, `${world.id}.json`), JSON.stringify(world));
  const api = await startApi({
    databaseUrl: await createDatabase(opts.postgresAdminUrl, world.id.replace(/-/g, '_')),
    redisUrl: opts.redisUrl,
    RATE_LIMIT_POINTS: '100000',
    DUNGEON_SEED: String(opts.seed),
    DUNGEON_WORLDS_DIR: worldsDir,
  });
  return {
    api,
    async newSession() {
      const id = uniqueId(world.id);
      expect((await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id, worldId: world.id } })).status).toBe(201);
      return id;
    },
    async join(sessionId, cls = 'fighter') {
      const id = uniqueId(cls);
      const reg = await mintAndRegister(api.url, id, { sessionId, class: cls, name: `A ${cls}` });
      return { id, token: reg.characterToken, sessionId };
    },
    async act(p, action) {
      const res = await http<{ accepted: boolean; reason?: string }>(api.url, 'POST', '/api/actions', { token: p.token, body: { characterId: p.id, ...action } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    async roomContainer(sessionId, roomId) {
      const { rows } = await api.context.db.query<{ id: string }>(
        `SELECT container_instance_id AS id FROM containers WHERE room_id = $1 AND metadata->>'kind' = 'room' AND metadata->>'game_session' = $2`,
        [roomId, sessionId],
      );
      if (!rows[0]) throw new Error(`no container in room ${roomId} of session ${sessionId}`);
      return rows[0].id;
    },
    stop: () => api.stop(),
  };
}
