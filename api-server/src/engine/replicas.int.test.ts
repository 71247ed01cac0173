import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, eventually, freePort, logTail, makeWorkdir, removeWorkdir, startProcess, type ManagedProcess } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { putInventory } from '../containers/inventory.ts';
import { createContainer } from '../containers/persistence.ts';
import { applyCommand, loadWorlds, waitingCharacters, type Command, type GameState } from '../game/index.ts';
import { ADMIN_TOKEN, SIGNING_KEYS, http, mintAndRegister, uniqueId } from '../../test/harness.ts';

// One owner per session (issue 11), with two real api-server processes on one PostgreSQL and
// one Redis: whichever replica a request reaches, it is served by the session's owner; when the
// owner is killed the other takes the session over, loses no action, applies none twice, and
// the turn clock goes on firing once per turn.

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const workdirs: string[] = [];
const replicas: { proc: ManagedProcess; url: string }[] = [];
let databaseUrl: string;
let db: pg.Pool;

async function startReplica(): Promise<{ proc: ManagedProcess; url: string }> {
  const dir = makeWorkdir('api-replica');
  workdirs.push(dir);
  const port = await freePort();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|REDIS_URL|DUNGEON_.*|PORT|JWT_.*|RATE_LIMIT_.*)$/.test(k)));
  const proc = startProcess(`api-replica-${replicas.length}`, process.execPath, ['--conditions=source', MAIN], {
    logFile: join(dir, 'api.log'),
    env: {
      ...clean,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: inject('redisUrl'),
      DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
      // Both replicas sign and accept the same character tokens.
      JWT_SIGNING_KEYS: SIGNING_KEYS,
      RATE_LIMIT_POINTS: '100000',
      DUNGEON_TURN_TIMEOUT_MS: '400',
      DUNGEON_SEED: '11',
      SESSION_LEASE_MS: '3000',
      LOG_LEVEL: 'info',
    } as NodeJS.ProcessEnv,
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(`replica ${url} ready`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`exited: ${await logTail(proc.logFile)}`);
    return (await fetch(`${url}/readyz`)).ok;
  });
  const replica = { proc, url };
  replicas.push(replica);
  return replica;
}

beforeAll(async () => {
  databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'replicas');
  db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await startReplica();
  await startReplica();
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.proc.stop()));
  await db?.end();
  workdirs.forEach(removeWorkdir);
});

async function ownerOf(sessionId: string): Promise<string | null> {
  const { rows } = await db.query<{ owner_url: string }>('SELECT owner_url FROM session_owners WHERE session_id = $1 AND expires_at > now()', [sessionId]);
  return rows[0]?.owner_url ?? null;
}

/** The turn (`character@room#round`) each timeout entry of the log defended, replaying the log. */
async function timedOutTurns(sessionId: string): Promise<string[]> {
  const world = (await loadWorlds()).get('crypt-of-dawn')!;
  const { rows: log } = await db.query<{ command: Command }>('SELECT command FROM game_session_log WHERE session_id = $1 ORDER BY seq', [sessionId]);
  let state: GameState | null = null;
  const turns: string[] = [];
  for (const { command } of log) {
    if (command.kind === 'timeout') {
      const up = waitingCharacters(state!).find((w) => w.characterId === command.characterId);
      expect(up).toBeDefined();
      turns.push(`${command.characterId}@${up!.roomId}#${up!.round}`);
    }
    state = applyCommand(world, state, command).state;
  }
  return turns;
}

type View = { gameState: { version: number; room: { id: string } } };
const roomSeenThrough = async (base: string, sessionId: string, token: string) => (await http<View>(base, 'GET', `/api/sessions/${sessionId}/state`, { token })).body.gameState;

describe('two api-server replicas', () => {
  it('an action through one replica is visible through the other at once, both ways', async () => {
    const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const id = uniqueId('walker');
    const me = await mintAndRegister(b.url, id);
    const sessionId = me.sessionId;
    const owner = await ownerOf(sessionId);
    expect([a.url, b.url]).toContain(owner);

    const moved = await http<{ version: number }>(a.url, 'POST', '/api/actions', { token: me.characterToken, body: { type: 'exploration.move', characterId: id, direction: 'north' } });
    expect(moved.status).toBe(200);
    for (const base of [a.url, b.url]) expect((await roomSeenThrough(base, sessionId, me.characterToken)).room.id).toBe('antechamber');

    const back = await http(b.url, 'POST', '/api/actions', { token: me.characterToken, body: { type: 'exploration.move', characterId: id, direction: 'south' } });
    expect(back.status).toBe(200);
    const views = await Promise.all([a.url, b.url].map((base) => roomSeenThrough(base, sessionId, me.characterToken)));
    expect(views.map((v) => v.room.id)).toEqual(['dawn-gate', 'dawn-gate']);
    expect(views[0]!.version).toBe(views[1]!.version);
    // Still the one owner: nothing moved the lease.
    expect(await ownerOf(sessionId)).toBe(owner);
  });

  it('the game master closes a session through the replica that does not own it: the owner ends the game, once', async () => {
    const id = uniqueId('closer');
    const me = await mintAndRegister(replicas[0]!.url, id);
    const owner = await ownerOf(me.sessionId);
    const other = replicas.find((r) => r.url !== owner)!;
    const closed = await http(other.url, 'POST', `/api/gm/sessions/${me.sessionId}/close`, { token: ADMIN_TOKEN, body: { reason: 'closing time' } });
    expect([closed.status, closed.body]).toEqual([200, expect.objectContaining({ status: 'closed' })]);
    for (const r of replicas) {
      const seen = await http<{ gameState: { status: string; outcome: string | null } }>(r.url, 'GET', `/api/sessions/${me.sessionId}/state`, { token: ADMIN_TOKEN });
      expect(seen.body.gameState).toMatchObject({ status: 'ended', outcome: 'closed' });
    }
    const act = await http(other.url, 'POST', '/api/actions', { token: me.characterToken, body: { type: 'exploration.look', characterId: id } });
    expect(act.body).toMatchObject({ accepted: false, reason: expect.stringMatching(/^session_ended/) });
    await http(owner!, 'POST', `/api/gm/sessions/${me.sessionId}/close`, { token: ADMIN_TOKEN, body: {} });
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM game_session_log WHERE session_id = $1 AND command->>'kind' = 'end'`, [me.sessionId]);
    expect(rows[0]!.n).toBe('1');
  });

  it('the owner SIGKILLed mid-session: the other owns it within seconds, no action lost or applied twice, each turn times out once', async () => {
    const fighterId = uniqueId('sleeper');
    const bardId = uniqueId('singer');
    // Level 20: it outlives the rats' bites for the whole test while it only defends.
    const fighter = await mintAndRegister(replicas[0]!.url, fighterId, { level: 20 });
    const sessionId = fighter.sessionId;
    const bard = await mintAndRegister(replicas[1]!.url, bardId, { name: 'Lark', class: 'bard', sessionId });
    expect(bard.sessionId).toBe(sessionId);
    const ownerUrl = (await ownerOf(sessionId))!;
    const owner = replicas.find((r) => r.url === ownerUrl)!;
    const survivor = replicas.find((r) => r.url !== ownerUrl)!;

    // The fighter walks into the rats and never answers its turns: the owner's clock defends for it.
    for (const direction of ['north', 'east']) {
      expect((await http(survivor.url, 'POST', '/api/actions', { token: fighter.characterToken, body: { type: 'exploration.move', characterId: fighterId, direction } })).status).toBe(200);
    }
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql, [sessionId])).rows[0]!.n);
    const timeouts = () => count(`SELECT count(*) AS n FROM game_session_log WHERE session_id = $1 AND command->>'kind' = 'timeout'`);
    // Long enough for a snapshot, so the next owner replays only the tail.
    await eventually('a snapshot of the session', async () => (await count('SELECT count(*) AS n FROM game_session_snapshots WHERE session_id = $1')) > 0, 90_000);

    // The bard sings through the survivor (forwarded to the owner) while the owner is killed;
    // a call that fails is tried again with the same clientActionId, as the SDK does.
    const said: string[] = [];
    const sing = async (i: number) => {
      const clientActionId = `${bardId}-verse-${i}`;
      said.push(clientActionId);
      return eventually(`verse ${i} accepted`, async () => {
        const res = await http(survivor.url, 'POST', '/api/actions', { token: bard.characterToken, body: { type: 'social.say', characterId: bardId, clientActionId, message: `verse ${i}` } });
        return res.status === 200 ? res : undefined;
      });
    };
    for (let i = 0; i < 5; i++) await sing(i);
    owner.proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await owner.proc.exited).toBe('SIGKILL');
    const timeoutsAtKill = await timeouts();
    for (let i = 5; i < 10; i++) await sing(i);

    await eventually('the survivor to own the session', async () => (await ownerOf(sessionId)) === survivor.url, 30_000);
    console.log(`[replicas] the survivor owned the session ${((Date.now() - killedAt) / 1000).toFixed(1)}s after the SIGKILL`);
    // Its clock runs: turns keep timing out on the new owner.
    await eventually('turns timing out on the new owner', async () => (await timeouts()) >= timeoutsAtKill + 2, 30_000);
    // It started from the snapshot and replayed only the log's tail.
    const restored = (await logTail(survivor.proc.logFile, 1000))
      .split('\n')
      .filter((l) => l.includes('session restored from the store') && l.includes(sessionId))
      .map((l) => JSON.parse(l) as { snapshotSeq: number | null; replayed: number });
    expect(restored).toHaveLength(1);
    expect(restored[0]!.snapshotSeq).toBeGreaterThan(0);

    // Every verse is in the log exactly once, and recorded once.
    const { rows: verses } = await db.query<{ id: string; n: string }>(
      `SELECT command->'action'->>'clientActionId' AS id, count(*) AS n FROM game_session_log
       WHERE session_id = $1 AND command->>'kind' = 'action' AND command->'action'->>'characterId' = $2 GROUP BY 1`,
      [sessionId, bardId],
    );
    expect(verses.map((v) => v.id).sort()).toEqual([...said].sort());
    for (const v of verses) expect(Number(v.n)).toBe(1);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM actions WHERE character_id = $1', [bardId])).rows[0]!.n)).toBe(said.length);

    // Each turn timed out at most once: replaying the log, no two timeouts hit the same turn.
    const turns = await timedOutTurns(sessionId);
    expect(turns.length).toBeGreaterThanOrEqual(timeoutsAtKill + 2);
    expect(new Set(turns).size).toBe(turns.length);

    // And the survivor serves the session's state.
    expect((await roomSeenThrough(survivor.url, sessionId, fighter.characterToken)).room.id).toBe('ossuary');
  });

  it('the owner SIGSTOPped past its lease: the other takes over; resumed, the old owner writes nothing and forwards', async () => {
    const paused = await startReplica();
    const other = replicas.find((r) => r !== paused && r.proc.child.exitCode === null && r.proc.child.signalCode === null)!;
    const fighterId = uniqueId('dozer');
    // A session of its own, opened through (and so owned by) the replica to pause.
    const sessionId = uniqueId('paused');
    expect((await http(paused.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: sessionId } })).status).toBe(201);
    expect(await ownerOf(sessionId)).toBe(paused.url);
    const fighter = await mintAndRegister(other.url, fighterId, { level: 20, sessionId });
    expect(fighter.sessionId).toBe(sessionId);
    for (const direction of ['north', 'east']) {
      expect((await http(other.url, 'POST', '/api/actions', { token: fighter.characterToken, body: { type: 'exploration.move', characterId: fighterId, direction } })).status).toBe(200);
    }
    const timeouts = async () =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM game_session_log WHERE session_id = $1 AND command->>'kind' = 'timeout'`, [sessionId])).rows[0]!.n);
    await eventually('turns timing out on the owner', async () => (await timeouts()) >= 2);

    paused.proc.child.kill('SIGSTOP');
    try {
      await eventually('the other replica to own the session', async () => (await ownerOf(sessionId)) === other.url, 30_000);
      const atTakeover = await timeouts();
      await eventually('turns timing out on the new owner', async () => (await timeouts()) >= atTakeover + 2, 30_000);
    } finally {
      paused.proc.child.kill('SIGCONT');
    }
    // Resumed, its overdue clock fires or its lease renewal runs, whichever comes first: either
    // finds the lease gone (the fenced write is refused; the renewal reports the loss).
    await eventually('the resumed replica to notice it lost the session', async () => /lost the lease of a session|is no longer this replica's/.test(await logTail(paused.proc.logFile, 400)), 30_000);
    const afterResume = await timeouts();
    await eventually('more turns timing out on the new owner', async () => (await timeouts()) >= afterResume + 2, 30_000);
    expect(await ownerOf(sessionId)).toBe(other.url);
    const turns = await timedOutTurns(sessionId);
    expect(new Set(turns).size).toBe(turns.length);

    // An action through the resumed replica is forwarded to the new owner and seen through both.
    const look = await http(paused.url, 'POST', '/api/actions', { token: fighter.characterToken, body: { type: 'exploration.look', characterId: fighterId } });
    expect(look.status).toBe(200);
    const views = await Promise.all([paused.url, other.url].map((base) => roomSeenThrough(base, sessionId, fighter.characterToken)));
    expect(views[0]!.version).toBe(views[1]!.version);
  });

  it('items are conserved when a replica is SIGKILLed while both serve transfers', async () => {
    const live = replicas.filter((r) => r.proc.child.exitCode === null && r.proc.child.signalCode === null);
    const [victim, keeper] = live.slice(-2) as [(typeof replicas)[0], (typeof replicas)[0]];
    const sessionId = uniqueId('hoard');
    expect((await http(victim.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: sessionId } })).status).toBe(201);
    const looters = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const id = uniqueId(`looter-${i}`);
        const reg = await mintAndRegister(i % 2 ? victim.url : keeper.url, id, { name: `Looter ${i}`, class: 'rogue', sessionId });
        await putInventory(db, id, { items: [], capacity_slots: 10 });
        return { id, token: reg.characterToken };
      }),
    );
    // A chest at the entrance, where every character starts.
    const chest = await createContainer(db, {
      source_type: 'environment',
      room_id: 'dawn-gate',
      capacity_slots: 8,
      items: [{ item_id: 'gold', item_name: 'gold', quantity: 40, max_stack: 50 }, { item_id: 'gem', item_name: 'gem', quantity: 10, max_stack: 10 }],
      metadata: { game_session: sessionId, name: 'hoard' },
    });
    const totals = async () => {
      const { rows } = await db.query<{ item_id: string; n: string }>(
        `SELECT s->>'item_id' AS item_id, sum((s->>'quantity')::int) AS n FROM (
           SELECT jsonb_array_elements(items) AS s FROM containers WHERE container_instance_id = $1
           UNION ALL SELECT jsonb_array_elements(items) FROM character_inventories WHERE character_id = ANY($2)) x GROUP BY 1 ORDER BY 1`,
        [chest.container_id, looters.map((l) => l.id)],
      );
      return Object.fromEntries(rows.map((r) => [r.item_id, Number(r.n)]));
    };
    expect(await totals()).toEqual({ gem: 10, gold: 40 });

    // Each looter takes and gives back, alternating replicas; a request that fails (its replica
    // died under it) is sent again with the same idempotency key to whichever replica is up.
    let killed = false;
    const up = () => [victim, keeper].filter((r) => !(killed && r === victim));
    let done = 0;
    let moved = 0;
    const work = looters.map(async (l, li) => {
      const base = (n: number) => up()[n % up().length]!.url;
      const call = (path: string, body: Record<string, unknown>, n: number) =>
        eventually(`${l.id} ${path}`, async () => {
          const res = await http(base(n), 'POST', `/api/containers/${path}`, { token: l.token, body }).catch(() => null);
          return res && res.status < 500 ? res : undefined;
        });
      const open = await call('open', { container_id: chest.container_id }, li);
      expect(open.status).toBe(200);
      const mutation_token = open.body.mutation_token as string;
      for (let k = 0; k < 8; k++) {
        const item_id = k % 4 < 2 ? 'gold' : 'gem';
        const res = await call('transfer', { container_id: chest.container_id, mutation_token, idempotency_key: `${l.id}-${k}`, direction: k % 2 ? 'to_container' : 'to_player', item_id, quantity: 1 }, li + k);
        // 409: nothing of that item left on that side just now.
        expect([200, 409]).toContain(res.status);
        if (res.status === 200) moved++;
        done++;
      }
    });
    await eventually('transfers under way', () => done >= 6);
    victim.proc.child.kill('SIGKILL');
    killed = true;
    const doneAtKill = done;
    await Promise.all(work);

    expect(doneAtKill).toBeLessThan(looters.length * 8);
    expect(moved).toBeGreaterThanOrEqual(looters.length * 4);
    expect(await totals()).toEqual({ gem: 10, gold: 40 });
  });
});
