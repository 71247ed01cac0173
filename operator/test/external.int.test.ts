// Must-show of issue 15: an external Character (spec.placement: external) against the real
// control plane and the real api-server. The operator makes no pod for it, only its key in a
// Secret with a connection bundle; a process outside the cluster (the SDK's `dungeon dev
// --bundle` on this host, reaching the api-server by its external URL and its WebSocket gateway)
// registers and plays; the Character shows Registered, and Disconnected once that process is
// killed and its heartbeats stop.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { characterIdFor, ConnectionBundleSchema } from '@distributed-dungeon/contracts';
import { createGameSession } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Operator } from '../src/controller/operator.ts';
import { KubeClient } from '../src/kube/client.ts';
import { ADMIN_TOKEN, applyCrd, characterYaml, createNamespace, getOrUndefined, kubectl, lockOperatorSuite, OPERATOR_SUITE_WAIT_MS, startRegistry, startSuiteOperator, waitFor } from './harness.ts';

interface CharacterObj {
  metadata: { uid: string };
  status?: { phase?: string; endpoint?: string; sessionId?: string; conditions?: { type: string; status: string; reason: string }[] };
}
interface EventObj {
  involvedObject: { uid?: string };
  reason: string;
  type: string;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(REPO, 'character-base-image', 'src', 'cli', 'main.ts');
const kubeconfig = inject('kubeconfig');
const client = KubeClient.load(kubeconfig);
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

// A plain player's module, written outside the repository.
const MODULE = `import { CharacterBase, CombatAI } from '@distributed-dungeon/character-sdk';
export default class EdgeFighter extends CharacterBase {
  constructor(config) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: true });
  }
}
`;

let api: RunningServer;
let operator: Operator;
let home: string;
let sessionId: string;
const children: ChildProcess[] = [];

let releaseSuite: (() => void) | undefined;
beforeAll(async () => {
  releaseSuite = await lockOperatorSuite(kubeconfig);
  await applyCrd(kubeconfig);
  api = await startRegistry(inject('postgresAdminUrl'), inject('redisUrl'), {
    DUNGEON_SEED: '15',
    DUNGEON_TURN_TIMEOUT_MS: '1500',
    // Short, so the test sees a silent character expire in seconds (the default is 90 s).
    CHARACTER_HEARTBEAT_TIMEOUT_MS: '3000',
    CHARACTER_EXPIRY_SWEEP_MS: '500',
  });
  sessionId = await createGameSession(api.url, ADMIN_TOKEN, { id: `edge-${Date.now().toString(36)}` });
  // The api-server's address from outside the cluster is the host address this test reaches it by.
  operator = await startSuiteOperator({ client, registry: api, lease: false, policy: { externalUrl: api.url }, log });
  home = await mkdtemp(path.join(tmpdir(), 'dd-external-'));

}, OPERATOR_SUITE_WAIT_MS + 180_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await operator?.stop();
  await api?.stop();
  client.close();
  releaseSuite?.();
  if (home) await rm(home, { recursive: true, force: true });
});

/** `dungeon dev` on this host, as a player starts it; its JSON log lines by message. */
function dungeonDev(args: string[]) {
  const child = spawn(process.execPath, ['--conditions=source', CLI, 'dev', ...args], {
    cwd: home,
    env: { PATH: process.env.PATH ?? '', HOME: home, LOG_LEVEL: 'debug', HEARTBEAT_INTERVAL_MS: '500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: { msg?: string; [k: string]: unknown }[] = [];
  let buf = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line.startsWith('{') ? (JSON.parse(line) as (typeof lines)[number]) : { msg: line });
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => lines.push({ msg: `stderr: ${chunk.toString()}` }));
  return { child, lines, said: (msg: string) => lines.filter((l) => l.msg === msg).length };
}

describe('an external Character', () => {
  const name = 'edge-fighter';
  let ns: string;
  const charPath = () => `/apis/distributed-dungeon.io/v1alpha1/namespaces/${ns}/characters/${name}`;
  const getChar = () => getOrUndefined<CharacterObj>(client, charPath());
  const phase = (want: string) => async () => {
    const c = await getChar();
    return c?.status?.phase === want && c;
  };
  const cond = (c: CharacterObj | undefined, type: string) => c?.status?.conditions?.find((x) => x.type === type);

  it('gets a connection bundle and no pod; a process outside the cluster registers and plays; Registered, then Disconnected once it stops', async () => {
    ns = `edge-${Math.random().toString(36).slice(2, 8)}`;
    await createNamespace(client, ns);
    const applied = await kubectl(kubeconfig, ['apply', '-f', '-'], characterYaml(ns, name, { displayName: 'Edge Fighter', class: 'fighter', level: 3, placement: 'external', session: sessionId }));
    expect(applied.stderr).toBe('');

    // The bundle appears in the credentials Secret; the Character waits for its process.
    const secret = await waitFor('the connection bundle', async () => {
      const s = await getOrUndefined<{ data?: Record<string, string> }>(client, `/api/v1/namespaces/${ns}/secrets/${name}-credentials`);
      return s?.data?.['bundle.json'] ? s : undefined;
    });
    const bundle = ConnectionBundleSchema.parse(JSON.parse(Buffer.from(secret.data!['bundle.json']!, 'base64').toString('utf8')));
    expect(bundle).toMatchObject({ characterId: characterIdFor(ns, name), apiUrl: api.url, websocketUrl: `${api.url.replace(/^http/, 'ws')}/ws` });
    expect(bundle.character).toMatchObject({ name: 'Edge Fighter', class: 'fighter', level: 3, session: sessionId });
    const waiting = await waitFor('phase Pending', phase('Pending'));
    expect(cond(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingConnection' });
    expect(waiting.status!.endpoint).toBeUndefined();
    for (const p of [`/apis/apps/v1/namespaces/${ns}/deployments/${name}`, `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}-data`, `/api/v1/namespaces/${ns}/services/${name}`, `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${name}`, `/api/v1/namespaces/${ns}/configmaps/${name}-config`]) {
      expect(await getOrUndefined(client, p), p).toBeUndefined();
    }

    // The player's process, from the bundle alone: no key, server or character.json of its own.
    await writeFile(path.join(home, 'bundle.json'), JSON.stringify(bundle));
    await writeFile(path.join(home, 'character.mjs'), MODULE);
    const dev = dungeonDev(['character.mjs', '--bundle', 'bundle.json', '--no-watch', '--data', path.join(home, 'data')]);
    const transcript = () => dev.lines.slice(-10).map((l) => JSON.stringify(l)).join('\n');
    await waitFor('the external process to register', async () => dev.said('registered') > 0, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; dungeon dev said:\n${transcript()}`);
    });
    expect(dev.lines.find((l) => l.msg === 'registered')).toMatchObject({ sessionId });
    await waitFor('an action of the external character accepted by the game', async () => dev.said('action accepted') > 0, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; dungeon dev said:\n${transcript()}`);
    });
    const registered = await waitFor('phase Registered', phase('Registered'), 20_000);
    expect(cond(registered, 'Ready')).toMatchObject({ status: 'True', reason: 'Registered' });
    expect(cond(registered, 'Available')).toMatchObject({ status: 'True', reason: 'Connected' });
    expect(registered.status!.sessionId).toBe(sessionId);

    // Killed: no goodbye, its heartbeats just stop; the registry expires it, the Character says so.
    dev.child.kill('SIGKILL');
    const gone = await waitFor('phase Disconnected', phase('Disconnected'), 20_000);
    expect(cond(gone, 'Ready')).toMatchObject({ status: 'False', reason: 'Disconnected' });
    expect(cond(gone, 'Registered')).toMatchObject({ status: 'False', reason: 'Disconnected' });

    // One Event per transition: connected once, disconnected once.
    const events = await waitFor('the Disconnected event', async () => {
      const list = await client.request<{ items: EventObj[] }>('GET', `/api/v1/namespaces/${ns}/events`);
      const mine = list.items.filter((e) => e.involvedObject.uid === gone.metadata.uid);
      return mine.some((e) => e.reason === 'Disconnected') && mine;
    });
    expect(events.filter((e) => e.reason === 'Registered')).toHaveLength(1);
    expect(events.filter((e) => e.reason === 'Disconnected')).toHaveLength(1);

    // Started again from the same bundle and data: back to Registered.
    const again = dungeonDev(['character.mjs', '--bundle', 'bundle.json', '--no-watch', '--data', path.join(home, 'data')]);
    await waitFor('the process to register again', async () => again.said('registered') > 0, 60_000);
    const back = await waitFor('phase Registered again', phase('Registered'), 20_000);
    expect(cond(back, 'Registered')).toMatchObject({ status: 'True', reason: 'Registered' });
    again.child.kill('SIGTERM');
    expect(await waitFor('dungeon dev to exit on SIGTERM', async () => again.child.exitCode ?? undefined, 20_000)).toBe(0);
    // A graceful stop deregisters at once: Disconnected without waiting for the heartbeat expiry.
    await waitFor('phase Disconnected after a graceful stop', phase('Disconnected'), 20_000);

    // Deleted (the finalizer revokes the key) and made again under the same name: the registry
    // still holds the old one's ended registration, which is not this Character's.
    const del = await kubectl(kubeconfig, ['delete', 'character', '-n', ns, name, '--wait=true', '--timeout=30s']);
    expect(del.code).toBe(0);
    const reapplied = await kubectl(kubeconfig, ['apply', '-f', '-'], characterYaml(ns, name, { displayName: 'Edge Fighter', class: 'fighter', level: 3, placement: 'external', session: sessionId }));
    expect(reapplied.code).toBe(0);
    const anew = await waitFor('the new Character judged', async () => {
      const c = await getChar();
      return c?.status?.phase && c.metadata.uid !== gone.metadata.uid ? c : undefined;
    });
    expect(anew.status!.phase).toBe('Pending');
    expect(cond(anew, 'Registered')).toMatchObject({ status: 'False', reason: 'NotRegistered' });
  });

  it('is refused (Accepted=False ExternalUrlUnset) by an operator that has no external URL', async () => {
    await operator.stop();
    operator = await startSuiteOperator({ client, registry: api, lease: false, workers: 1, log });
    const other = `edge-${Math.random().toString(36).slice(2, 8)}`;
    await createNamespace(client, other);
    await kubectl(kubeconfig, ['apply', '-f', '-'], characterYaml(other, 'no-url', { displayName: 'No Url', class: 'rogue', level: 1, placement: 'external' }));
    const failed = await waitFor('phase Failed', async () => {
      const c = await getOrUndefined<CharacterObj>(client, `/apis/distributed-dungeon.io/v1alpha1/namespaces/${other}/characters/no-url`);
      return c?.status?.phase === 'Failed' && c;
    });
    expect(cond(failed, 'Accepted')).toMatchObject({ status: 'False', reason: 'ExternalUrlUnset' });
    expect(await getOrUndefined(client, `/api/v1/namespaces/${other}/secrets/no-url-credentials`)).toBeUndefined();
  });

  it('the API server refuses a cluster Character without an image, and a change of placement', async () => {
    const noImage = await kubectl(kubeconfig, ['apply', '-f', '-'], characterYaml(ns, 'no-image', { displayName: 'No Image', class: 'rogue', level: 1 }));
    expect(noImage.code).not.toBe(0);
    expect(noImage.stderr).toContain('image is required unless placement is external');
    const moved = await kubectl(kubeconfig, ['apply', '-f', '-'], characterYaml(ns, name, { displayName: 'Edge Fighter', class: 'fighter', level: 3, placement: 'cluster', image: 'registry.example/a/edge:1', session: sessionId }));
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain('placement cannot change');
  });
});
