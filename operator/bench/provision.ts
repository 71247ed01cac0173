// Benchmark: time to fully provision N Characters (phase Running) through the operator, the
// operator's memory at each size (heap after a full GC, RSS now and at its peak), and beside it
// the time a plain parallel client needs to create the same objects on the same control plane
// in the same run (each Character's seven, and each namespace's quota and limits). At the
// largest size, the latency of a reconcile after a change: spec.level of CHANGES Characters is
// raised, and the time from each write to the status that has judged it (the Ready condition's
// observedGeneration) is measured.
// The control plane runs no kubelet: kwok nodes keep pods Running.
//   node --conditions=source operator/bench/provision.ts [1000,5000]
// OPERATOR_HEAP_MIB (default 128): V8's old-space limit of the operator, as the chart sets it.
// OPERATOR_NODE_FLAGS, OPERATOR_MALLOC_ARENA_MAX: the operator's other Node flags and glibc arenas
// (default: the chart's).
// OPERATOR_LOG_LEVEL (default warn): debug logs each write and each Kubernetes request's time.
// The operator gets as many workers as the plain client has parallel requests (32).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, start } from '@distributed-dungeon/api-server';
import { characterIdFor, CharacterSpecSchema } from '@distributed-dungeon/contracts';
import { createDatabase, freePort, makeWorkdir, startControlPlane, startPostgres, startProcess, startRedis } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
import {
  buildConfigMap,
  buildDeployment,
  buildLimitRange,
  buildNetworkPolicy,
  buildResourceQuota,
  buildPvc,
  buildSecret,
  buildService,
  buildServiceAccount,
  type BuildContext,
} from '../src/builders/index.ts';
import { KubeClient, KubeError } from '../src/kube/client.ts';
import { Kinds, collectionPath } from '../src/kube/resources.ts';
import { parsePolicy } from '../src/policy.ts';
import { applyCrd } from '../test/harness.ts';
import { bundleMain, bundleOperator } from '../build/bundle.ts';
import { heapAfterGc } from './inspector.ts';

const sizes = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const HEAP_MIB = Number(process.env.OPERATOR_HEAP_MIB ?? 128);
// The rest of the chart's NODE_OPTIONS and env for the operator (templates/operator-deployment.yaml);
// OPERATOR_NODE_FLAGS and OPERATOR_MALLOC_ARENA_MAX try others.
const NODE_FLAGS = (process.env.OPERATOR_NODE_FLAGS ?? '--max-semi-space-size=2').split(' ').filter(Boolean);
const CHART_ENV: Record<string, string> = { MALLOC_ARENA_MAX: process.env.OPERATOR_MALLOC_ARENA_MAX ?? '2' };
const CHANGES = 200;
const CHANGES_PER_SECOND = 4;
const MANAGED_BY = 'app.kubernetes.io/managed-by';
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

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

interface Listed {
  metadata: { namespace?: string; name: string; resourceVersion?: string };
}

/**
 * How many objects of a collection are done (`done`), kept from one list and then a watch. A
 * list every 5 s of all 5,000 Characters (and of 10,000 Deployments) was itself a load on
 * kube-apiserver and on this process, and timed the end only to the next list.
 */
class Tally {
  private readonly state = new Map<string, boolean>();
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private running: Promise<void> | undefined;
  count = 0;

  private readonly path: string;
  private readonly query: Record<string, string>;
  private readonly done: (o: Listed) => boolean;

  constructor(path: string, query: Record<string, string>, done: (o: Listed) => boolean) {
    this.path = path;
    this.query = query;
    this.done = done;
  }

  async start(): Promise<void> {
    // Just after the CRD is made, its storage answers 429 (re)initializing for a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.relist();
        break;
      } catch (error) {
        if (!(error instanceof KubeError && error.status === 429) || attempt >= 30) throw error;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    this.running = this.watch();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private note(o: Listed, gone = false): void {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    const now = !gone && this.done(o);
    if (now !== (this.state.get(key) ?? false)) this.count += now ? 1 : -1;
    if (gone) this.state.delete(key);
    else this.state.set(key, now);
  }

  private async relist(): Promise<void> {
    const list = await client.request<{ metadata: { resourceVersion: string }; items: Listed[] }>('GET', this.path, { query: this.query });
    this.state.clear();
    this.count = 0;
    for (const o of list.items) this.note(o);
    this.resourceVersion = list.metadata.resourceVersion;
  }

  private async watch(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await client.stream(this.path, { ...this.query, watch: 1, allowWatchBookmarks: true, resourceVersion: this.resourceVersion, timeoutSeconds: 300 }, (e) => {
          const { type, object } = e as { type: string; object: Listed & { code?: number; message?: string } };
          if (type === 'ERROR') throw new Error(`watch of ${this.path}: ${object.code} ${object.message}`);
          this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
          if (type !== 'BOOKMARK') this.note(object, type === 'DELETED');
        }, this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        // Expired (410) or cut off: list again, then watch from there.
        say(`  ${String(error)}; listing ${this.path} again`);
        await new Promise((r) => setTimeout(r, 1_000));
        await this.relist().catch((e: unknown) => say(`  list of ${this.path} failed: ${String(e)}`));
      }
    }
  }
}

function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface CharacterLike {
  metadata: { namespace: string; name: string; generation?: number; resourceVersion: string };
  status?: { phase?: string; conditions?: { type: string; observedGeneration?: number }[] };
}

/**
 * Raises spec.level of `targets` (CHANGES_PER_SECOND a second, as players would) and measures, for
 * each, the time from its write to a status whose Ready condition has judged the new generation.
 */
async function reconcileLatencies(targets: { ns: string; name: string }[]): Promise<number[]> {
  const written = new Map<string, { at: number; generation: number }>();
  const seen = new Map<string, number>();
  const latencies: number[] = [];
  const abort = new AbortController();
  const note = (c: CharacterLike) => {
    const key = `${c.metadata.namespace}/${c.metadata.name}`;
    const w = written.get(key);
    const judged = c.status?.conditions?.find((x) => x.type === 'Ready')?.observedGeneration ?? 0;
    if (w && !seen.has(key) && judged >= w.generation) {
      seen.set(key, performance.now());
      latencies.push(performance.now() - w.at);
    }
  };
  const namespaces = [...new Set(targets.map((t) => t.ns))];
  // Watched for the time of each status, and polled as well (below) in case a stream ends.
  await Promise.all(namespaces.map(async (ns) => {
    const list = await client.request<{ metadata: { resourceVersion: string } }>('GET', collectionPath(Kinds.Character, ns), { query: { limit: 1 } });
    void client
      .stream(collectionPath(Kinds.Character, ns), { watch: 1, resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 600 }, (e) => note((e as { object: CharacterLike }).object), abort.signal)
      .catch((error: unknown) => {
        if (!abort.signal.aborted) say(`watch of ${ns} ended (${String(error)}); polling only`);
      });
  }));
  // Paced, as players' changes come: each change rolls its pod out again (about fifteen writes of
  // the controllers), and the bench's earlier burst (200 changes in a few seconds) measured 200
  // rollouts at once on two cores, not the operator's answer to a change.
  const start = performance.now();
  await Promise.all(targets.map(async ({ ns, name }, i) => {
    await new Promise((r) => setTimeout(r, Math.max(0, start + (i * 1000) / CHANGES_PER_SECOND - performance.now())));
    // Recorded before the write: its status may arrive before the write's own answer. Every
    // Character is at generation 1 (status writes do not move it), so the change makes it 2.
    written.set(`${ns}/${name}`, { at: performance.now(), generation: 2 });
    const updated = await client.request<CharacterLike>('PATCH', `${collectionPath(Kinds.Character, ns)}/${name}`, {
      body: { spec: { level: 2 } },
      contentType: 'application/merge-patch+json',
    });
    if (updated.metadata.generation !== 2) throw new Error(`${ns}/${name}: generation ${updated.metadata.generation} after one change, expected 2`);
  }));
  say(`  ${targets.length} spec changes written; waiting for their statuses`);
  await until(`${targets.length} changes reconciled`, async () => {
    if (seen.size < targets.length) {
      for (const ns of namespaces) {
        const list = await client.request<{ items: CharacterLike[] }>('GET', collectionPath(Kinds.Character, ns));
        for (const c of list.items) note(c);
      }
    }
    return seen.size === targets.length;
  }, 10 * 60_000);
  abort.abort();
  return latencies.sort((a, b) => a - b);
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * A create that survives a busy apiserver (the operator retries with backoff; one timed-out
 * request of the plain client ended the whole run): again after a timeout or a 5xx, and an
 * AlreadyExists then means the first attempt landed.
 */
async function createOnce(path: string, body: unknown): Promise<void> {
  const name = (body as { metadata: { name: string } }).metadata.name;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.request('POST', path, { body });
      return;
    } catch (error) {
      if (attempt > 1 && error instanceof KubeError && error.status === 409) return;
      const retriable = !(error instanceof KubeError) || error.status >= 500 || error.status === 429;
      if (!retriable || attempt >= 8) throw error;
      say(`  plain client: ${String(error)}; again (attempt ${attempt + 1})`);
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
      // A timed-out create is often still in kube-apiserver's line (Services wait for their cluster
      // IP one at a time): posting it again only lengthened that line. Landed meanwhile: done.
      const landed = await client.request('GET', `${path}/${name}`).then(() => true, () => false);
      if (landed) return;
    }
  }
}

// The operator runs as its image runs it: esbuild's bundle (operator/build/bundle.ts, as the
// Dockerfile), not the TypeScript sources, whose type stripping alone costs the process ~35 MiB.
await bundleOperator();
const operatorMain = bundleMain;
const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
// kwok nodes take 2,000 pods each: enough for the operator's and the plain client's at every size.
const cp = await startControlPlane({ nodes: Math.ceil((2 * sizes.reduce((a, b) => a + b, 0)) / 2000) + 1 });
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
  const inspectPort = await freePort();
  // The chart's NODE_OPTIONS, with the old space given in MiB (no cgroup limit here to take a share of).
  const heapFlags = [`--max-old-space-size=${HEAP_MIB}`, ...NODE_FLAGS];
  say(`operator: node ${heapFlags.join(' ')}, ${Object.entries(CHART_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  operatorProc = startProcess('operator', process.execPath, [...heapFlags, `--inspect=127.0.0.1:${inspectPort}`, operatorMain], {
    logFile: join(workdir, 'operator.log'),
    env: {
      ...process.env, ...CHART_ENV, KUBECONFIG: cp.kubeconfigPath, DUNGEON_REGISTRY_URL: api.url, DUNGEON_ADMIN_TOKEN: ADMIN,
      OPERATOR_PORT: '0', OPERATOR_WORKERS: String(CONCURRENCY), OPERATOR_POLICY_JSON: JSON.stringify(policyInput), LOG_LEVEL: process.env.OPERATOR_LOG_LEVEL ?? 'warn',
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
    const running = new Tally(collectionPath(Kinds.Character), {}, (c) =>
      opNs.includes(c.metadata.namespace!) && (c as { status?: { phase?: string } }).status?.phase === 'Running');
    await running.start();
    const t0 = performance.now();
    await pool(items(opNs), CONCURRENCY, ({ ns, name }) =>
      client.request('POST', collectionPath(Kinds.Character, ns), {
        body: { apiVersion: Kinds.Character.apiVersion, kind: 'Character', metadata: { name }, spec: { displayName: name, class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' } },
      }),
    );
    const created = performance.now() - t0;
    let lastReport = performance.now();
    await until(`${n} Characters Running`, async () => {
      // On a loaded machine this takes a while: say how far it is, and what the operator holds.
      if (performance.now() - lastReport > 60_000 && running.count < n) {
        lastReport = performance.now();
        say(`  ${running.count}/${n} Running after ${((lastReport - t0) / 1000).toFixed(0)} s; operator RSS ${rssMiB(pid, 'VmRSS')} MiB, peak ${rssMiB(pid, 'VmHWM')} MiB`);
      }
      return running.count >= n;
    }, 60 * 60_000, 250);
    const operatorSeconds = (performance.now() - t0) / 1000;
    await running.stop();
    const heap = await heapAfterGc(inspectPort);
    const rss = rssMiB(pid, 'VmRSS');
    const peak = rssMiB(pid, 'VmHWM');
    say(`operator: ${n} Characters created in ${(created / 1000).toFixed(1)} s, all Running after ${operatorSeconds.toFixed(1)} s`);
    say(`operator memory at ${n}: heap after GC ${heap.usedMiB} MiB (of ${heap.totalMiB} MiB allocated), RSS ${rss} MiB, peak RSS ${peak} MiB (old space limit ${HEAP_MIB} MiB)`);
    let latency: Record<string, number> | undefined;
    if (n === Math.max(...sizes)) {
      const all = items(opNs);
      const step = Math.max(1, Math.floor(all.length / CHANGES));
      const ms = await reconcileLatencies(all.filter((_, i) => i % step === 0).slice(0, CHANGES));
      latency = { changes: ms.length, p50Ms: Math.round(percentile(ms, 50)), p99Ms: Math.round(percentile(ms, 99)), maxMs: Math.round(ms[ms.length - 1]!) };
      say(`reconcile after a change at ${n}: ${ms.length} spec changes (${CHANGES_PER_SECOND}/s), p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms; peak RSS now ${rssMiB(pid, 'VmHWM')} MiB`);
    }

    // --- a plain parallel client creating the same objects (no operator involved)
    const plainNs = namespaces('plain');
    // Each namespace with the quota and limits the operator gives it: every pod and volume made
    // there then passes the same quota admission (and quota status writes) as the operator's.
    for (const ns of plainNs) {
      await client.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
      for (const o of [buildResourceQuota(ns, policy), buildLimitRange(ns, policy)]) {
        const kind = Object.values(Kinds).find((k) => k.kind === o.kind)!;
        await createOnce(collectionPath(kind, ns), o);
      }
    }
    const available = new Tally(collectionPath(Kinds.Deployment), { labelSelector: `${MANAGED_BY}=bench-plain-client` }, (d) =>
      plainNs.includes(d.metadata.namespace!) && (d as { status?: { availableReplicas?: number } }).status?.availableReplicas === 1);
    await available.start();
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
        // Not labelled as the operator's: it would cache the peer's objects (and pods) too, and
        // its memory at the next size would count them.
        const body = JSON.parse(JSON.stringify({ ...o, metadata })) as { metadata: { labels?: Record<string, string> }; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
        for (const labels of [body.metadata.labels, body.spec?.template?.metadata?.labels]) if (labels) labels[MANAGED_BY] = 'bench-plain-client';
        const kind = Object.values(Kinds).find((k) => k.kind === o.kind)!;
        await createOnce(collectionPath(kind, ns), body);
      }
    });
    const plainCreated = performance.now() - p0;
    let lastPlainReport = performance.now();
    await until(`${n} plain Deployments available`, async () => {
      if (performance.now() - lastPlainReport > 60_000 && available.count < n) {
        lastPlainReport = performance.now();
        say(`  plain client: ${available.count}/${n} Deployments available after ${((lastPlainReport - p0) / 1000).toFixed(0)} s`);
      }
      return available.count >= n;
    }, 30 * 60_000, 250);
    const plainSeconds = (performance.now() - p0) / 1000;
    await available.stop();
    say(`plain client: ${n} x 7 objects created in ${(plainCreated / 1000).toFixed(1)} s, all Deployments available after ${plainSeconds.toFixed(1)} s`);
    results.push({
      characters: n, operatorSeconds: +operatorSeconds.toFixed(1), plainClientSeconds: +plainSeconds.toFixed(1),
      operatorHeapAfterGcMiB: heap.usedMiB, operatorRssMiB: rss, operatorPeakRssMiB: rssMiB(pid, 'VmHWM'), ...(latency ? { reconcileAfterChange: latency } : {}),
    });
  }
  say(JSON.stringify({ kubernetes: cp.version, cores: (await import('node:os')).cpus().length, results }, null, 2));
} finally {
  await operatorProc?.stop();
  await api.stop();
  client.close();
  await cp.stop();
  await Promise.all([pg.destroy(), redis.destroy()]);
}
