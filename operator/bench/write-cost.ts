// Benchmark: kube-apiserver CPU per write, for each kind of write the operator makes for a
// Character, beside the plain POST a client without server-side apply makes of the same object.
// provision.ts shows the operator slower than a plain client on the same control plane; this
// shows where kube-apiserver's time goes (it is the busiest process of that benchmark, and the
// operator's writes are more than the plain client's, and dearer).
//   node --conditions=source operator/bench/write-cost.ts [writes per kind, default 200] [rounds, default 2]
// CPU is read from /proc (utime+stime of kube-apiserver and etcd) around each batch, so a busy
// machine slows the batches but moves the figures less. No kube-controller-manager work follows
// these objects (no Deployments, no pods), except the garbage collector's bookkeeping.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { characterIdFor, CharacterSpecSchema } from '@distributed-dungeon/contracts';
import { startControlPlane } from '@distributed-dungeon/testkit';
import { buildConfigMap, buildNetworkPolicy, buildSecret, buildService, buildServiceAccount, type BuildContext } from '../src/builders/index.ts';
import { KubeClient } from '../src/kube/client.ts';
import { Kinds, collectionPath, objectPath, type Kind } from '../src/kube/resources.ts';
import { FIELD_MANAGER } from '../src/names.ts';
import { parsePolicy } from '../src/policy.ts';
import { applyCrd } from '../test/harness.ts';

const N = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 2);
const CONCURRENCY = 8;
const NS = 'write-cost';
const say = (line: string) => process.stdout.write(`${line}\n`);

const cp = await startControlPlane({ nodes: 0, provisioner: false, progress: (l) => say(`  ${l}`) });
const client = KubeClient.load(cp.kubeconfigPath);
try {
  await applyCrd(cp.kubeconfigPath);
  const pidOf = (pattern: string) => execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n')[0]!;
  const apiserver = pidOf(`kube-apiserver.*--secure-port=${new URL(cp.server).port}`);
  const etcd = pidOf(`etcd --name dungeon --data-dir ${cp.workdir}`);
  const cpuMs = (pid: string) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
  };
  const policy = parsePolicy({
    registryUrl: 'http://dungeon-api.dungeon-system.svc:8080',
    resources: { default: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } }, max: { cpu: '1', memory: '1Gi' } },
    quota: { pods: 1000, requestsCpu: '100', requestsMemory: '1Ti', limitsCpu: '1000', limitsMemory: '1Ti', requestsStorage: '10Ti', persistentVolumeClaims: 1000, maxStoragePerClaim: '10Gi' },
  });
  await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: NS } } });
  const ctx = (name: string): BuildContext => ({
    ref: { name, namespace: NS, uid: '00000000-0000-0000-0000-000000000000' },
    spec: CharacterSpecSchema.parse({ displayName: name, class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' }),
    characterId: characterIdFor(NS, name),
    policy,
  });
  const now = () => new Date().toISOString();
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, observedGeneration: 1, lastTransitionTime: now() });
  const provisioning = {
    characterId: characterIdFor(NS, 'hero'), endpoint: `http://hero.${NS}.svc:3000`, observedGeneration: 1, phase: 'Provisioning',
    conditions: [
      condition('Ready', 'False', 'Provisioning', 'waiting for the character pod to become available'),
      condition('Accepted', 'True', 'Accepted', 'the operator runs this Character'),
      condition('Available', 'False', 'NoAvailablePod', 'no character pod is available yet'),
      condition('Registered', 'False', 'NotRegistered', 'the character has not registered yet'),
      condition('Degraded', 'False', 'AsExpected', 'no failure observed'),
    ],
  };
  const running = { ...provisioning, phase: 'Running', conditions: [condition('Ready', 'True', 'Running', 'the character pod runs'), ...provisioning.conditions.slice(1)] };

  type Op = { label: string; run: (i: number, round: number) => Promise<unknown> };
  const character = (i: number, round: number) => `hero-${round}-${i}`;
  const ops: Op[] = [
    { label: 'POST Character', run: (i, r) => client.request('POST', collectionPath(Kinds.Character, NS), { body: { apiVersion: Kinds.Character.apiVersion, kind: 'Character', metadata: { name: character(i, r) }, spec: { displayName: 'hero', class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' } } }) },
    { label: 'PATCH Character finalizer', run: (i, r) => client.request('PATCH', objectPath(Kinds.Character, NS, character(i, r)), { body: { metadata: { finalizers: ['distributed-dungeon.io/bench'] } }, contentType: 'application/merge-patch+json' }) },
    { label: 'PATCH Character status (first)', run: (i, r) => client.request('PATCH', `${objectPath(Kinds.Character, NS, character(i, r))}/status`, { body: { status: provisioning }, contentType: 'application/merge-patch+json' }) },
    { label: 'PATCH Character status (Running)', run: (i, r) => client.request('PATCH', `${objectPath(Kinds.Character, NS, character(i, r))}/status`, { body: { status: running }, contentType: 'application/merge-patch+json' }) },
    {
      label: 'POST Event',
      run: (i, r) => client.request('POST', `/api/v1/namespaces/${NS}/events`, {
        body: {
          apiVersion: 'v1', kind: 'Event', metadata: { generateName: `${character(i, r)}.`, namespace: NS },
          involvedObject: { apiVersion: Kinds.Character.apiVersion, kind: 'Character', name: character(i, r), namespace: NS },
          type: 'Normal', reason: 'Provisioning', message: 'Ready=False (phase (none) → Provisioning): waiting for the character pod to become available',
          source: { component: FIELD_MANAGER }, reportingComponent: FIELD_MANAGER, reportingInstance: 'bench', firstTimestamp: now(), lastTimestamp: now(), count: 1,
        },
      }),
    },
    { label: 'GET Character (a read, for scale)', run: (i, r) => client.request('GET', objectPath(Kinds.Character, NS, character(i, r))) },
  ];
  const children: [string, Kind, (c: BuildContext) => { metadata: { name: string } }][] = [
    ['Secret', Kinds.Secret, (c) => buildSecret(c, 'k'.repeat(43))],
    ['ConfigMap', Kinds.ConfigMap, buildConfigMap],
    ['ServiceAccount', Kinds.ServiceAccount, buildServiceAccount],
    ['NetworkPolicy', Kinds.NetworkPolicy, buildNetworkPolicy],
    ['Service (headless)', Kinds.Service, buildService],
  ];
  for (const [label, kind, build] of children) {
    ops.push(
      { label: `APPLY ${label} (new)`, run: (i, r) => { const o = build(ctx(`apply-${r}-${i}`)); return client.request('PATCH', objectPath(kind, NS, o.metadata.name), { body: o, contentType: 'application/apply-patch+yaml', query: { fieldManager: FIELD_MANAGER, force: true } }); } },
      {
        label: `POST ${label}`,
        run: (i, r) => {
          const { metadata: { ownerReferences: _none, ...metadata }, ...rest } = build(ctx(`post-${r}-${i}`)) as { metadata: Record<string, unknown> & { ownerReferences?: unknown } };
          return client.request('POST', collectionPath(kind, NS), { body: { ...rest, metadata } });
        },
      },
    );
  }

  const perOp = new Map<string, { apiserver: number[]; etcd: number[] }>();
  for (let round = 1; round <= ROUNDS; round++) {
    say(`round ${round}/${ROUNDS}: ${ops.length} kinds of write, ${N} each, ${CONCURRENCY} at a time`);
    for (const op of ops) {
      const [a0, e0] = [cpuMs(apiserver), cpuMs(etcd)];
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) await op.run(next++, round);
      }));
      // Watch fan-out and audit trail off the request path land a moment later.
      await new Promise((r) => setTimeout(r, 1_000));
      const entry = perOp.get(op.label) ?? { apiserver: [], etcd: [] };
      entry.apiserver.push((cpuMs(apiserver) - a0) / N);
      entry.etcd.push((cpuMs(etcd) - e0) / N);
      perOp.set(op.label, entry);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  say('');
  say(`| write (${N} x ${ROUNDS} rounds) | kube-apiserver CPU ms | etcd CPU ms |`);
  say('|---|---|---|');
  for (const [label, { apiserver: a, etcd: e }] of perOp) say(`| ${label} | ${mean(a).toFixed(1)} | ${mean(e).toFixed(1)} |`);
  const cost = (label: string) => mean(perOp.get(label)!.apiserver);
  const applies = children.reduce((sum, [label]) => sum + cost(`APPLY ${label} (new)`), 0) + cost('APPLY Secret (new)'); // two Secrets
  const posts = children.reduce((sum, [label]) => sum + cost(`POST ${label}`), 0);
  const extra = cost('PATCH Character finalizer') + cost('PATCH Character status (first)') + cost('PATCH Character status (Running)') + 2 * cost('POST Event');
  say('');
  say(`per Character, the children measured here (without the PVC and the Deployment): the operator's applies ${applies.toFixed(1)} ms (two Secrets), a plain client's POSTs ${posts.toFixed(1)} ms (one)`);
  say(`per Character, the operator's writes a plain client does not make (finalizer, two status writes, two Events): ${extra.toFixed(1)} ms`);
} finally {
  client.close();
  await cp.stop();
}
