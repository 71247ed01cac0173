import type { TestProject } from 'vitest/node';
import { startControlPlane } from './controlplane.ts';
import './provided-context.ts';
import { startPostgres } from './postgres.ts';
import { startRedis } from './redis.ts';

/**
 * One PostgreSQL, one Redis and one Kubernetes control plane for the whole run, started in
 * parallel. Suites that must stop or restart a server start their own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [postgres, redis, kube] = await Promise.all([startPostgres(), startRedis(), startControlPlane()]);
  console.log(`[testkit] PostgreSQL, Redis and Kubernetes ${kube.version} up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('redisUrl', redis.url);
  project.provide('kubeconfig', kube.kubeconfigPath);
  project.provide('kubeAdmin', kube.admin);
  project.provide('kubeVersion', kube.version);
  project.provide('kubePkiDir', `${kube.workdir}/pki`);
  return async () => {
    await Promise.all([postgres.destroy(), redis.destroy(), kube.stop()]);
  };
}
