// A leader that steps down: two operator processes on a control plane of this suite's own. The
// leader is frozen with SIGSTOP, the standby takes the lease, and when the old leader resumes
// it must notice it lost the lease before it writes anything, and exit; so must the standby when
// it is frozen in turn, and a fresh replica then carries on.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { makeWorkdir, startControlPlane, startProcess, type ControlPlane, type ManagedProcess } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeClient } from '../src/kube/client.ts';
import { FINALIZER } from '../src/names.ts';
import { ADMIN_TOKEN, applyCrd, characterYaml, createNamespace, getOrUndefined, kubectl, startRegistry, waitFor } from './harness.ts';

const LEASE_SECONDS = 3;
const ns = 'frozen';
const spec = { displayName: 'Gollum', class: 'rogue', level: 2, image: 'registry.example/misty/gollum:1.0.0' };
const leasePath = '/apis/coordination.k8s.io/v1/namespaces/default/leases/dungeon-operator-frozen';
let cp: ControlPlane;
let client: KubeClient;
let api: RunningServer;

interface Lease {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string; leaseTransitions?: number };
}
interface Character {
  metadata: { finalizers?: string[] };
  status?: unknown;
}

const characterPath = (name: string) => `/apis/distributed-dungeon.io/v1alpha1/namespaces/${ns}/characters/${name}`;
const holder = async () => (await getOrUndefined<Lease>(client, leasePath))?.spec.holderIdentity;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function replica(identity: string, workdir: string): ManagedProcess {
  return startProcess(identity, process.execPath, ['--conditions=source', join(import.meta.dirname, '..', 'src', 'main.ts')], {
    logFile: join(workdir, `${identity}.log`),
    env: {
      ...process.env,
      KUBECONFIG: cp.kubeconfigPath,
      DUNGEON_REGISTRY_URL: api.url,
      DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
      OPERATOR_PORT: '0',
      OPERATOR_LEASE_NAMESPACE: 'default',
      OPERATOR_LEASE_NAME: 'dungeon-operator-frozen',
      OPERATOR_LEASE_DURATION_SECONDS: String(LEASE_SECONDS),
      OPERATOR_IDENTITY: identity,
      LOG_LEVEL: 'info',
    },
  });
}

beforeAll(async () => {
  cp = await startControlPlane();
  client = KubeClient.load(cp.kubeconfigPath);
  await applyCrd(cp.kubeconfigPath);
  api = await startRegistry(inject('postgresAdminUrl'), inject('redisUrl'));
  await createNamespace(client, ns);
});

afterAll(async () => {
  client?.close();
  await api?.stop();
  await cp?.stop();
});

describe('a leader that steps down', () => {
  it('SIGSTOPped leader: the standby leads; resumed, the old leader writes nothing and exits', async () => {
    const workdir = makeWorkdir('operator-frozen');
    const a = replica('replica-a', workdir);
    let b: ManagedProcess | undefined;
    let c: ManagedProcess | undefined;
    try {
      await waitFor('replica-a leads', async () => (await holder()) === 'replica-a', 30_000);
      b = replica('replica-b', workdir);
      const apply = async (name: string) => {
        const res = await kubectl(cp.kubeconfigPath, ['apply', '-f', '-'], characterYaml(ns, name, { ...spec, displayName: name }));
        expect(res.code, res.stderr).toBe(0);
      };
      await apply('before');
      await waitFor('replica-a reconciles', async () => (await getOrUndefined<Character>(client, characterPath('before')))?.metadata.finalizers?.includes(FINALIZER), 30_000);

      a.child.kill('SIGSTOP');
      await waitFor('replica-b takes the lease', async () => (await holder()) === 'replica-b', 30_000);
      // Freeze the new leader too, so that whatever is written from now on can only come from A.
      b.child.kill('SIGSTOP');
      await pause(1_000); // a renewal B sent just before it froze has landed by now
      const leaseBefore = (await getOrUndefined<Lease>(client, leasePath))!;
      await apply('while-frozen');
      // Long enough that, judged by the timestamps in the Lease, B's lease has run out: a replica
      // that compares them with its own clock would take the lease back and reconcile.
      await pause(LEASE_SECONDS * 2_000);

      a.child.kill('SIGCONT');
      expect(await a.exited).toBe(1);
      expect(readFileSync(a.logFile, 'utf8')).toContain('leader election lost');
      const leaseAfter = (await getOrUndefined<Lease>(client, leasePath))!;
      expect(leaseAfter.metadata.resourceVersion).toBe(leaseBefore.metadata.resourceVersion);
      expect(leaseAfter.spec.holderIdentity).toBe('replica-b');
      const untouched = await getOrUndefined<Character>(client, characterPath('while-frozen'));
      expect(untouched?.metadata.finalizers ?? []).toEqual([]);
      expect(untouched?.status).toBeUndefined();
      expect(await getOrUndefined(client, `/api/v1/namespaces/${ns}/serviceaccounts/while-frozen`)).toBeUndefined();

      // B was frozen past its renew deadline too: it must step down the same way. A fresh replica
      // (Kubernetes would restart the pods) then leads and does what was left undone.
      b.child.kill('SIGCONT');
      expect(await b.exited).toBe(1);
      expect((await getOrUndefined<Character>(client, characterPath('while-frozen')))?.metadata.finalizers ?? []).toEqual([]);
      c = replica('replica-c', workdir);
      await waitFor('replica-c reconciles what the frozen ones left alone', async () =>
        (await getOrUndefined<Character>(client, characterPath('while-frozen')))?.metadata.finalizers?.includes(FINALIZER), 60_000);
      expect(await holder()).toBe('replica-c');
    } finally {
      for (const p of [a, b, c]) {
        p?.child.kill('SIGCONT');
        await p?.stop('SIGKILL', 1_000);
      }
    }
  }, 120_000);
});
