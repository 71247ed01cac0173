// Secret `<name>-player` against a real control plane and the real api-server: the operator
// writes a one-time sign-in link per Character, a fresh one when the Secret is deleted, and the
// Character's deletion ends its player's session (issue 13).
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import type { RunningServer } from '@distributed-dungeon/api-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Operator } from '../src/controller/operator.ts';
import { KubeClient } from '../src/kube/client.ts';
import { ADMIN_TOKEN, applyCrd, characterYaml, createNamespace, getOrUndefined, kubectl, startRegistry, startSuiteOperator, lockOperatorSuite, OPERATOR_SUITE_WAIT_MS, waitFor } from './harness.ts';

interface SecretObj {
  metadata: { uid: string; ownerReferences?: { kind: string; name: string }[] };
  data: Record<string, string>;
}

const kubeconfig = inject('kubeconfig');
const client = KubeClient.load(kubeconfig);
let api: RunningServer;
let operator: Operator;

let releaseSuite: (() => void) | undefined;
beforeAll(async () => {
  releaseSuite = await lockOperatorSuite(kubeconfig);
  await applyCrd(kubeconfig);
  api = await startRegistry(inject('postgresAdminUrl'), inject('redisUrl'));
  operator = await startSuiteOperator({ client, registry: api, lease: 'dungeon-operator-links', resyncMs: 5_000 });

}, OPERATOR_SUITE_WAIT_MS + 180_000);

afterAll(async () => {
  await operator?.stop();
  await api?.stop();
  client.close();
  releaseSuite?.();
});

const decode = (s: SecretObj, key: string) => Buffer.from(s.data[key]!, 'base64').toString('utf8');

async function redeem(code: string): Promise<{ status: number; cookie: string; body: { kind?: string; characterId?: string } }> {
  const res = await fetch(`${api.url}/api/humans/player`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return { status: res.status, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, body: (await res.json()) as { kind?: string; characterId?: string } };
}

describe('the player sign-in Secret', () => {
  it('is written per Character, signs its player in once, is renewed when deleted and dies with the Character; the platform status is reported', async () => {
    const ns = `bob-${Math.random().toString(36).slice(2, 8)}`;
    await createNamespace(client, ns);
    const name = 'vex-shadowstep';
    const applied = await kubectl(kubeconfig, ['apply', '-f', '-'], characterYaml(ns, name, { displayName: 'Vex Shadowstep', class: 'rogue', level: 4, image: 'registry.example/bob/vex:1.0.0' }));
    expect(applied.code).toBe(0);
    const secretPath = `/api/v1/namespaces/${ns}/secrets/${name}-player`;
    const secret = await waitFor('the player Secret', () => getOrUndefined<SecretObj>(client, secretPath), 60_000);
    expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Character', name });
    const characterId = decode(secret, 'CHARACTER_ID');
    const code = decode(secret, 'code');
    expect(decode(secret, 'path')).toBe(`/#/sign-in/${code}`);

    const player = await redeem(code);
    expect(player.status).toBe(200);
    expect(player.body).toMatchObject({ kind: 'player', characterId });
    expect((await redeem(code)).status).toBe(401);

    // A spent link is replaced by deleting the Secret.
    await client.request('DELETE', secretPath);
    const renewed = await waitFor('a fresh player Secret', async () => {
      const s = await getOrUndefined<SecretObj>(client, secretPath);
      return s && s.metadata.uid !== secret.metadata.uid && s;
    }, 60_000);
    expect(decode(renewed, 'code')).not.toBe(code);
    expect((await redeem(decode(renewed, 'code'))).status).toBe(200);

    // The operator reports the platform status the web client shows.
    const platform = await waitFor('the platform status reported', async () => {
      const res = await fetch(`${api.url}/api/humans/characters`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const row = ((await res.json()) as { items: { characterId: string; namespace: string | null; phase: string | null }[] }).items.find((c) => c.characterId === characterId);
      return row?.phase ? row : undefined;
    }, 30_000);
    expect(platform).toMatchObject({ namespace: ns, resource: name });

    const me = () => fetch(`${api.url}/api/humans/me`, { headers: { cookie: player.cookie } }).then((r) => r.status);
    expect(await me()).toBe(200);
    expect((await kubectl(kubeconfig, ['delete', 'character', '-n', ns, name, '--wait=true', '--timeout=60s'])).code).toBe(0);
    await waitFor('the player session ended', async () => (await me()) === 401, 30_000);
    const listed = async () => {
      const res = await fetch(`${api.url}/api/humans/characters`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await res.json()) as { items: { characterId: string; phase: string | null }[] }).items.find((c) => c.characterId === characterId);
    };
    await waitFor('the platform status withdrawn', async () => ((await listed())?.phase ?? null) === null, 30_000);
  });
});
