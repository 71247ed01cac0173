import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeySpec } from '@distributed-dungeon/contracts';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

// A local adventure without a cluster: character processes run through the SDK runtime with the
// environment their Deployment would give them, and a narrator turns the session's events into
// readable lines. Used by `make play` (scripts/play.ts), `make demo` and the game and end-to-end
// tests: dev tooling, so it lives in the test harness rather than in the api-server it drives.

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNTIME = path.join(REPO_ROOT, 'character-base-image/src/runtime/main.ts');

export interface CharacterSpec {
  /** Short name (`fighter`): the character id becomes `<name in character.json>-<8 hex>`. */
  key: string;
  /** The player's module (CHARACTER_MODULE). */
  module: string;
  /** Holds `character.json` (CONFIG_DIR). */
  configDir: string;
}

const example = (key: string, file: string): CharacterSpec => ({
  key,
  module: path.join(REPO_ROOT, 'character-base-image/examples', key, file),
  configDir: path.join(REPO_ROOT, 'character-base-image/examples', key),
});

/** The three examples: fighter (TypeScript), wizard (CommonJS JavaScript), rogue (TypeScript). */
export const EXAMPLE_CHARACTERS: readonly CharacterSpec[] = [example('fighter', 'character.ts'), example('wizard', 'character.cjs'), example('rogue', 'character.ts')];

async function adminCall<T>(apiUrl: string, adminToken: string, method: string, pathname: string, body: unknown): Promise<T> {
  const res = await fetch(`${apiUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * `POST /api/registry/keys` as admin: the key the operator would put in the character's Secret,
 * with the spec the operator would send (the character's registrations must match it): given,
 * or read from the `character.json` in the config folder named.
 */
export async function mintApiKey(apiUrl: string, adminToken: string, characterId: string, spec: KeySpec | { configDir: string }): Promise<string> {
  const keySpec = 'configDir' in spec ? await keySpecOf(spec.configDir) : spec;
  return (await adminCall<{ apiKey: string }>(apiUrl, adminToken, 'POST', '/api/registry/keys', { characterId, spec: keySpec })).apiKey;
}

/** The key spec of a local character: what its `character.json` says, as the operator's ConfigMap would. */
export async function keySpecOf(configDir: string, session?: string): Promise<KeySpec> {
  const json = JSON.parse(await readFile(path.join(configDir, 'character.json'), 'utf8')) as { name: string; class: KeySpec['class']; level: number; capabilities?: KeySpec['capabilities'] };
  return { displayName: json.name, class: json.class, level: json.level, capabilities: json.capabilities ?? ['combat', 'exploration', 'social'], ...(session ? { session } : {}) };
}

/** `POST /api/sessions` as admin. */
export async function createGameSession(apiUrl: string, adminToken: string, init: { id: string; name?: string; worldId?: string }): Promise<string> {
  return (await adminCall<{ id: string }>(apiUrl, adminToken, 'POST', '/api/sessions', init)).id;
}

export interface CharacterProcessOptions {
  spec: CharacterSpec;
  characterId: string;
  apiUrl: string;
  apiKey: string;
  dataDir: string;
  logFile: string;
  /** The session to ask for (DUNGEON_SESSION_ID). */
  sessionId?: string;
  env?: Record<string, string>;
  port?: number;
}

/** One character as its own process, through the SDK runtime (`character-base-image/src/runtime/main.ts`). */
export class CharacterProcess {
  readonly opts: CharacterProcessOptions;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;

  private constructor(opts: CharacterProcessOptions & { port: number }) {
    this.opts = opts;
    this.port = opts.port;
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    this.child = spawn(process.execPath, ['--conditions=source', RUNTIME], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        CHARACTER_ID: opts.characterId,
        DUNGEON_REGISTRY_URL: opts.apiUrl,
        DUNGEON_API_KEY: opts.apiKey,
        DATA_DIR: opts.dataDir,
        CONFIG_DIR: opts.spec.configDir,
        CHARACTER_MODULE: opts.spec.module,
        PORT: String(opts.port),
        HOST: '127.0.0.1',
        CHARACTER_ENDPOINT: `http://127.0.0.1:${opts.port}`,
        LOG_LEVEL: 'info',
        ...(opts.sessionId ? { DUNGEON_SESSION_ID: opts.sessionId } : {}),
        ...opts.env,
      },
    });
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => resolve(`error: ${err.message}`));
      this.child.once('exit', (code, signal) => {
        log.end();
        resolve(code ?? signal ?? 'unknown');
      });
    });
  }

  static async start(opts: CharacterProcessOptions): Promise<CharacterProcess> {
    await mkdir(opts.dataDir, { recursive: true });
    return new CharacterProcess({ ...opts, port: opts.port ?? (await freePort()) });
  }

  get characterId(): string {
    return this.opts.characterId;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** `GET /state` of the character's REST API. */
  async state(): Promise<{ characterId: string; sessionId: string | null; ready: boolean; gameState: Record<string, unknown> | null }> {
    const res = await fetch(`http://127.0.0.1:${this.port}/state`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) throw new Error(`${this.characterId} /state: HTTP ${res.status}`);
    return (await res.json()) as Awaited<ReturnType<CharacterProcess['state']>>;
  }

  /** Until `/readyz` answers 200 (registered and subscribed). */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.characterId} exited with ${await this.exited} (log: ${this.opts.logFile})`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.characterId} not ready after ${timeoutMs} ms (log: ${this.opts.logFile})`);
  }

  /** SIGTERM (the runtime saves, deregisters and exits 0), SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | string> {
    if (this.running) {
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      timer.unref();
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  /** The same character again, from the same data directory (after a crash). */
  restart(): Promise<CharacterProcess> {
    return CharacterProcess.start({ ...this.opts, port: this.port });
  }
}

/** A character.json for a player's module that has none next to it. */
export async function configDirFor(module: string, defaults: { name: string; class: string; level?: number }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dungeon-character-config-'));
  await writeFile(
    path.join(dir, 'character.json'),
    JSON.stringify({ name: defaults.name, class: defaults.class, level: defaults.level ?? 3, capabilities: ['combat', 'exploration', 'social'], version: '1.0.0' }, null, 2),
  );
  return dir;
}

// ---- the narrator

export interface Envelope {
  id: string;
  type: string;
  sessionId: string;
  timestamp: string;
  data: Record<string, unknown>;
  version?: number;
}

export interface SessionEnd {
  outcome: 'victory' | 'defeat';
  reason: string;
  survivors: string[];
}

type D = Record<string, unknown>;
const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const items = (list: unknown): string =>
  Array.isArray(list) && list.length > 0 ? (list as D[]).map((i) => `${s(i.quantity)}× ${s(i.item_name ?? i.name ?? i.item_id)}`).join(', ') : 'nothing';

/**
 * Turns a session's events into lines a person reads: who moves where, who hits whom for how
 * much, who dies, who loots what from which corpse or chest, and how it ends. It listens on the
 * session's channels and on the characters' private ones (to know who opened a container).
 */
export class Narrator {
  readonly sessionId: string;
  readonly events: Envelope[] = [];
  readonly ended: Promise<SessionEnd>;
  readonly #redis: Redis;
  readonly #onLine: (line: string) => void;
  readonly #names = new Map<string, string>();
  readonly #rooms = new Map<string, string>();
  readonly #containers = new Map<string, string>();
  /** container id → who opened it last (from the private `container.opened`). */
  readonly #openedBy = new Map<string, string>();
  #pendingHit: D | null = null;
  /** Versioned events are told in version order (two requests may publish interleaved). */
  #nextVersion = 1;
  readonly #held = new Map<number, { env: Envelope; channel: string }>();
  /** Container events already told (they arrive once per character in the room). */
  readonly #toldContainerEvents = new Set<string>();
  #gapTimer: NodeJS.Timeout | null = null;
  #resolveEnd: (end: SessionEnd) => void = () => undefined;

  constructor(opts: { redisUrl: string; sessionId: string; onLine: (line: string) => void; rooms?: Record<string, string> }) {
    this.sessionId = opts.sessionId;
    this.#onLine = opts.onLine;
    this.#redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    for (const [id, name] of Object.entries(opts.rooms ?? {})) this.#rooms.set(id, name);
    this.ended = new Promise((resolve) => (this.#resolveEnd = resolve));
  }

  async start(): Promise<void> {
    await this.#redis.connect();
    this.#redis.on('pmessage', (_pattern: string, channel: string, message: string) => {
      let env: Envelope;
      try {
        env = JSON.parse(message) as Envelope;
      } catch (err) {
        this.#onLine(`(unreadable event: ${String(err)})`);
        return;
      }
      if (env.sessionId !== this.sessionId) return;
      // A container event reaches each character in its room on that character's channel: tell it once.
      if (env.type.startsWith('container.') && channel.startsWith('character:')) {
        const key = `${env.type} ${JSON.stringify(env.data)}`;
        if (this.#toldContainerEvents.has(key)) return;
        this.#toldContainerEvents.add(key);
        if (this.#toldContainerEvents.size > 500) this.#toldContainerEvents.delete(this.#toldContainerEvents.values().next().value!);
      }
      this.events.push(env);
      this.#order(env, channel);
    });
    await this.#redis.psubscribe(`session:${this.sessionId}:*`, 'character:*');
  }

  #order(env: Envelope, channel: string): void {
    if (env.version === undefined || env.version < this.#nextVersion) {
      for (const line of this.describe(env, channel)) this.#onLine(line);
      return;
    }
    this.#held.set(env.version, { env, channel });
    this.#flush(false);
  }

  /** Tells what is contiguous; after a gap that does not fill within 500 ms, goes on past it. */
  #flush(skipGap: boolean): void {
    if (skipGap && this.#held.size > 0) this.#nextVersion = Math.min(...this.#held.keys());
    for (let next = this.#held.get(this.#nextVersion); next; next = this.#held.get(this.#nextVersion)) {
      this.#held.delete(this.#nextVersion);
      this.#nextVersion += 1;
      for (const line of this.describe(next.env, next.channel)) this.#onLine(line);
    }
    if (this.#gapTimer) clearTimeout(this.#gapTimer);
    this.#gapTimer = this.#held.size > 0 ? setTimeout(() => this.#flush(true), 500) : null;
  }

  async stop(): Promise<void> {
    if (this.#gapTimer) clearTimeout(this.#gapTimer);
    this.#flush(true);
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  name(id: unknown): string {
    return this.#names.get(s(id)) ?? s(id);
  }

  room(id: unknown): string {
    return this.#rooms.get(s(id)) ?? s(id);
  }

  /** The lines one event makes (none for bookkeeping such as turn order). */
  describe(env: Envelope, channel = ''): string[] {
    const d = env.data;
    const out: string[] = [];
    // A hit is told together with the damage it did, which is the next event.
    if (this.#pendingHit && env.type !== 'combat.damage') out.push(this.#hitLine(this.#pendingHit, null));
    if (env.type !== 'combat.damage') this.#pendingHit = null;
    const room = d.room as D | undefined;
    if (room && typeof room.id === 'string') {
      this.#rooms.set(room.id, s(room.name));
      const chest = room.container as D | null | undefined;
      if (chest?.container_id) this.#containers.set(s(chest.container_id), `the ${s(chest.name)} in ${s(room.name)}`);
    }
    switch (env.type) {
      case 'system.character_joined':
        if (env.version === undefined) break; // only the game's announcement (versioned) counts
        this.#names.set(s(d.characterId), s(d.name));
        out.push(d.returning ? `↩ ${s(d.name)} is back, in ${this.room(d.roomId)} (${s(d.hp)}/${s(d.maxHp)} hp)` : `➕ ${s(d.name)} (${s(d.class)} ${s(d.level)}, ${s(d.hp)} hp) enters at ${this.room(d.roomId)}`);
        break;
      case 'system.character_left':
        if (env.version !== undefined) out.push(`➖ ${this.name(d.characterId)} leaves the session`);
        break;
      case 'exploration.moved':
        out.push(`${d.fled ? '🏃' : '🚶'} ${this.name(d.characterId)} ${d.fled ? 'flees' : 'moves'} ${s(d.direction)} to ${this.room(d.to)}${d.cautious ? ' (carefully)' : ''}`);
        break;
      case 'exploration.trap':
        out.push(d.outcome === 'spotted' ? `👁 ${this.name(d.characterId)} spots the ${s(d.name)} (${s(d.total)} vs DC ${s(d.dc)})` : `💥 the ${s(d.name)} goes off under ${this.name(d.characterId)} for ${s(d.damage)} damage`);
        break;
      case 'exploration.discovery':
        out.push(`🔎 ${this.name(d.characterId)} finds ${s(d.description).replace(/\.$/, '')}${Array.isArray(d.items) && d.items.length ? ` — takes ${items(d.items)}` : ''}`);
        break;
      case 'combat.started': {
        const monsters = (d.monsters as D[] | undefined) ?? [];
        for (const m of monsters) this.#names.set(s(m.id), s(m.name));
        out.push(`⚔ fight in ${this.room(d.roomId)}: ${((d.characters as string[]) ?? []).map((c) => this.name(c)).join(', ')} vs ${monsters.map((m) => `${s(m.name)} (${s(m.hp)} hp)`).join(', ')}`);
        break;
      }
      case 'combat.initiative':
        for (const o of (d.order as D[] | undefined) ?? []) this.#names.set(s(o.id), s(o.name));
        break;
      case 'combat.attack':
        if (d.hit) this.#pendingHit = d;
        else out.push(`   ${this.name(d.attackerId)} ${d.spell ? `casts ${s(d.spell)} at` : 'swings at'} ${this.name(d.targetId)} and misses (${s(d.roll)}+${s(d.bonus)} vs AC ${s(d.targetAc)})`);
        break;
      case 'combat.damage': {
        const hit = this.#pendingHit;
        this.#pendingHit = null;
        if (hit && hit.targetId === d.targetId) out.push(this.#hitLine(hit, d));
        else if (d.cause !== 'trap') out.push(`   ${this.name(d.targetId)} takes ${s(d.amount)} damage (${s(d.hp)}/${s(d.maxHp)} hp)`);
        break;
      }
      case 'combat.cast':
        if (d.spell === 'heal') out.push(`   ${this.name(d.casterId)} casts heal on ${this.name(d.targetId)}`);
        break;
      case 'combat.healing':
        out.push(`   ${this.name(d.targetId)} is healed for ${s(d.amount)} (${s(d.hp)}/${s(d.maxHp)} hp)`);
        break;
      case 'combat.defend':
        out.push(`   ${this.name(d.characterId)} ${d.timedOut ? 'does not answer in time and defends' : 'defends'} (AC ${s(d.ac)})`);
        break;
      case 'combat.flee':
        if (d.actorKind === 'monster') out.push(`   ${this.name(d.actorId)} flees ${s(d.direction)}`);
        else if (!d.success) out.push(`   ${this.name(d.actorId)} tries to flee and fails`);
        break;
      case 'combat.death':
        out.push(`☠ ${s(d.name)} dies${d.killerId ? ` (killed by ${this.name(d.killerId)})` : ''}`);
        break;
      case 'corpse.created':
        if (d.container_id) {
          const of = d.corpseOf as D;
          this.#containers.set(s(d.container_id), `the corpse of ${s(of?.name)}`);
          out.push(`   the corpse of ${s(of?.name)} lies in ${this.room(d.roomId)} holding ${items(d.items)}${d.ownerId ? ` (${this.name(d.ownerId)}'s to loot first)` : ''}`);
        }
        break;
      case 'combat.ended':
        out.push(`🏳 the fight in ${this.room(d.roomId)} is over after ${s(d.round)} round(s): ${s(d.result)}`);
        break;
      case 'container.opened': {
        const c = d.container as D | undefined;
        const id = s(c?.container_id ?? d.container_id);
        if (id && channel.startsWith('character:')) this.#openedBy.set(id, channel.slice('character:'.length));
        break;
      }
      case 'container.updated': {
        const diff = ((d.diff as D | undefined)?.items ?? {}) as D;
        const id = s(d.container_id);
        const what = this.#containers.get(id) ?? `container ${id.slice(0, 8)}`;
        const removed = (diff.removed as D[] | undefined) ?? [];
        if (removed.length > 0) {
          const who = this.#openedBy.get(id);
          out.push(`💰 ${who ? this.name(who) : 'someone'} loots ${items(removed)} from ${what}`);
        }
        break;
      }
      case 'container.decayed':
        out.push(`   ${this.#containers.get(s(d.container_id)) ?? 'a corpse'} crumbles to dust`);
        break;
      case 'social.npc_reply':
        out.push(`💬 ${s(d.name)} to ${this.name(d.characterId)}: “${s(d.text).slice(0, 110)}${s(d.text).length > 110 ? '…' : ''}”${Array.isArray(d.items) && d.items.length ? ` (gives ${items(d.items)})` : ''}`);
        break;
      case 'social.say':
        out.push(`💬 ${s(d.name)}: “${s(d.message)}”`);
        break;
      case 'system.rest':
        out.push(`🛌 ${this.name(d.characterId)} rests (${s(d.hp)}/${s(d.maxHp)} hp, ${s(d.restsLeft)} rests left)`);
        break;
      case 'system.session_closed': {
        const end: SessionEnd = { outcome: d.outcome as SessionEnd['outcome'], reason: s(d.reason), survivors: (d.survivors as string[]) ?? [] };
        out.push(`🏁 the session ends in ${end.outcome}: ${end.reason}; survivors: ${end.survivors.map((c) => this.name(c)).join(', ') || 'none'}`);
        this.#resolveEnd(end);
        break;
      }
      default:
        break;
    }
    return out;
  }

  #hitLine(hit: D, damage: D | null): string {
    const how = hit.spell ? `with ${s(hit.spell)}` : `with ${s(hit.weapon)}`;
    const roll = hit.roll === null ? '' : ` (${s(hit.roll)}+${s(hit.bonus)} vs AC ${s(hit.targetAc)})`;
    const dmg = damage ? ` for ${s(damage.amount)} (${s(damage.hp)}/${s(damage.maxHp)} hp left)` : '';
    return `   ${hit.critical ? 'CRITICAL! ' : ''}${this.name(hit.attackerId)} hits ${this.name(hit.targetId)} ${how}${dmg}${roll}`;
  }
}
