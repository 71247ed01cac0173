// Outages on a control plane of this suite's own: the kube-apiserver goes away for 20 s, the
// leader process is killed, a watch goes quiet. The operator must carry on by itself.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { makeWorkdir, startControlPlane, startProcess, type ControlPlane, type ManagedProcess } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startOperator, type Operator } from '../src/controller/operator.ts';
import { KubeClient, KubeError } from '../src/kube/client.ts';
import { Kinds } from '../src/kube/resources.ts';
import { ResilientWatch } from '../src/kube/watch.ts';
import { parsePolicy } from '../src/policy.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { ADMIN_TOKEN, applyCrd, characterYaml, createNamespace, getOrUndefined, kubectl, startRegistry, waitFor } from './harness.ts';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** An operator in this process on the suite's control plane, electing under `lease` with short timings. */
function leadingOperator(identity: string, more: Partial<Parameters<typeof startOperator>[0]> = {}, lease = 'dungeon-operator'): Promise<Operator> {
  return startOperator({
    kubeconfig: cp.kubeconfigPath,
    registryUrl: api.url,
    adminToken: ADMIN_TOKEN,
    policy: parsePolicy({ registryUrl: 'http://dungeon-api:8080' }),
    workers: 2,
    leaderElection: { namespace: 'default', name: lease, identity, leaseDurationSeconds: 6, renewDeadlineMs: 4_000, retryPeriodMs: 1_000 },
    log,
    ...more,
  });
}
let cp: ControlPlane;
let client: KubeClient;
let api: RunningServer;

const spec = { displayName: 'Frodo', class: 'rogue', level: 3, image: 'registry.example/shire/frodo:1.0.0' };
const phaseOf = async (ns: string, name: string) =>
  (await getOrUndefined<{ status?: { phase?: string } }>(client, `/apis/distributed-dungeon.io/v1alpha1/namespaces/${ns}/characters/${name}`))?.status?.phase;
const apply = async (ns: string, name: string, s: Record<string, unknown> = spec) => {
  const res = await kubectl(cp.kubeconfigPath, ['apply', '-f', '-'], characterYaml(ns, name, s));
  expect(res.code, res.stderr).toBe(0);
};

beforeAll(async () => {
  cp = await startControlPlane();
  client = KubeClient.load(cp.kubeconfigPath);
  await applyCrd(cp.kubeconfigPath);
  api = await startRegistry(inject('postgresAdminUrl'), inject('redisUrl'));
});

afterAll(async () => {
  client?.close();
  await api?.stop();
  await cp?.stop();
});

describe('watches that stay alive', () => {
  it('restarts a quiet watch and still delivers what happens afterwards', async () => {
    const seen: string[] = [];
    const watch = new ResilientWatch(client, {
      kind: Kinds.ConfigMap,
      labelSelector: 'test=stall',
      stallMs: 1_000,
      watchTimeoutSeconds: 3600,
      onEvent: (type, obj) => seen.push(`${type} ${obj.metadata.name}`),
      log,
    });
    watch.start();
    await watch.synced;
    await waitFor('two stall restarts', async () => watch.restarts >= 2, 10_000);
    await client.request('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-stall', labels: { test: 'stall' } }, data: { a: '1' } },
    });
    await waitFor('event after the restarts', async () => seen.includes('ADDED after-stall'), 10_000);
    await watch.stop();
  });

  it('relists after 410 Gone when the history it would resume from is gone', async () => {
    const seen: string[] = [];
    const reasons: string[] = [];
    const watch = new ResilientWatch(client, {
      kind: Kinds.ConfigMap,
      labelSelector: 'test=gone',
      watchTimeoutSeconds: 3600,
      backoff: { initialMs: 200, maxMs: 1_000 },
      onEvent: (type, obj) => seen.push(`${type} ${obj.metadata.name}`),
      onRestart: (reason) => reasons.push(reason),
      log,
    });
    watch.start();
    await watch.synced;
    // Writes of another kind move the cluster past the watch's resourceVersion; compacting etcd
    // there and restarting kube-apiserver (whose watch cache then starts at the compacted
    // revision) leaves no history to resume from: the only way on is a fresh list.
    await client.request('POST', '/api/v1/namespaces/default/secrets', {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'gone-' }, stringData: { a: '1' } },
    });
    const { header } = (await (await fetch(`${cp.etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) })).json()) as { header: { revision: string } };
    const compacted = await fetch(`${cp.etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: header.revision, physical: true }) });
    expect(compacted.ok).toBe(true);
    await cp.stopApiserver();
    await cp.startApiserver();
    await client.request('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-gone', labels: { test: 'gone' } }, data: { a: '1' } },
    });
    await waitFor('the ConfigMap made after the restart', async () => seen.includes('ADDED after-gone'), 30_000);
    expect(reasons.filter((r) => r.includes('410 Gone'))).not.toEqual([]);
    await watch.stop();
  });
});

describe('an operator through outages', () => {
  let operator: Operator;

  it('reconnects by itself after the kube-apiserver is down for 20 s and reconciles what changed', async () => {
    const ns = 'shire';
    await createNamespace(client, ns);
    operator = await leadingOperator('in-process', { registryPollMs: 1_000 });
    await operator.synced();
    await apply(ns, 'frodo');
    await waitFor('frodo Running', async () => (await phaseOf(ns, 'frodo')) === 'Running', 60_000);

    const restartsBefore = (await operator.metrics.watchRestarts.get()).values.reduce((s, v) => s + v.value, 0);
    await cp.stopApiserver();
    // The outage's length is what is tested: long enough for every watch to fail and back off.
    await new Promise((r) => setTimeout(r, 20_000));
    await cp.startApiserver();

    // Changes made after the restart: a new Character, and an old one suspended. The operator's
    // part (children applied, status written) must follow within 30 s (the waits below); the pod reaching
    // Running also waits for kube-controller-manager, the scheduler and kwok to reconnect.
    await apply(ns, 'sam', { ...spec, displayName: 'Sam' });
    await apply(ns, 'frodo', { ...spec, suspend: true });
    await waitFor('sam reconciled (Deployment applied, status written)', async () => {
      const d = await getOrUndefined(client, '/apis/apps/v1/namespaces/shire/deployments/sam');
      return d !== undefined && ['Provisioning', 'Running'].includes((await phaseOf(ns, 'sam')) ?? '');
    }, 30_000);
    await waitFor('frodo Suspended', async () => (await phaseOf(ns, 'frodo')) === 'Suspended', 30_000);
    const frodo = await getOrUndefined<{ spec: { replicas: number } }>(client, '/apis/apps/v1/namespaces/shire/deployments/frodo');
    expect(frodo!.spec.replicas).toBe(0);
    await waitFor('sam Running', async () => (await phaseOf(ns, 'sam')) === 'Running', 120_000);
    const restartsAfter = (await operator.metrics.watchRestarts.get()).values.reduce((s, v) => s + v.value, 0);
    expect(restartsAfter).toBeGreaterThan(restartsBefore);
    expect(operator.isLeader()).toBe(true);
  }, 240_000);

  it('hands over to the standby when the leader is killed', async () => {
    // The in-process operator leads; a second replica runs as its own process and waits. A
    // graceful stop hands over at once; a SIGKILL makes the next standby wait out the lease.
    const workdir = makeWorkdir('operator-leader');
    const env = {
      ...process.env,
      KUBECONFIG: cp.kubeconfigPath,
      DUNGEON_REGISTRY_URL: api.url,
      DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
      OPERATOR_PORT: '0',
      OPERATOR_LEASE_NAMESPACE: 'default',
      OPERATOR_LEASE_NAME: 'dungeon-operator',
      OPERATOR_LEASE_DURATION_SECONDS: '6',
      OPERATOR_IDENTITY: 'process-replica',
      LOG_LEVEL: 'info',
    };
    const node = process.execPath;
    const main = join(import.meta.dirname, '..', 'src', 'main.ts');
    const replica: ManagedProcess = startProcess('operator-replica', node, ['--conditions=source', main], { logFile: join(workdir, 'operator.log'), env });
    try {
      await waitFor('the process replica stands by', async () => existsSync(join(workdir, 'operator.log')) && readFileSync(join(workdir, 'operator.log'), 'utf8').includes('standing by'), 30_000);
      const leaseHolder = async () =>
        (await client.request<{ spec: { holderIdentity?: string } }>('GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/dungeon-operator')).spec.holderIdentity;
      expect(await leaseHolder()).toBe('in-process'); // the standby waits
      await operator.stop(); // releases the lease
      await waitFor('process replica leads', async () => (await leaseHolder()) === 'process-replica', 20_000);
      await apply('shire', 'merry', { ...spec, displayName: 'Merry' });
      await waitFor('merry Running (reconciled by the process replica)', async () => (await phaseOf('shire', 'merry')) === 'Running', 60_000);

      // Now a hard kill: no release; the standby must wait out the lease.
      const standby = await leadingOperator('standby');
      operator = standby;
      await standby.synced();
      expect(standby.isLeader()).toBe(false);
      replica.child.kill('SIGKILL');
      await replica.exited;
      // Within 15 s of the kill: the 6 s lease run out, plus a retry period or two.
      await waitFor('standby leads (within 15 s of the kill)', async () => standby.isLeader(), 15_000);
      await apply('shire', 'pippin', { ...spec, displayName: 'Pippin' });
      await waitFor('pippin Running (reconciled by the standby)', async () => (await phaseOf('shire', 'pippin')) === 'Running', 60_000);
    } finally {
      await replica.stop('SIGKILL', 1000);
      await operator.stop();
    }
  }, 150_000);

  it('works with nothing more than operator/rbac: Characters cluster-wide, the rest only in the namespaces opened to it', async () => {
    const rbac = join(import.meta.dirname, '..', 'rbac');
    for (const f of ['clusterrole.yaml', 'player-namespace-clusterrole.yaml']) expect((await kubectl(cp.kubeconfigPath, ['apply', '-f', join(rbac, f)])).code).toBe(0);
    await client.request('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { metadata: { name: 'dungeon-operator' } } });
    const subjects = [{ kind: 'ServiceAccount', name: 'dungeon-operator', namespace: 'default' }];
    await client.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      body: { metadata: { name: 'dungeon-operator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dungeon-operator' }, subjects },
    });
    // As the chart does: the Lease in the operator's own namespace, the player rights by RoleBinding.
    await client.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      body: { metadata: { name: 'dungeon-operator-leader' }, rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }] },
    });
    await client.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
      body: { metadata: { name: 'dungeon-operator-leader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dungeon-operator-leader' }, subjects },
    });
    await createNamespace(client, 'bag-end');
    await createNamespace(client, 'mordor');
    await client.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/bag-end/rolebindings', {
      body: { metadata: { name: 'dungeon-operator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dungeon-operator-player-namespace' }, subjects },
    });
    const { status } = await client.request<{ status: { token: string } }>('POST', '/api/v1/namespaces/default/serviceaccounts/dungeon-operator/token', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const admin = new KubeConfig();
    admin.loadFromFile(cp.kubeconfigPath);
    const cluster = admin.getCurrentCluster()!;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'operator', token: status.token }],
      contexts: [{ name: 'operator', cluster: cluster.name, user: 'operator' }],
      currentContext: 'operator',
    });
    const restricted = new KubeClient(kc);

    // A stolen operator token reads no Secret outside the player namespaces.
    await client.request('POST', '/api/v1/namespaces/kube-system/secrets', { body: { metadata: { name: 'crown-jewels' }, stringData: { key: 'precious' } } });
    const statusOf = (path: string) => restricted.request('GET', path).then(() => 200, (e: unknown) => (e instanceof KubeError ? e.status : -1));
    expect(await statusOf('/api/v1/namespaces/kube-system/secrets/crown-jewels')).toBe(403);
    expect(await statusOf('/api/v1/namespaces/kube-system/secrets')).toBe(403);
    expect(await statusOf('/api/v1/secrets')).toBe(403);
    expect(await statusOf('/apis/apps/v1/deployments')).toBe(403);
    expect(await statusOf('/api/v1/namespaces/mordor/secrets')).toBe(403);
    expect(await statusOf('/api/v1/namespaces/bag-end/secrets')).toBe(200);

    const op = await leadingOperator('rbac', { client: restricted, namespaces: ['bag-end'] }, 'dungeon-operator-rbac');
    try {
      await op.synced();
      await waitFor('leading with the restricted identity', async () => op.isLeader(), 20_000);
      // A Service left from before Services were headless is deleted and made again: the one delete of a Service the rules allow.
      await client.request('POST', '/api/v1/namespaces/bag-end/services', {
        body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bilbo' }, spec: { type: 'ClusterIP', selector: { app: 'bilbo' }, ports: [{ port: 3000 }] } },
      });
      await apply('bag-end', 'bilbo', { ...spec, displayName: 'Bilbo', storage: { retainOnDelete: true } });
      await waitFor('bilbo Running', async () => (await phaseOf('bag-end', 'bilbo')) === 'Running', 60_000);
      await waitFor('bilbo’s Service headless', async () => (await getOrUndefined<{ spec: { clusterIP?: string } }>(client, '/api/v1/namespaces/bag-end/services/bilbo'))?.spec.clusterIP === 'None', 30_000);
      await client.request('DELETE', '/apis/distributed-dungeon.io/v1alpha1/namespaces/bag-end/characters/bilbo');
      await waitFor('bilbo finalized', async () => (await phaseOf('bag-end', 'bilbo')) === undefined, 30_000);

      // A Character outside the open namespaces is told why nothing happens, and nothing is made.
      await apply('mordor', 'smeagol', { ...spec, displayName: 'Smeagol' });
      await waitFor('smeagol Failed', async () => (await phaseOf('mordor', 'smeagol')) === 'Failed', 30_000);
      const smeagol = await getOrUndefined<{ metadata: { finalizers?: string[] }; status: { conditions: { type: string; status: string; reason: string; message: string }[] } }>(
        client, '/apis/distributed-dungeon.io/v1alpha1/namespaces/mordor/characters/smeagol');
      const notOpen = smeagol!.status.conditions.find((c) => c.type === 'Accepted');
      expect(notOpen).toMatchObject({ status: 'False', reason: 'NamespaceNotOpen' });
      expect(notOpen?.message).toContain('players.namespaces');
      expect(smeagol!.metadata.finalizers ?? []).toEqual([]);
      expect(await getOrUndefined(client, '/api/v1/namespaces/mordor/serviceaccounts/smeagol')).toBeUndefined();
      const forbidden = (await op.metrics.kubeRequests.get()).values.filter((v) => v.labels.code === '403');
      expect(forbidden).toEqual([]);
    } finally {
      await op.stop();
      restricted.close();
    }
  }, 120_000);
});
