// What this machine offers for running the platform: a reachable Kubernetes cluster of the
// user's own, a working Docker engine, kind. `make demo` picks its path from these;
// `make e2e-kind` refuses to start, saying why, when Docker or kind is missing.
import { execFile } from 'node:child_process';

export interface ToolStatus {
  ok: boolean;
  /** What was found (a version, a server address) or why it is unusable. */
  detail: string;
}

function tryRun(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, out: stdout.trim() });
      const e = error as NodeJS.ErrnoException & { killed?: boolean };
      const why = e.code === 'ENOENT' ? `'${cmd}' is not installed` : e.killed ? `'${cmd} ${args.join(' ')}' did not answer within ${timeoutMs / 1000}s` : lastLine(stderr) || e.message;
      resolve({ ok: false, out: why });
    });
  });
}

// kubectl colours cluster-info; ESC (0x1b) starts each colour code.
const stripAnsi = (text: string): string => text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');

const lastLine = (text: string): string => text.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';

/** `docker info` (or $DOCKER): is there an engine to build and run images? */
export async function dockerStatus(docker = process.env.DOCKER || 'docker'): Promise<ToolStatus> {
  const r = await tryRun(docker, ['info', '--format', '{{.ServerVersion}}']);
  return r.ok ? { ok: true, detail: `Docker engine ${r.out}` } : { ok: false, detail: r.out };
}

export async function kindStatus(): Promise<ToolStatus> {
  const r = await tryRun('kind', ['version']);
  return r.ok ? { ok: true, detail: r.out } : { ok: false, detail: r.out };
}

/**
 * The user's own cluster (KUBECONFIG or ~/.kube/config, current context), if `kubectl
 * cluster-info` reaches it. Never the local control plane of this repository, which is started
 * with its own kubeconfig and never becomes the user's current context.
 */
export async function clusterStatus(kubectl: string, env: NodeJS.ProcessEnv = process.env): Promise<ToolStatus & { context?: string }> {
  const info = await tryRun(kubectl, ['cluster-info', '--request-timeout=5s'], env);
  if (!info.ok) return { ok: false, detail: info.out };
  const context = await tryRun(kubectl, ['config', 'current-context'], env);
  const server = /https?:\/\/\S+/.exec(stripAnsi(info.out))?.[0] ?? 'unknown server';
  return { ok: true, detail: server, context: context.ok ? context.out : undefined };
}

/**
 * Why `make e2e-kind` cannot run here, or undefined when it can. A pure function of the two
 * probes, so the message is tested without Docker.
 */
export function kindRefusal(docker: ToolStatus, kind: ToolStatus): string | undefined {
  const missing: string[] = [];
  if (!docker.ok) missing.push(`Docker is not available (${docker.detail})`);
  if (!kind.ok) missing.push(`kind is not available (${kind.detail})`);
  if (missing.length === 0) return undefined;
  return [
    `make e2e-kind refuses to start: ${missing.join('; ')}.`,
    'It builds the platform images with Docker and runs them on a kind cluster, so it needs a running Docker engine and the kind CLI',
    '(https://kind.sigs.k8s.io/docs/user/quick-start/#installation).',
    'Without them, `make test` runs the same flow on the local control plane (e2e/local), and `make demo` plays it.',
  ].join('\n');
}

export type DemoPath =
  | { kind: 'cluster'; why: string; context?: string }
  | { kind: 'kind'; why: string }
  | { kind: 'local'; why: string };

/**
 * Where `make demo` runs: the user's cluster when one is reachable and images are published
 * for it (DUNGEON_IMAGE_REGISTRY), else kind when Docker and kind work, else the local control
 * plane. DEMO_MODE=local|kind|cluster forces a path.
 */
export function chooseDemoPath(probes: { cluster: ToolStatus & { context?: string }; docker: ToolStatus; kind: ToolStatus }, env: NodeJS.ProcessEnv): DemoPath {
  const forced = env.DEMO_MODE;
  const { cluster, docker, kind } = probes;
  if (forced === 'local') return { kind: 'local', why: 'DEMO_MODE=local' };
  if (forced === 'kind') return { kind: 'kind', why: 'DEMO_MODE=kind' };
  if (forced === 'cluster') return { kind: 'cluster', why: 'DEMO_MODE=cluster', context: cluster.context };
  const notes: string[] = [];
  if (cluster.ok) {
    if (env.DUNGEON_IMAGE_REGISTRY) return { kind: 'cluster', why: `kubectl reaches ${cluster.detail} (context ${cluster.context ?? '?'})`, context: cluster.context };
    notes.push(`kubectl reaches ${cluster.detail}, but DUNGEON_IMAGE_REGISTRY is not set, so it could not pull the platform images`);
  } else {
    notes.push(`no cluster of yours is reachable (${cluster.detail})`);
  }
  if (docker.ok && kind.ok) return { kind: 'kind', why: `${notes.join('; ')}; ${docker.detail} and ${kind.detail.split(' ').slice(0, 2).join(' ')} are here` };
  notes.push(docker.ok ? `kind is not installed` : `Docker is not available (${docker.detail})`);
  return { kind: 'local', why: notes.join('; ') };
}
