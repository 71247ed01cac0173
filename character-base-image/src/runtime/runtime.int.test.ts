import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DungeonMasterEngine, RunningServer } from '@distributed-dungeon/api-server';
import { createDatabase, eventually, createGameSession, mintApiKey } from '@distributed-dungeon/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, http, startApi, uniqueId } from '../../../api-server/test/harness.ts';
import { CharacterBase, type HookResult } from '../character/base.ts';
import { CombatAI } from '../ai/combat.ts';
import type { GameEvent, GameState } from '../types.ts';
import { CharacterRuntime, type Logger, type RuntimeSettings } from './runtime.ts';

// The runtime against the real api-server (registry, actions, the Dungeon Master engine and its
// WebSocket gateway) started in this process on real PostgreSQL and Redis. Short turns and a
// fixed seed keep each run bounded.

const TURN_TIMEOUT_MS = 1500;

class Fighter extends CharacterBase {
  readonly heard: GameEvent[] = [];
  constructor(config: ConstructorParameters<typeof CharacterBase>[0]) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: true });
  }
  override async onCombatTurn(gameState: GameState): Promise<HookResult> {
    if (this.memory.explode) throw new Error('boom');
    return this.combatAI!.decideCombatAction(gameState);
  }
  override async onEvent(event: GameEvent): Promise<void> {
    this.heard.push(event);
  }
}

/** Attacks nobody, outside any fight, a few times: the game must refuse it. */
class Confused extends CharacterBase {
  refusable = 3;
  override async onExplore(): Promise<HookResult> {
    if (this.refusable <= 0) return null;
    this.refusable--;
    return { type: 'combat.attack', target: 'nobody-here' };
  }
  override async onSocial(): Promise<HookResult> {
    return null;
  }
}

interface LogLine {
  at: number;
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

function recordingLogger(lines: LogLine[]): Logger {
  const rec =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') lines.push({ at: Date.now(), level, obj: {}, msg: obj });
      else lines.push({ at: Date.now(), level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
    };
  return { info: rec('info'), warn: rec('warn'), error: rec('error'), debug: rec('debug') };
}


describe('CharacterRuntime against the real api-server', () => {
  let api: RunningServer;
  let workdir: string;
  const running: CharacterRuntime[] = [];

  beforeAll(async () => {
    const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'runtime');
    api = await startApi({
      databaseUrl,
      redisUrl: inject('redisUrl'),
      DUNGEON_SEED: '42',
      DUNGEON_TURN_TIMEOUT_MS: String(TURN_TIMEOUT_MS),
    });
    workdir = await mkdtemp(path.join(tmpdir(), 'dd-runtime-it-'));
  });

  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.stop();
  });

  afterAll(async () => {
    await api?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  const engine = () => api.context.engine as DungeonMasterEngine;
  const held = (sessionId: string) => engine().dm.session(sessionId)!;
  /** The engine's log entries for this character's own actions. */
  const actionsOf = (sessionId: string, characterId: string) =>
    held(sessionId).log.filter((e) => e.command.kind === 'action' && e.command.action.characterId === characterId);

  async function newSession(): Promise<string> {
    return createGameSession(api.url, ADMIN_TOKEN, { id: uniqueId('rt') });
  }

  /** The key is minted with the spec of `character`, as the operator would from the Character resource. */
  async function settingsFor(characterId: string, sessionId: string, character: CharacterBase, dataDir = path.join(workdir, characterId)): Promise<RuntimeSettings> {
    const spec = {
      displayName: character.name,
      class: character.config.class as 'fighter',
      level: character.config.level,
      capabilities: character.capabilities,
      ...(character.abilities ? { abilities: character.abilities } : {}),
    };
    return {
      characterId,
      registryUrl: api.url,
      apiKey: await mintApiKey(api.url, ADMIN_TOKEN, characterId, spec),
      endpoint: `http://${characterId}:3000`,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      transport: 'websocket',
      actIntervalMs: 100,
      heartbeatMs: 60_000,
      sessionId,
    };
  }

  async function launch(character: CharacterBase, settings: RuntimeSettings, logger?: Logger): Promise<CharacterRuntime> {
    const runtime = new CharacterRuntime(character, settings, logger ? { logger } : {});
    running.push(runtime);
    await runtime.start();
    return runtime;
  }

  const registryRecord = (characterId: string) =>
    http<{ sessionId: string | null; status: string }>(api.url, 'GET', `/api/registry/character/${encodeURIComponent(characterId)}`, { token: ADMIN_TOKEN });

  it('registers, explores and fights with actions the engine accepts; a throwing hook costs its turn, never the process', async () => {
    const sessionId = await newSession();
    const characterId = uniqueId('thorin');
    const fighter = new Fighter({ name: 'Thorin', class: 'fighter', level: 5 });
    // Broken from the start: it explores, but its combat hook throws.
    fighter.memory.explode = true;
    const runtime = await launch(fighter, await settingsFor(characterId, sessionId, fighter));

    expect(await (await fetch(`http://127.0.0.1:${runtime.port}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(runtime.sessionId).toBe(sessionId);
    const record = await registryRecord(characterId);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ sessionId, status: 'registered', class: 'fighter', containerEndpoint: `http://${characterId}:3000` });
    expect(held(sessionId).state.characters[characterId]).toMatchObject({ present: true, alive: true });

    // It explores: the real engine accepts its moves, and it hears the events over the gateway.
    await eventually('an accepted action', () => actionsOf(sessionId, characterId).some((e) => e.accepted));
    await eventually('an event heard over the WebSocket gateway', () => fighter.heard.length > 0);

    // A fight comes; on its turn the hook throws, nothing is sent, and the game defends for it.
    const timedOut = await eventually(
      'the game to defend for the broken character',
      () => held(sessionId).log.find((e) => e.command.kind === 'timeout' && e.command.characterId === characterId),
      90_000,
    );
    expect(timedOut.events.some((e) => e.type === 'combat.defend' && e.data.characterId === characterId && e.data.timedOut === true)).toBe(true);
    expect(runtime.ready).toBe(true);
    expect(actionsOf(sessionId, characterId).filter((e) => e.seq < timedOut.seq && e.command.kind === 'action' && e.command.action.type.startsWith('combat.'))).toEqual([]);

    // Once the module behaves it plays on: its own attack is accepted — unless the fight was
    // over first (it fell, or the monsters died or fled while it defended).
    fighter.memory.explode = false;
    await eventually(
      'an accepted attack, or the end of the fight',
      () => {
        const state = held(sessionId).state;
        const attacked = actionsOf(sessionId, characterId).some((e) => e.seq > timedOut.seq && e.accepted && e.command.kind === 'action' && e.command.action.type === 'combat.attack');
        const me = state.characters[characterId]!;
        return attacked || !me.alive || !Object.values(state.encounters).some((enc) => enc.roomId === me.roomId) || state.status !== 'active';
      },
      60_000,
    );
    expect(runtime.ready).toBe(true);
  });

  it('restarts from its data directory into the same session, and a clean stop deregisters', async () => {
    const sessionId = await newSession();
    const characterId = uniqueId('thorin');
    const config = { name: 'Thorin', class: 'fighter', level: 5 };
    const settings = await settingsFor(characterId, sessionId, new Fighter(config));

    const first = await launch(new Fighter(config), settings);
    first.character.memory.note = 'remember me';
    await eventually('an accepted action', () => actionsOf(sessionId, characterId).some((e) => e.accepted));

    // kill -9: no deregistration, only what reached the disk.
    await first.flush();
    await first.stop({ deregister: false });
    expect((await registryRecord(characterId)).body).toMatchObject({ sessionId, status: 'registered' });

    // The restart asks for the saved session, not the configured one.
    const lines: LogLine[] = [];
    const second = await launch(new Fighter(config), { ...settings, sessionId: undefined }, recordingLogger(lines));
    expect(second.sessionId).toBe(sessionId);
    expect(second.character.memory).toMatchObject({ note: 'remember me' });
    expect(lines.some((l) => l.msg === 'restored state from the data directory')).toBe(true);
    expect((await registryRecord(characterId)).body).toMatchObject({ sessionId, status: 'registered' });
    const state = held(sessionId).state;
    expect(Object.keys(state.characters).filter((id) => id === characterId)).toHaveLength(1);
    expect(state.characters[characterId]!.present).toBe(true);
    const served = (await (await fetch(`http://127.0.0.1:${second.port}/state`)).json()) as { sessionId: string; gameState: GameState };
    expect(served.sessionId).toBe(sessionId);
    expect(served.gameState.characterId).toBe(characterId);

    // SIGTERM: a clean stop deregisters, and the game sees it leave.
    await second.stop();
    const gone = await registryRecord(characterId);
    expect(gone.status === 404 || (gone.body as { status: string }).status === 'deregistered').toBe(true);
    expect(held(sessionId).state.characters[characterId]?.present ?? false).toBe(false);
  });

  it('after an action the game refuses, it fetches the authoritative session state, at most once a second', async () => {
    const sessionId = await newSession();
    const characterId = uniqueId('confused');
    const lines: LogLine[] = [];
    const character = new Confused({ name: 'Confused', class: 'rogue', level: 3 });
    const runtime = await launch(character, await settingsFor(characterId, sessionId, character), recordingLogger(lines));

    const refusals = await eventually('three refused attacks', () => {
      const refused = lines.filter((l) => l.msg === 'action refused');
      return refused.length >= 3 && refused;
    });
    for (const r of refusals) expect(r.obj).toMatchObject({ type: 'combat.attack', reason: expect.stringMatching(/^not_in_combat/) });
    const refusedByEngine = actionsOf(sessionId, characterId).filter((e) => !e.accepted);
    expect(refusedByEngine.length).toBeGreaterThanOrEqual(3);

    // The refusal made it resync from the session state...
    const resyncs = () => lines.filter((l) => l.msg === 'resyncing' && String(l.obj.reason).startsWith('action refused'));
    await eventually('a resync after the refusal', () => resyncs().length > 0);
    expect(resyncs()[0]!.obj.reason).toMatch(/^action refused: not_in_combat/);
    expect(resyncs()[0]!.at).toBeGreaterThanOrEqual(refusals[0]!.at);
    // ...not once per refusal: resyncs for refusals are at least a second apart.
    const times = resyncs().map((l) => l.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(times.length).toBeLessThanOrEqual(refusals.length);

    // What it serves is the game's authoritative state, as the session endpoint has it.
    await eventually('the resync to settle', () => !lines.some((l) => l.msg === 'resync from the session state failed; registering again') && runtime.view.state?.pending?.length === 0);
    const authoritative = await http<{ gameState: GameState }>(api.url, 'GET', `/api/sessions/${encodeURIComponent(sessionId)}/state?characterId=${encodeURIComponent(characterId)}`, {
      token: runtime.registry.credentials!.token,
    });
    expect(authoritative.status).toBe(200);
    const served = (await (await fetch(`http://127.0.0.1:${runtime.port}/state`)).json()) as { gameState: GameState };
    expect(served.gameState.version).toBe(authoritative.body.gameState.version);
    expect(served.gameState.version).toBe(held(sessionId).state.version);
    expect(lines.filter((l) => l.msg === 'resync from the session state failed; registering again')).toEqual([]);
  });

  it('registers with the abilities it picked (character.json, as the operator writes spec.abilities): the game knows only those spells', async () => {
    const sessionId = await newSession();
    const characterId = uniqueId('elara');
    const wizard = new CharacterBase({ name: 'Elara', class: 'wizard', level: 1, abilities: ['magic-missile'] });
    const runtime = await launch(wizard, await settingsFor(characterId, sessionId, wizard));
    expect(held(sessionId).state.characters[characterId]!.spells).toEqual(['magic-missile']);
    await eventually('the view to show the picked spell', () => runtime.view.state?.me.spells.join(',') === 'magic-missile');
  });
});
