import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, eventually, CharacterProcess, createGameSession, EXAMPLE_CHARACTERS, mintApiKey, Narrator, type CharacterSpec, type Envelope } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replay } from '../game/index.ts';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, startApi, uniqueId } from '../../test/harness.ts';
import { DungeonMasterEngine } from './dungeon-master-engine.ts';
import { loadWholeLog } from './session-log.ts';

// The whole game with real processes: the api-server (Dungeon Master, PostgreSQL session log,
// item containers) in this process, real PostgreSQL and Redis, and characters as separate
// processes through the SDK runtime. A fixed seed and short clocks keep each run bounded.

const TURN_TIMEOUT_MS = 1000;
const CHARACTER_ENV = { ACT_INTERVAL_MS: '300', DECISION_TIMEOUT_MS: '4000', LOG_LEVEL: 'info' };

describe('a session played by character processes', () => {
  let api: RunningServer;
  let databaseUrl: string;
  let db: pg.Pool;
  let workdir: string;
  const running: CharacterProcess[] = [];
  const narrators: Narrator[] = [];

  beforeAll(async () => {
    databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'game');
    // The game's clocks, short: turns of 1 s, 3 s of corpse grace; a fixed seed.
    api = await startApi({
      databaseUrl,
      redisUrl: inject('redisUrl'),
      DUNGEON_SEED: '42',
      DUNGEON_TURN_TIMEOUT_MS: String(TURN_TIMEOUT_MS),
      CORPSE_GRACE_SECONDS: '3',
    });
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    workdir = await mkdtemp(path.join(tmpdir(), 'dungeon-game-it-'));
  });

  afterAll(async () => {
    for (const n of narrators) await n.stop();
    await Promise.all(running.map((c) => c.stop('SIGTERM', 3000)));
    await api?.stop();
    await db?.end();
  });

  async function session(): Promise<{ sessionId: string; narrator: Narrator }> {
    const sessionId = uniqueId('it');
    const narrator = new Narrator({ redisUrl: inject('redisUrl'), sessionId, onLine: () => undefined });
    narrators.push(narrator);
    await narrator.start();
    await createGameSession(api.url, ADMIN_TOKEN, { id: sessionId });
    return { sessionId, narrator };
  }

  async function launch(spec: CharacterSpec, sessionId: string, name = spec.key): Promise<CharacterProcess> {
    const characterId = uniqueId(name);
    const c = await CharacterProcess.start({
      spec,
      characterId,
      apiUrl: api.url,
      apiKey: await mintApiKey(api.url, ADMIN_TOKEN, characterId, spec),
      sessionId,
      dataDir: path.join(workdir, characterId),
      logFile: path.join(workdir, `${characterId}.log`),
      env: CHARACTER_ENV,
    });
    running.push(c);
    return c;
  }


  const engine = () => api.context.engine as DungeonMasterEngine;
  const of = (events: Envelope[], type: string) => events.filter((e) => e.type === type);

  it('the three examples register, fight, loot a monster from its corpse, and the log in PostgreSQL replays to the final state', async () => {
    const { sessionId, narrator } = await session();
    const party = await Promise.all(EXAMPLE_CHARACTERS.map((spec) => launch(spec, sessionId)));
    await Promise.all(party.map((c) => c.waitReady()));
    for (const c of party) expect((await c.state()).sessionId).toBe(sessionId);

    const end = await Promise.race([narrator.ended, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
    expect(end, 'the session ends within 90 s').not.toBeNull();
    const monsterCorpsesIn = (events: Envelope[]) => of(events, 'corpse.created').filter((e) => (e.data.corpseOf as { kind: string }).kind === 'monster');
    const lootedIn = (events: Envelope[]) => {
      const ids = new Set(monsterCorpsesIn(events).map((e) => e.data.container_id as string));
      return of(events, 'container.updated').filter(
        (e) => ids.has(e.data.container_id as string) && ((e.data.diff as { items: { removed: unknown[] } }).items.removed.length ?? 0) > 0,
      );
    };
    // At least one monster's corpse is looted through the item-container API; a loot after the
    // last blow may still be on its way when the session ends.
    await eventually('a monster corpse looted through the item-container API', () => lootedIn(narrator.events).length > 0, 30_000);
    const events = narrator.events;

    // Everyone entered and fought; monsters died, each leaving a corpse container.
    const joined = of(events, 'system.character_joined').filter((e) => e.version !== undefined).map((e) => e.data.characterId);
    expect(new Set(joined)).toEqual(new Set(party.map((c) => c.characterId)));
    expect(of(events, 'combat.attack').length).toBeGreaterThan(5);
    const monsterCorpses = monsterCorpsesIn(events);
    expect(monsterCorpses.length).toBeGreaterThan(0);
    for (const c of monsterCorpses) expect(c.data.container_id).toMatch(/^[0-9a-f-]{36}$/);
    const corpseIds = new Set(monsterCorpses.map((e) => e.data.container_id as string));
    expect(lootedIn(events).length).toBeGreaterThan(0);
    const { rows: audit } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_log WHERE operation = 'loot_all' AND outcome = 'success' AND resource_id = ANY($1)`,
      [[...corpseIds]],
    );
    expect(Number(audit[0]!.n)).toBeGreaterThan(0);

    // Versions on the bus are the engine's: increasing, no duplicates.
    const versions = events.filter((e) => e.version !== undefined).map((e) => e.version!);
    expect(new Set(versions).size).toBe(versions.length);

    // The append-only log in PostgreSQL replays to exactly the engine's final state.
    const held = engine().dm.session(sessionId)!;
    const stored = await loadWholeLog(db, sessionId);
    // The engine holds the log from its last load on: all of it, or the tail after a snapshot when
    // the session was reloaded (a lease renewal that came late on a busy machine drops it, and
    // the next command loads it again). Either way the tail in memory is the stored log's tail.
    expect(held.log.length).toBeGreaterThan(0);
    expect(stored.slice(stored.length - held.log.length)).toEqual(held.log);
    const replayed = replay(held.world, held.seed, stored);
    expect(replayed).toEqual(held.state);
    expect(replayed.status).toBe('ended');
    expect(Math.max(...versions)).toBeLessThanOrEqual(replayed.version);
    await expect(db.query(`UPDATE game_session_log SET accepted = false WHERE session_id = $1`, [sessionId])).rejects.toThrow(/append-only/);
    const { rows: closed } = await db.query<{ status: string }>(`SELECT status FROM sessions WHERE id = $1`, [sessionId]);
    expect(closed[0]!.status).toBe('closed');
  });

  it('a character killed with SIGKILL restarts from its data directory and re-registers into the same session', async () => {
    const { sessionId, narrator } = await session();
    const [fighter, wizard, rogue] = await Promise.all(EXAMPLE_CHARACTERS.map((spec) => launch(spec, sessionId)));
    await Promise.all([fighter!, wizard!, rogue!].map((c) => c.waitReady()));
    const file = path.join(rogue!.opts.dataDir, 'character.json');
    // Play on until the rogue has explored a little and saved it.
    const saved = await eventually('the rogue to save what it has seen', async () => {
      const env = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as { data?: { sessionId: string; memory: { exploration?: { rooms: Record<string, unknown> } }; view: { version: number } | null } };
      const rooms = Object.keys(env.data?.memory.exploration?.rooms ?? {});
      return rooms.length >= 2 && env.data?.view ? env.data : undefined;
    });
    expect(saved.sessionId).toBe(sessionId);
    const versionBefore = saved.view!.version;

    rogue!.child.kill('SIGKILL');
    expect(await rogue!.exited).toBe('SIGKILL');
    const again = await rogue!.restart();
    running.push(again);
    await again.waitReady();
    const state = await again.state();
    expect(state.sessionId).toBe(sessionId);
    expect((state.gameState as { version: number }).version).toBeGreaterThanOrEqual(versionBefore);
    const log = await readFile(again.opts.logFile, 'utf8');
    expect(log).toMatch(/restored state from the data directory/);
    const after = JSON.parse(await readFile(file, 'utf8')) as { data: { memory: { exploration: { rooms: Record<string, unknown> } } } };
    for (const room of Object.keys(saved.memory.exploration!.rooms)) expect(after.data.memory.exploration.rooms).toHaveProperty(room);

    // The registry has it in the same session, and the game kept it as it was (no second character).
    const reg = await fetch(`${api.url}/api/registry/characters/${encodeURIComponent(rogue!.characterId)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(reg.status).toBe(200);
    expect(await reg.json()).toMatchObject({ sessionId, status: 'registered' });
    const held = engine().dm.session(sessionId)!.state;
    expect(Object.keys(held.characters).filter((id) => id === rogue!.characterId)).toHaveLength(1);
    expect(held.characters[rogue!.characterId]!.present).toBe(true);

    // And it plays on: an action of the restarted process reaches the game.
    const seen = narrator.events.length;
    await eventually('an action by the restarted rogue', () =>
      narrator.events.slice(seen).some((e) => e.data.actorId === rogue!.characterId || (e.data.characterId === rogue!.characterId && e.version !== undefined)) || held.status !== 'active',
    );
  });

  it('a character whose module throws or never answers defends on timeout, and the others play on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dungeon-bad-characters-'));
    const write = async (name: string, cls: string, body: string): Promise<CharacterSpec> => {
      const configDir = path.join(dir, name);
      await mkdir(configDir, { recursive: true });
      await writeFile(path.join(configDir, 'character.json'), JSON.stringify({ name, class: cls, level: 3, capabilities: ['combat', 'exploration', 'social'] }));
      const module = path.join(configDir, 'character.ts');
      await writeFile(
        module,
        `import { CharacterBase, type GameState } from '@distributed-dungeon/character-sdk';\n` +
          `export default class Bad extends CharacterBase {\n  override async onCombatTurn(_s: GameState) {\n    ${body}\n  }\n}\n`,
      );
      return { key: name, module, configDir };
    };
    const thrower = await write('thrower', 'rogue', `throw new Error('my module is broken');`);
    const sleeper = await write('sleeper', 'wizard', `return new Promise<never>(() => undefined);`);
    const { sessionId, narrator } = await session();
    const fighter = EXAMPLE_CHARACTERS.find((c) => c.key === 'fighter')!;
    const party = await Promise.all([launch(fighter, sessionId), launch(thrower, sessionId, 'thrower'), launch(sleeper, sessionId, 'sleeper')]);
    await Promise.all(party.map((c) => c.waitReady()));
    const [f, t, s] = party.map((c) => c.characterId);

    const timedOutFor = (id: string) => of(narrator.events, 'combat.defend').find((e) => e.data.characterId === id && e.data.timedOut === true);
    const firstT = await eventually('the thrower to defend on timeout', () => timedOutFor(t!), 90_000);
    const firstS = await eventually('the sleeper to defend on timeout', () => timedOutFor(s!), 90_000);
    // The others play on: after the broken two's first timeouts the fighter takes its own turns
    // again — or the fight is over (the monsters died or fled), or the fighter fell fighting, or
    // the session ended. What must not happen is a fight that waits on the broken two forever.
    const after = Math.max(firstT.version!, firstS.version!);
    const progress = () => {
      const state = engine().dm.session(sessionId)!.state;
      return {
        fighterActed: narrator.events.some((e) => e.version! > after && e.data.actorId === f && !(e.type === 'combat.defend' && e.data.timedOut)),
        fighterFell: !state.characters[f!]!.alive,
        fightOver: Object.keys(state.encounters).length === 0,
        sessionEnded: state.status !== 'active',
      };
    };
    await eventually('the game to go on after the timeouts', () => Object.values(progress()).some(Boolean), 90_000);
    expect(Object.values(progress()).some(Boolean)).toBe(true);
    // The timeouts were the game's doing (the process answered nothing), and they were recorded.
    expect(firstT.data.characterId).toBe(t);
    expect(firstS.data.characterId).toBe(s);
    // A broken module costs its turns, never its process.
    expect(party.filter((c) => !c.running).map((c) => c.characterId)).toEqual([]);
  });
});
