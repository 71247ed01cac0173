// The platform on the real node (testkit's startRealNode): our images built from our Dockerfile
// and pushed to the node's registry, the chart installed with every image from there, every
// component a real pod. Used by the e2e/node suite's globalSetup and by `make demo`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startRealNode, type RealNode } from '@distributed-dungeon/testkit';
import { chartDir, helmBin, kubectlBin, repoRoot, runTool } from '../../../charts/dungeon/src/chart.ts';
import { EXAMPLES, FIXTURES_DIR } from '../local-platform.ts';

export const APP_VERSION = /^appVersion:\s*"?([^"\s]+)"?/m.exec(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'))?.[1] ?? '0.1.0';
/** The stand-ins (test fixtures) the chart's bundled Redis and PostgreSQL run on this machine. */
const STAND_IN_PUSHES = [
  { local: 'docker.io/library/postgres:17.6', repo: 'postgres:17.6' },
  { local: 'docker.io/library/redis:7.4', repo: 'redis:7.4' },
];

export interface NodePlatform {
  node: RealNode;
  kubeconfig: string;
  registry: string;
  release: string;
  namespace: string;
  /** Seconds each step took, for the closing note. */
  timings: Record<string, number>;
  stop(): Promise<void>;
}

/** Runs a command with its output prefixed on this terminal (image builds take minutes). */
export function streamed(cmd: string, args: string[], env: NodeJS.ProcessEnv, say: (l: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail: string[] = [];
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        tail = [...tail.slice(-40), line];
        if (/^(==| {3}built|images:|\[stand-ins|\[node )/.test(line)) say(line.trim());
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`))));
  });
}

export const exampleImage = (registry: string, example: string) => `${registry}/distributed-dungeon/example-${example}:1.0.0`;

/** The example Character `file` with its image from the node's registry. */
export function exampleCharacter(registry: string, e: (typeof EXAMPLES)[number]): Record<string, unknown> & { spec: Record<string, unknown> } {
  const doc = parse(readFileSync(join(FIXTURES_DIR, e.file), 'utf8')) as Record<string, unknown> & { spec: Record<string, unknown> };
  doc.spec.image = exampleImage(registry, e.example);
  return doc;
}

/**
 * `playerNamespaces`: opened to players (the chart's players.namespaces, where the operator's
 * namespaced rights are bound); made before the install. Default: player-node and player-demo.
 */
export async function startNodePlatform(o: { say: (l: string) => void; release?: string; namespace?: string; playerNamespaces?: string[] }): Promise<NodePlatform> {
  const say = o.say;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await fn();
    timings[name] = Math.round((Date.now() - t) / 100) / 10;
    return r;
  };
  const node = await timed('node up', () => startRealNode({ progress: (l) => say(`node: ${l}`) }));
  const release = o.release ?? 'dungeon';
  const namespace = o.namespace ?? 'dungeon-system';
  const kubeconfig = node.cluster.kubeconfigPath;
  const registry = node.registry;
  const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: node.registriesConf };
  try {
    await timed('images', async () => {
      say(`building our images from our Dockerfile and pushing them to ${registry}`);
      await streamed('bash', ['scripts/images.sh', 'api-server', 'operator', 'character-base', 'examples'], {
        ...env, REGISTRY: `${registry}/distributed-dungeon`, PUSH: '1',
      }, say);
      for (const s of STAND_IN_PUSHES) {
        await streamed('podman', ['tag', s.local, `${registry}/${s.repo}`], env, say);
        await streamed('podman', ['push', '--quiet', `${registry}/${s.repo}`], env, say);
      }
    });
    const kubectl = (args: string[], input?: string) => runTool(kubectlBin(), args, { kubeconfig, input });
    await timed('helm install', async () => {
      await kubectl(['create', 'namespace', namespace]);
      await kubectl(['label', '--overwrite', 'namespace', namespace, 'pod-security.kubernetes.io/enforce=restricted']);
      const players = o.playerNamespaces ?? ['player-node', 'player-demo'];
      for (const p of players) {
        await kubectl(['create', 'namespace', p]);
        await kubectl(['label', '--overwrite', 'namespace', p, 'pod-security.kubernetes.io/enforce=restricted']);
      }
      const values = join(mkdtempSync(join(tmpdir(), 'dungeon-node-')), 'values.json');
      writeFileSync(values, JSON.stringify({
        global: { imageRegistry: registry },
        players: { namespaces: players },
        operator: { replicas: 2 },
        apiServer: {
          replicas: 2,
          extraEnv: [
            { name: 'DUNGEON_SEED', value: '42' },
            { name: 'DUNGEON_TURN_TIMEOUT_MS', value: '3000' },
            { name: 'CORPSE_GRACE_SECONDS', value: '20' },
          ],
        },
        // Small volumes: they are real folders on this machine's disk.
        postgresql: { persistence: { size: '1Gi' } },
      }));
      say(`helm install ${release} charts/dungeon -n ${namespace} (every image from ${registry}) --wait`);
      await runTool(helmBin(), ['install', release, chartDir, '-n', namespace, '--values', values, '--wait', '--timeout', '10m'], { kubeconfig });
    });
  } catch (err) {
    await node.stop();
    throw err;
  }
  return {
    node, kubeconfig, registry, release, namespace, timings,
    async stop() {
      await runTool(helmBin(), ['uninstall', release, '-n', namespace, '--ignore-not-found', '--wait', '--timeout', '2m'], { kubeconfig }).catch(() => undefined);
      await node.stop();
    },
  };
}
