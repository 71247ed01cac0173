// The platform on a real cluster with real images: kind (`make e2e-kind`, `make demo` where
// Docker works) or the user's own cluster (`make demo` with DUNGEON_IMAGE_REGISTRY). Build and
// load (or push) the images, `helm install`, apply the example Characters, follow the session
// through port-forwards to the api-server and Redis, then clean up.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Narrator, type SessionEnd } from '@distributed-dungeon/testkit';
import { apiKeyFromSecret, names } from '@distributed-dungeon/operator';
import { chartDir, helmBin, kubectlBin, runTool } from '../../../charts/dungeon/src/chart.ts';
import { EXAMPLES, eventually, FIXTURES_DIR, parseTable, repoRoot } from '../local-platform.ts';

export interface ClusterFlowOptions {
  /** kubeconfig of the target cluster (undefined: the user's default). */
  kubeconfig?: string;
  /** Set for kind: images are loaded into this cluster instead of pushed. */
  kindCluster?: string;
  /** Registry prefix the cluster pulls from (`registry.example/team`); images are pushed there. */
  imageRegistry?: string;
  /** Build (and load or push) the images first (default true). */
  buildImages?: boolean;
  release?: string;
  namespace?: string;
  playerNamespace?: string;
  say: (line: string) => void;
  onLine?: (line: string) => void;
  onTable?: (table: string) => void;
  timeoutMs?: number;
}

export interface ClusterFlowResult {
  sessionId: string;
  end: SessionEnd;
  registeredTable: string;
  /** Exit status of registering again with a deleted Character's old key (expected 401). */
  revokedKeyStatus: number;
  /** Objects the Characters owned that were still there after deletion (expected none). */
  leftAfterDelete: string;
}

/** Runs a command with its output on this terminal (image builds take minutes). */
export function stream(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'], cwd: repoRoot });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * The api-server Service's ports with the chart's defaults: `apiServer.port`, the public one
 * (characters), and `apiServer.adminPort`, the admin API's (the public port refuses the admin token).
 */
export const API_PORT = 8080;
export const ADMIN_PORT = 8081;

/** `kubectl port-forward` to a free local port; resolves once it forwards. */
export function portForward(kubeconfig: string | undefined, namespace: string, target: string, remotePort: number): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBin(), ['port-forward', '-n', namespace, target, `:${remotePort}`, '--address', '127.0.0.1'], {
      env: { ...process.env, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const m = /127\.0\.0\.1:(\d+) ->/.exec(d.toString());
      if (m) resolve({ port: Number(m[1]), stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`kubectl port-forward ${target} exited with ${code}: ${err.trim()}`)));
  });
}

const exampleImage = (example: string, registry?: string) => `${registry ? `${registry}/` : ''}distributed-dungeon/example-${example}:1.0.0`;

export async function runOnCluster(o: ClusterFlowOptions): Promise<ClusterFlowResult> {
  const release = o.release ?? 'dungeon';
  const ns = o.namespace ?? 'dungeon-system';
  const player = o.playerNamespace ?? 'player-demo';
  const say = o.say;
  const kc = o.kubeconfig ? { kubeconfig: o.kubeconfig } : {};
  const kubectl = async (args: string[], input?: string) => (await runTool(kubectlBin(), args, { ...kc, input })).stdout;
  const helm = async (args: string[]) => (await runTool(helmBin(), args, kc)).stdout;
  const docker = process.env.DOCKER || 'docker';
  const registryPrefix = o.imageRegistry ? `${o.imageRegistry.replace(/\/+$/, '')}/distributed-dungeon` : 'distributed-dungeon';

  if (o.buildImages ?? true) {
    say(`building the platform images (scripts/images.sh)${o.kindCluster ? ` and loading them into kind cluster ${o.kindCluster}` : ` and pushing them to ${registryPrefix}`}`);
    await stream('bash', ['scripts/images.sh'], {
      ...process.env,
      REGISTRY: registryPrefix,
      ...(o.kindCluster ? { KIND_CLUSTER: o.kindCluster } : { PUSH: '1' }),
    });
    // The examples' Dockerfiles build FROM distributed-dungeon/character-base:latest.
    const appVersion = /^appVersion:\s*"?([^"\s]+)"?/m.exec(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'))?.[1] ?? '0.1.0';
    await stream(docker, ['tag', `${registryPrefix}/character-base:${appVersion}`, 'distributed-dungeon/character-base:latest']);
    for (const e of EXAMPLES) {
      const ref = exampleImage(e.example, o.imageRegistry);
      say(`building the ${e.example} example: ${ref}`);
      await stream(docker, ['build', '--tag', ref, join(repoRoot, 'character-base-image', 'examples', e.example)]);
      if (o.kindCluster) await stream('kind', ['load', 'docker-image', ref, '--name', o.kindCluster]);
      else await stream(docker, ['push', ref]);
    }
  }

  say(`helm install ${release} charts/dungeon -n ${ns} --create-namespace --wait`);
  const set = [
    '--set', 'apiServer.replicas=1',
    '--set', 'operator.replicas=2',
    // The operator's namespaced rights and the character NetworkPolicy peers cover this one only.
    '--set', `players.namespaces={${player}}`,
    // Only our images come from there; Redis and PostgreSQL stay on Docker Hub.
    ...(o.imageRegistry ? ['--set', `operator.image.registry=${o.imageRegistry}`, '--set', `apiServer.image.registry=${o.imageRegistry}`] : []),
  ];
  const values = join(mkdtempSync(join(tmpdir(), 'dungeon-kind-')), 'values.json');
  writeFileSync(values, JSON.stringify({ apiServer: { extraEnv: [{ name: 'DUNGEON_SEED', value: '42' }, { name: 'DUNGEON_TURN_TIMEOUT_MS', value: '3000' }, { name: 'CORPSE_GRACE_SECONDS', value: '20' }] } }));
  await kubectl(['create', 'namespace', ns]).catch(() => undefined);
  await kubectl(['label', '--overwrite', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
  await kubectl(['create', 'namespace', player]).catch(() => undefined);
  await helm(['install', release, chartDir, '-n', ns, '--values', values, ...set, '--wait', '--timeout', '6m']);
  say('the platform is up: api-server, operator (leader elected), Redis and PostgreSQL pods are ready');

  const secret = async (name: string, key: string) => {
    const s = JSON.parse(await kubectl(['get', 'secret', name, '-n', ns, '-o', 'json'])) as { data: Record<string, string> };
    return Buffer.from(s.data[key] ?? '', 'base64').toString('utf8');
  };
  const adminToken = await secret(`${release}-auth`, 'admin-token');
  const redisPassword = await secret(`${release}-redis`, 'password');
  const api = await portForward(o.kubeconfig, ns, `svc/${release}-api-server`, API_PORT);
  const admin = await portForward(o.kubeconfig, ns, `svc/${release}-api-server`, ADMIN_PORT);
  const redis = await portForward(o.kubeconfig, ns, `svc/${release}-redis`, 6379);
  const apiUrl = `http://127.0.0.1:${api.port}`;
  let narrator: Narrator | undefined;
  let watching = true;
  try {
    const res = await fetch(`http://127.0.0.1:${admin.port}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `demo-${Date.now().toString(36)}`, name: 'demo' }),
    });
    if (!res.ok) throw new Error(`POST /api/sessions: HTTP ${res.status} ${await res.text()}`);
    const sessionId = ((await res.json()) as { id: string }).id;
    say(`game master opened session ${sessionId}`);
    narrator = new Narrator({ redisUrl: `redis://dungeon-admin:${encodeURIComponent(redisPassword)}@127.0.0.1:${redis.port}`, sessionId, onLine: o.onLine ?? (() => undefined) });
    await narrator.start();

    await kubectl(['create', 'namespace', player]).catch(() => undefined);
    await kubectl(['label', '--overwrite', 'namespace', player, 'pod-security.kubernetes.io/enforce=restricted']);
    for (const e of EXAMPLES) {
      const doc = parse(readFileSync(join(FIXTURES_DIR, e.file), 'utf8')) as { spec: { image: string } };
      doc.spec.image = exampleImage(e.example, o.imageRegistry);
      say(`kubectl apply -n ${player} -f e2e/fixtures/characters/${e.file}  (image ${doc.spec.image})`);
      await kubectl(['apply', '-n', player, '-f', '-'], JSON.stringify(doc));
    }
    let lastKey = '';
    const table = async () => {
      const t = await kubectl(['get', 'characters', '-n', player]);
      const key = t.split('\n').map((l) => l.replace(/\s+\S+\s*$/, '')).join('\n');
      if (key !== lastKey) {
        lastKey = key;
        o.onTable?.(t.trimEnd());
      }
      return t;
    };
    const registeredTable = await eventually('every Character Registered', async () => {
      const t = await table();
      const rows = parseTable(t);
      return rows.length === EXAMPLES.length && rows.every((r) => r.phase === 'Registered') ? t : undefined;
    }, 300_000, 1000);
    const watcher = (async () => {
      while (watching) {
        await table().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    const timeoutMs = o.timeoutMs ?? 600_000;
    const end = await Promise.race([
      narrator.ended,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`session ${sessionId} did not end within ${timeoutMs / 1000}s`)), timeoutMs).unref()),
    ]);
    watching = false;
    await watcher;

    say(`kubectl delete characters --all -n ${player}: the finalizer revokes each key, garbage collection removes the rest`);
    const credentials = JSON.parse(await kubectl(['get', 'secret', names.secret(EXAMPLES[0].name), '-n', player, '-o', 'json'])) as { data?: Record<string, string> };
    const oldKey = apiKeyFromSecret(credentials) ?? '';
    await kubectl(['delete', 'characters', '--all', '-n', player, '--wait=true', '--timeout=180s']);
    const revoked = await fetch(`${apiUrl}/api/registry/character`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oldKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ characterId: 'x', name: 'x', class: 'fighter', level: 1, containerEndpoint: 'http://x:3000', capabilities: ['combat'], version: '1.0.0' }),
    });
    const leftAfterDelete = await eventually('the children to be garbage-collected', async () => {
      const out = (await kubectl(['get', 'deployments,pods,services,persistentvolumeclaims,networkpolicies,secrets,configmaps', '-n', player, '-l', 'app.kubernetes.io/managed-by=dungeon-operator,app.kubernetes.io/name=character', '-o', 'name'])).trim();
      return out === '' ? 'none' : undefined;
    }, 180_000, 2000).catch((error: Error) => error.message);
    return { sessionId, end, registeredTable, revokedKeyStatus: revoked.status, leftAfterDelete: leftAfterDelete === 'none' ? '' : leftAfterDelete };
  } finally {
    watching = false;
    await narrator?.stop();
    api.stop();
    admin.stop();
    redis.stop();
  }
}

/** helm uninstall and the namespaces, after runOnCluster (also after a failure). */
export async function cleanUpCluster(o: Pick<ClusterFlowOptions, 'kubeconfig' | 'release' | 'namespace' | 'playerNamespace' | 'say'>): Promise<void> {
  const kc = o.kubeconfig ? { kubeconfig: o.kubeconfig } : {};
  const ns = o.namespace ?? 'dungeon-system';
  const player = o.playerNamespace ?? 'player-demo';
  o.say(`helm uninstall ${o.release ?? 'dungeon'}; deleting namespaces ${player} and ${ns}`);
  await runTool(kubectlBin(), ['delete', 'characters', '--all', '-n', player, '--ignore-not-found', '--wait=true', '--timeout=120s'], kc).catch((e: Error) => o.say(`  ${e.message}`));
  await runTool(helmBin(), ['uninstall', o.release ?? 'dungeon', '-n', ns, '--ignore-not-found', '--wait', '--timeout', '3m'], kc).catch((e: Error) => o.say(`  ${e.message}`));
  await runTool(kubectlBin(), ['delete', 'namespace', player, ns, '--ignore-not-found', '--wait=false'], kc).catch((e: Error) => o.say(`  ${e.message}`));
}
