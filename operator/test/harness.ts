// Helpers for the operator's integration tests: the real api-server as the registry, kubectl
// against the run's control plane, polling.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, start, type RunningServer } from '@distributed-dungeon/api-server';
import { acquireSuiteLock, createDatabase, eventually } from '@distributed-dungeon/testkit';
import { pino, type Logger } from 'pino';
import { startOperator, type Operator } from '../src/controller/operator.ts';
import { KubeClient, KubeError } from '../src/kube/client.ts';
import { parsePolicy } from '../src/policy.ts';

const run = promisify(execFile);
export const ADMIN_TOKEN = 'operator-int-admin-token-0123456789';
export const CRD_PATH = join(import.meta.dirname, '..', '..', 'crds', 'characters.distributed-dungeon.io.yaml');

/**
 * Suites that run an operator on the run's shared control plane take turns (see testkit's
 * suite-lock.ts): two operators would both reconcile every Character. Held for the whole file.
 */
export function lockOperatorSuite(kubeconfig: string): Promise<() => void> {
  return acquireSuiteLock(`${kubeconfig}.operator-suite.lock`, OPERATOR_SUITE_WAIT_MS);
}
/** How long a suite may wait for the others (each takes a few minutes on two busy cores). */
export const OPERATOR_SUITE_WAIT_MS = 1_200_000;

/** The real api-server on a fresh database, as the operator's registry; `env` adds or overrides settings. */
export async function startRegistry(postgresAdminUrl: string, redisUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: await createDatabase(postgresAdminUrl, 'operator'),
    REDIS_URL: redisUrl,
    DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
    JWT_SIGNING_KEYS: `k1:${'c'.repeat(40)}`,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '500',
    ...env,
  });
  return start(config, { logger: pino({ level: 'silent' }) });
}

/**
 * The operator in this process against the run's control plane and `registry`, with the suites'
 * short timings; resolves once its caches are synced and, when it elects, once it leads.
 * `lease` names the suite's own Lease (suites run in parallel against one control plane).
 */
export async function startSuiteOperator(o: {
  client: KubeClient;
  registry: RunningServer;
  lease: string | false;
  policy?: Record<string, unknown>;
  workers?: number;
  resyncMs?: number;
  log?: Logger;
}): Promise<Operator> {
  const operator = await startOperator({
    client: o.client,
    registryUrl: o.registry.url,
    adminToken: ADMIN_TOKEN,
    policy: parsePolicy({ registryUrl: 'http://dungeon-api.dungeon-system.svc:8080', allowedImageRegistries: ['registry.example'], ...o.policy }),
    workers: o.workers ?? 2,
    port: 0,
    resyncMs: o.resyncMs ?? 10_000,
    leaderElection:
      o.lease === false
        ? false
        : { namespace: 'default', name: `${o.lease}-${process.pid}`, identity: o.lease, leaseDurationSeconds: 5, retryPeriodMs: 1000, renewDeadlineMs: 4000 },
    log: o.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    registryPollMs: 500,
  });
  await operator.synced();
  if (o.lease !== false) await waitFor('leadership', async () => operator.isLeader());
  return operator;
}

export async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

export async function applyCrd(kubeconfig: string): Promise<void> {
  await run('kubectl', ['apply', '--server-side', '--force-conflicts', '-f', CRD_PATH], { env: { ...process.env, KUBECONFIG: kubeconfig } });
  await run('kubectl', ['wait', '--for', 'condition=established', '--timeout=60s', 'crd/characters.distributed-dungeon.io'], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
  });
}

/** testkit's `eventually` with this suite's shorter default wait. */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  return eventually(what, probe, timeoutMs, intervalMs);
}

/** GET that answers undefined for 404. */
export async function getOrUndefined<T>(client: KubeClient, path: string): Promise<T | undefined> {
  try {
    return await client.request<T>('GET', path);
  } catch (error) {
    if (error instanceof KubeError && error.status === 404) return undefined;
    throw error;
  }
}

export function readKubeconfig(path: string): string {
  return readFileSync(path, 'utf8');
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

export function characterYaml(namespace: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'distributed-dungeon.io/v1alpha1', kind: 'Character', metadata: { name, namespace }, spec });
}
