// The platform on the local control plane, as e2e/local and `make demo` run it: `helm install` the
// chart for real, then — because kwok's pods are only fake — run the operator and the api-server
// as processes with the environment and files the chart gives their pods, and the Characters'
// workloads likewise. PostgreSQL and Redis from testkit stand in for the chart's bundled ones.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase, eventually, freePort, startProcess, waitUntil, type ManagedProcess } from '@distributed-dungeon/testkit';
import { names } from '@distributed-dungeon/operator';
import { chartDir, helm as runHelm, kubectl as runKubectl, repoRoot, withValuesFile, type KubeObject } from '../../charts/dungeon/src/chart.ts';
import { localPod, namespaceData, ServiceMap, type DeploymentObject, type NamespaceData } from './pod.ts';

export { repoRoot };
export const FIXTURES_DIR = resolve(repoRoot, 'e2e', 'fixtures', 'characters');
export const EXAMPLES_DIR = resolve(repoRoot, 'character-base-image', 'examples');
const RUNTIME = resolve(repoRoot, 'character-base-image', 'src', 'runtime', 'main.ts');

/** The three example Characters (e2e/fixtures/characters) and the example folder each image holds. */
export const EXAMPLES = [
  { file: 'fighter.yaml', name: 'thorin-ironbeard', example: 'fighter' },
  { file: 'wizard.yaml', name: 'elara-moonwhisper', example: 'wizard' },
  { file: 'rogue.yaml', name: 'vex-shadowstep', example: 'rogue' },
] as const;

/**
 * Values for a local install. The chart's own operator pods would be fake on kwok, so none are
 * asked for (the operator runs as a process). The game knobs make a session short and repeatable.
 */
export const LOCAL_VALUES: Record<string, unknown> = {
  operator: { replicas: 0 },
  apiServer: {
    replicas: 1,
    extraEnv: [
      { name: 'DUNGEON_SEED', value: '42' },
      { name: 'DUNGEON_TURN_TIMEOUT_MS', value: '3000' },
      { name: 'CORPSE_GRACE_SECONDS', value: '20' },
    ],
  },
};

export interface LocalPlatformOptions {
  kubeconfig: string;
  postgresAdminUrl: string;
  redisUrl: string;
  /** Release namespace (default dungeon-system; created, restricted Pod Security enforced). */
  namespace?: string;
  release?: string;
  /** Values over LOCAL_VALUES (objects merge, arrays and scalars replace). */
  values?: Record<string, unknown>;
  /**
   * Namespaces opened to players (the chart's players.namespaces): created before the install,
   * since the chart binds the operator's namespaced rights in each. Characters run only there.
   */
  playerNamespaces?: string[];
  /** Logs, volumes and kubeconfigs of the processes. */
  workdir: string;
  progress?: (line: string) => void;
}

export interface CharacterWorkload {
  name: string;
  namespace: string;
  characterId: string;
  process: ManagedProcess;
  port: number;
  env: Record<string, string>;
  dataDir: string;
}

export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? mergeValues(b, v) : v;
  }
  return out;
}

// The project's one poll-until helper, re-exported for the e2e code that imports it from here.
export { eventually };

export class LocalPlatform {
  readonly namespace: string;
  readonly release: string;
  readonly workdir: string;
  readonly kubeconfig: string;
  readonly services = new ServiceMap();
  readonly characters: CharacterWorkload[] = [];
  apiServer: ManagedProcess | undefined;
  operator: ManagedProcess | undefined;
  /** The api-server as the processes reach it (http://127.0.0.1:<port>). */
  apiUrl = '';
  /**
   * The admin API as the processes reach it: the api-server's admin port (the chart's
   * `apiServer.adminPort`, on by default; the public port refuses the admin token), else `apiUrl`.
   */
  adminUrl = '';
  /** The admin token the chart generated (Secret `<release>-auth`). */
  adminToken = '';
  /** The database that stands in for the bundled PostgreSQL. */
  databaseUrl = '';
  /** What `helm install` printed (status and NOTES.txt). */
  installOutput = '';
  readonly #opts: LocalPlatformOptions;
  readonly #say: (line: string) => void;
  #apiPort = 0;
  #adminPort = 0;

  private constructor(opts: LocalPlatformOptions) {
    this.#opts = opts;
    this.namespace = opts.namespace ?? 'dungeon-system';
    this.release = opts.release ?? 'dungeon';
    this.workdir = opts.workdir;
    this.kubeconfig = opts.kubeconfig;
    this.#say = opts.progress ?? (() => undefined);
    mkdirSync(this.workdir, { recursive: true });
  }

  /** LOCAL_VALUES, the namespaces opened to players, then the caller's values. */
  #values(): Record<string, unknown> {
    return mergeValues(mergeValues(LOCAL_VALUES, { players: { namespaces: this.#opts.playerNamespaces ?? [] } }), this.#opts.values ?? {});
  }

  /** helm install, then the api-server and the operator as processes, both ready. */
  static async start(opts: LocalPlatformOptions): Promise<LocalPlatform> {
    const p = new LocalPlatform(opts);
    try {
      await p.install();
      await p.startApiServer();
      await p.startOperator();
    } catch (error) {
      await p.stop();
      throw error;
    }
    return p;
  }

  async kubectl(args: string[], input?: string): Promise<string> {
    return (await runKubectl(args, { kubeconfig: this.kubeconfig, input })).stdout;
  }

  async helm(args: string[], values?: Record<string, unknown>): Promise<string> {
    return withValuesFile(values, async (valuesArgs) => (await runHelm([...args, ...valuesArgs], { kubeconfig: this.kubeconfig })).stdout);
  }

  async getJson<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, '-o', 'json'])) as T;
  }

  async install(): Promise<string> {
    const ns = this.namespace;
    await this.kubectl(['create', 'namespace', ns]);
    await this.kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
    const players = this.#opts.playerNamespaces ?? [];
    for (const player of players) {
      await this.kubectl(['create', 'namespace', player]);
      await this.kubectl(['label', 'namespace', player, 'pod-security.kubernetes.io/enforce=restricted']);
    }
    this.#say(`helm install ${this.release} charts/dungeon -n ${ns} (operator.replicas=0: the operator runs as a process; players.namespaces=${players.join(',')})`);
    const out = await this.helm(['install', this.release, chartDir, '-n', ns], this.#values());
    this.installOutput = out;
    const auth = await this.#data(ns);
    this.adminToken = auth.secrets.get(`${this.release}-auth`)?.['admin-token'] ?? '';
    if (!this.adminToken) throw new Error(`helm install made no admin token in Secret ${this.release}-auth`);
    return out;
  }

  /** helm upgrade with the local values plus `values`. */
  async upgrade(values: Record<string, unknown>): Promise<string> {
    this.#say(`helm upgrade ${this.release} with ${JSON.stringify(values)}`);
    return this.helm(['upgrade', this.release, chartDir, '-n', this.namespace], mergeValues(this.#values(), values));
  }

  async uninstall(): Promise<string> {
    this.#say(`helm uninstall ${this.release}`);
    return this.helm(['uninstall', this.release, '-n', this.namespace, '--wait', '--timeout', '2m']);
  }

  async #data(namespace: string): Promise<NamespaceData> {
    type List = { items: (KubeObject & { data?: Record<string, string> })[] };
    const [secrets, configMaps] = await Promise.all([
      this.getJson<List>(['get', 'secrets', '-n', namespace]),
      this.getJson<List>(['get', 'configmaps', '-n', namespace]),
    ]);
    return namespaceData(secrets.items, configMaps.items);
  }

  async #deployment(namespace: string, selectorOrName: string): Promise<DeploymentObject> {
    if (selectorOrName.includes('=')) {
      const list = await this.getJson<{ items: DeploymentObject[] }>(['get', 'deployments', '-n', namespace, '-l', selectorOrName]);
      if (list.items.length !== 1) throw new Error(`expected one Deployment for ${selectorOrName} in ${namespace}, found ${list.items.length}`);
      return list.items[0]!;
    }
    return this.getJson<DeploymentObject>(['get', 'deployment', selectorOrName, '-n', namespace]);
  }

  #component(component: string): string {
    return `app.kubernetes.io/instance=${this.release},app.kubernetes.io/component=${component}`;
  }

  #spawn(name: string, script: string, env: Record<string, string>, dir: string): ManagedProcess {
    return startProcess(name, process.execPath, ['--conditions=source', script], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir, ...env },
      logFile: join(dir, `${name}.log`),
    });
  }

  /** The api-server with its Deployment's environment; DATABASE_URL and REDIS_URL point at testkit's servers. */
  async startApiServer(): Promise<void> {
    const deployment = await this.#deployment(this.namespace, this.#component('api-server'));
    const dir = join(this.workdir, 'api-server');
    const { env } = localPod(deployment, 'api-server', await this.#data(this.namespace), dir, `${deployment.metadata.name}-local`);
    const podPort = Number(env.PORT);
    this.databaseUrl ||= await createDatabase(this.#opts.postgresAdminUrl, 'e2e');
    this.#apiPort ||= await freePort();
    Object.assign(env, { PORT: String(this.#apiPort), HOST: '127.0.0.1', DATABASE_URL: this.databaseUrl, REDIS_URL: this.#opts.redisUrl });
    this.services.add(deployment.metadata.name, this.namespace, podPort, `127.0.0.1:${this.#apiPort}`);
    this.apiUrl = `http://127.0.0.1:${this.#apiPort}`;
    this.adminUrl = this.apiUrl;
    const podAdminPort = Number(env.ADMIN_PORT ?? 0);
    if (podAdminPort) {
      // The admin port on a free local port too, and the Service's admin port routed to it.
      this.#adminPort ||= await freePort();
      env.ADMIN_PORT = String(this.#adminPort);
      this.services.add(deployment.metadata.name, this.namespace, podAdminPort, `127.0.0.1:${this.#adminPort}`);
      this.adminUrl = `http://127.0.0.1:${this.#adminPort}`;
    }
    // The pod announces $(POD_IP):<admin port, else port> to the other replicas; here, the local one.
    env.DUNGEON_REPLICA_URL = this.adminUrl;
    this.#say(`api-server process on ${this.apiUrl} (admin API on ${this.adminUrl}) with the environment of deployment/${deployment.metadata.name}`);
    this.apiServer = this.#spawn('api-server', resolve(repoRoot, 'api-server', 'src', 'main.ts'), env, dir);
    await waitUntil('api-server /readyz', async () => (await fetch(`${this.apiUrl}/readyz`)).ok, { process: this.apiServer, timeoutMs: 90_000, intervalMs: 250 });
  }

  /**
   * The operator with its Deployment's environment and policy file, talking to Kubernetes with a
   * token of the chart's operator ServiceAccount (so the chart's ClusterRole is what it may do).
   * Characters get the in-cluster registry address, as in the cluster.
   */
  async startOperator(): Promise<void> {
    const deployment = await this.#deployment(this.namespace, this.#component('operator'));
    const dir = join(this.workdir, 'operator');
    const { env } = localPod(deployment, 'operator', await this.#data(this.namespace), dir, `${deployment.metadata.name}-local`);
    const serviceAccount = deployment.spec.template.spec.serviceAccountName ?? 'default';
    const token = (await this.kubectl(['create', 'token', serviceAccount, '-n', this.namespace, '--duration=6h'])).trim();
    const admin = JSON.parse(readFileSync(this.kubeconfig, 'utf8')) as { clusters: unknown[]; contexts: { context: { cluster: string } }[] };
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', clusters: admin.clusters,
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: 'operator', context: { cluster: admin.contexts[0]!.context.cluster, user: serviceAccount } }],
      'current-context': 'operator',
    }), { mode: 0o600 });
    const port = await freePort();
    Object.assign(env, {
      KUBECONFIG: kubeconfig,
      DUNGEON_CHARACTER_REGISTRY_URL: env.DUNGEON_REGISTRY_URL!,
      DUNGEON_REGISTRY_URL: this.services.resolve(env.DUNGEON_REGISTRY_URL!),
      OPERATOR_PORT: String(port),
    });
    this.#say(`operator process (service account ${serviceAccount}) with the environment and policy of deployment/${deployment.metadata.name}`);
    this.operator = this.#spawn('operator', resolve(repoRoot, 'operator', 'src', 'main.ts'), env, dir);
    await waitUntil('operator /readyz', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, { process: this.operator, timeoutMs: 90_000, intervalMs: 250 });
  }

  /** As a rollout would: the old operator process stops, a new one starts from the Deployment as it is now. */
  async restartOperator(): Promise<void> {
    await this.operator?.stop('SIGTERM', 10_000);
    await this.startOperator();
  }

  /** `kubectl apply` of the example Characters (e2e/fixtures/characters) into `namespace`. */
  async applyExamples(namespace: string): Promise<string> {
    return this.kubectl(['apply', '-n', namespace, ...EXAMPLES.flatMap((e) => ['-f', join(FIXTURES_DIR, e.file)])]);
  }

  /** `POST /api/sessions` as the game master: the session the characters will join. */
  async openSession(name: string): Promise<string> {
    const id = `${name}-${randomBytes(3).toString('hex')}`;
    const res = await fetch(`${this.adminUrl}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, name }),
    });
    if (!res.ok) throw new Error(`POST /api/sessions: HTTP ${res.status} ${await res.text()}`);
    return id;
  }

  /**
   * Runs the Character's workload as a process, as the kubelet would run its pod: waits for the
   * Deployment the operator made and its credentials, takes the container's environment, mounts
   * /config and /data as local folders, and uses the example folder as the image's /app/character.
   */
  async runCharacter(namespace: string, name: string, example: string): Promise<CharacterWorkload> {
    const deploymentName = names.deployment(name);
    const dir = join(this.workdir, 'characters', `${namespace}-${name}`);
    const { deployment, pod } = await eventually(`deployment/${deploymentName} and its Secret and ConfigMap`, async () => {
      const d = await this.#deployment(namespace, deploymentName);
      return { deployment: d, pod: localPod(d, 'character', await this.#data(namespace), dir, `${deploymentName}-local`) };
    }, 60_000, 500);
    const port = await freePort();
    const env: Record<string, string> = {
      ...pod.env,
      DUNGEON_REGISTRY_URL: this.services.resolve(pod.env.DUNGEON_REGISTRY_URL!),
      CHARACTER_ENDPOINT: `http://127.0.0.1:${port}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHARACTER_DIR: join(EXAMPLES_DIR, example),
    };
    const proc = this.#spawn(`character-${name}`, RUNTIME, env, dir);
    const workload: CharacterWorkload = { name, namespace, characterId: env.CHARACTER_ID!, process: proc, port, env, dataDir: env.DATA_DIR! };
    this.characters.push(workload);
    this.#say(`character ${name} (${env.CHARACTER_ID}) as a process on :${port} with the environment of deployment/${deployment.metadata.name}`);
    return workload;
  }

  async waitCharacterReady(c: CharacterWorkload, timeoutMs = 90_000): Promise<void> {
    await waitUntil(`${c.name} /readyz`, async () => (await fetch(`http://127.0.0.1:${c.port}/readyz`)).ok, { process: c.process, timeoutMs, intervalMs: 250 });
  }

  /** What the kubelet does when the pod goes away: SIGTERM, then SIGKILL after the grace period. */
  async stopCharacter(c: CharacterWorkload): Promise<void> {
    await c.process.stop('SIGTERM', 10_000);
  }

  /** `kubectl get characters` in `namespace`. */
  async characterTable(namespace: string): Promise<string> {
    return this.kubectl(['get', 'characters', '-n', namespace]);
  }

  /** Stops every process this platform started (characters first); the release stays installed. */
  async stop(): Promise<void> {
    await Promise.all(this.characters.map((c) => c.process.stop('SIGTERM', 10_000)));
    await this.operator?.stop('SIGTERM', 10_000);
    await this.apiServer?.stop('SIGTERM', 10_000);
  }
}

/** Rows of a kubectl table (columns are cut where the header's words start; empty cells stay ''). */
export function parseTable(table: string): Record<string, string>[] {
  const [header, ...rows] = table.trimEnd().split('\n');
  if (!header) return [];
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0].toLowerCase(), at: m.index }));
  return rows
    .filter((r) => r.trim())
    .map((r) => Object.fromEntries(starts.map((c, i) => [c.name, r.slice(c.at, starts[i + 1]?.at ?? r.length).trim()])));
}

/** Polls `kubectl get characters` and calls `onChange` with the table whenever a row changes (AGE aside). */
export function watchCharacterTable(platform: LocalPlatform, namespace: string, onChange: (table: string) => void, intervalMs = 1000): { stop: () => Promise<void> } {
  let last = '';
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const table = await platform.characterTable(namespace);
        const key = table.split('\n').map((l) => l.replace(/\s+\S+\s*$/, '')).join('\n');
        if (key !== last) {
          last = key;
          onChange(table.trimEnd());
        }
      } catch (error) {
        if (!stopped) onChange(`(kubectl get characters failed: ${(error as Error).message})`);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
