// Benchmark: time to fully provision N Characters (phase Running) through the operator, the
// operator's peak memory, and beside it the time a plain parallel client needs to create the
// same objects on the same control plane in the same run.
//   node --conditions=source operator/bench/provision.ts [100,1000]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, start } from '@distributed-dungeon/api-server';
import { characterIdFor, CharacterSpecSchema } from '@distributed-dungeon/contracts';
import { createDatabase, makeWorkdir, startControlPlane, startPostgres, startProcess, startRedis } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
import {
  buildConfigMap,
  buildDeployment,
  buildNetworkPolicy,
  buildPvc,
  buildSecret,
  buildService,
  buildServiceAccount,
  type BuildContext,
} from '../src/builders/index.ts';
import { KubeClient } from '../src/kube/client.ts';
import { Kinds, collectionPath } from '../src/kube/resources.ts';
import { parsePolicy } from '../src/policy.ts';
import { applyCrd } from '../src/it/harness.ts';

const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const PER_NAMESPACE = 100;
const CONCURRENCY = 32;
const policyInput = {
  registryUrl: 'http://dungeon-api.dungeon-system.svc:8080',
  resources: { default: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } }, max: { cpu: '1', memory: '1Gi' } },
  quota: { pods: 1000, requestsCpu: '100', requestsMemory: '1Ti', limitsCpu: '1000', limitsMemory: '1Ti', requestsStorage: '10Ti', persistentVolumeClaims: 1000, maxStoragePerClaim: '10Gi' },
};

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
const cp = await startControlPlane({ nodes: 2 });
const client = KubeClient.load(cp.kubeconfigPath);
const workdir = makeWorkdir('operator-bench');
const results: Record<string, unknown>[] = [];
let operatorProc: ReturnType<typeof startProcess> | undefined;
const api = await start(
  loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await createDatabase(pg.adminUrl, 'bench'), REDIS_URL: redis.url,
    DUNGEON_ADMIN_TOKEN: ADMIN, JWT_SIGNING_KEYS: `k1:${'d'.repeat(40)}`, LOG_LEVEL: 'silent', RATE_LIMIT_POINTS: '1000000',
  }),
  { logger: pino({ level: 'silent' }) },
);
try {
  await applyCrd(cp.kubeconfigPath);
  operatorProc = startProcess('operator', process.execPath, ['--conditions=source', join(import.meta.dirname, '..', 'src', 'main.ts')], {
    logFile: join(workdir, 'operator.log'),
    env: {
      ...process.env, KUBECONFIG: cp.kubeconfigPath, DUNGEON_REGISTRY_URL: api.url, DUNGEON_ADMIN_TOKEN: ADMIN,
      OPERATOR_PORT: '0', OPERATOR_WORKERS: '8', OPERATOR_POLICY_JSON: JSON.stringify(policyInput), LOG_LEVEL: 'warn',
      OPERATOR_LEADER_ELECTION: 'false',
    },
  });
  const pid = operatorProc.child.pid!;
  const policy = parsePolicy(policyInput);

  for (const n of sizes) {
    const namespaces = (prefix: string) => Array.from({ length: Math.ceil(n / PER_NAMESPACE) }, (_, i) => `${prefix}-${n}-${i}`);
    const items = (nss: string[]) => Array.from({ length: n }, (_, i) => ({ ns: nss[Math.floor(i / PER_NAMESPACE)]!, name: `hero-${i}` }));

    // --- through the operator
    const opNs = namespaces('op');
    for (const ns of opNs) await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    const t0 = performance.now();
    await pool(items(opNs), CONCURRENCY, ({ ns, name }) =>
      client.request('POST', collectionPath(Kinds.Character, ns), {
        body: { apiVersion: Kinds.Character.apiVersion, kind: 'Character', metadata: { name }, spec: { displayName: name, class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' } },
      }),
    );
    const created = performance.now() - t0;
    await until(`${n} Characters Running`, async () => {
      const list = await client.request<{ items: { metadata: { namespace: string }; status?: { phase?: string } }[] }>('GET', collectionPath(Kinds.Character));
      return list.items.filter((c) => opNs.includes(c.metadata.namespace) && c.status?.phase === 'Running').length === n;
    }, 30 * 60_000);
    const operatorSeconds = (performance.now() - t0) / 1000;
    const rss = peakRssMb(pid);
    say(`operator: ${n} Characters created in ${(created / 1000).toFixed(1)} s, all Running after ${operatorSeconds.toFixed(1)} s; operator peak RSS ${rss} MiB`);

    // --- a plain parallel client creating the same objects (no operator involved)
    const plainNs = namespaces('plain');
    for (const ns of plainNs) await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    const p0 = performance.now();
    await pool(items(plainNs), CONCURRENCY, async ({ ns, name }) => {
      const ctx: BuildContext = {
        ref: { name, namespace: ns, uid: '00000000-0000-0000-0000-000000000000' },
        spec: CharacterSpecSchema.parse({ displayName: name, class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' }),
        characterId: characterIdFor(ns, name),
        policy,
      };
      const objects = [
        buildServiceAccount(ctx), buildSecret(ctx, 'plain-key'), buildConfigMap(ctx), buildPvc(ctx), buildService(ctx), buildNetworkPolicy(ctx),
        buildDeployment(ctx, { config: 'x', credentials: 'y' }),
      ];
      for (const o of objects) {
        const { ownerReferences: _drop, ...metadata } = o.metadata;
        const kind = Object.values(Kinds).find((k) => k.kind === o.kind)!;
        await client.request('POST', collectionPath(kind, ns), { body: { ...o, metadata } });
      }
    });
    const plainCreated = performance.now() - p0;
    await until(`${n} plain Deployments available`, async () => {
      const list = await client.request<{ items: { metadata: { namespace: string }; status?: { availableReplicas?: number } }[] }>('GET', collectionPath(Kinds.Deployment));
      return list.items.filter((d) => plainNs.includes(d.metadata.namespace) && d.status?.availableReplicas === 1).length === n;
    }, 30 * 60_000);
    const plainSeconds = (performance.now() - p0) / 1000;
    say(`plain client: ${n} x 7 objects created in ${(plainCreated / 1000).toFixed(1)} s, all Deployments available after ${plainSeconds.toFixed(1)} s`);
    results.push({ characters: n, operatorSeconds: +operatorSeconds.toFixed(1), operatorPeakRssMiB: rss, plainClientSeconds: +plainSeconds.toFixed(1) });
  }
  say(JSON.stringify({ kubernetes: cp.version, cores: (await import('node:os')).cpus().length, results }, null, 2));
} finally {
  await operatorProc?.stop();
  await api.stop();
  client.close();
  await cp.stop();
  await Promise.all([pg.destroy(), redis.destroy()]);
}
