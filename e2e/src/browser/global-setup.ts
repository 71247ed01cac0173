// The browser suite needs PostgreSQL, Redis and the built client; no Kubernetes.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startPostgres, startRedis } from '@distributed-dungeon/testkit';
import type { TestProject } from 'vitest/node';

const web = fileURLToPath(new URL('../../../web/', import.meta.url));
// The web workspace's own Vite, wherever npm placed it.
const vite = path.join(path.dirname(createRequire(path.join(web, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis] = await Promise.all([
    startPostgres(),
    startRedis(),
    // The api-server serves web/dist: build it from the sources under test, as production builds
    // it (vitest's NODE_ENV=test would otherwise give React's development build).
    promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: web, env: { ...process.env, NODE_ENV: 'production' } }),
  ]);
  project.provide('postgresAdminUrl', postgres.adminUrl);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([postgres.destroy(), redis.destroy()]);
  };
}
