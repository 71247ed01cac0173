import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, freePort, logTail, makeWorkdir, removeWorkdir, startProcess, waitUntil } from '@distributed-dungeon/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { ADMIN_TOKEN, mintAndRegister, uniqueId } from '../test/harness.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const workdirs: string[] = [];
afterAll(() => workdirs.forEach(removeWorkdir));

function runMain(env: Record<string, string>) {
  const dir = makeWorkdir('api-main');
  workdirs.push(dir);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|REDIS_URL|DUNGEON_ADMIN_TOKEN|PORT|JWT_.*)$/.test(k)));
  return startProcess('api-server', process.execPath, ['--conditions=source', MAIN], { logFile: join(dir, 'api.log'), env: { ...clean, ...env } as NodeJS.ProcessEnv });
}

describe('the process entrypoint', () => {
  it('stops at start-up naming each missing or bad variable', async () => {
    const proc = runMain({ PORT: 'abc' });
    expect(await proc.exited).toBe(2);
    const log = await logTail(proc.logFile, 50);
    for (const v of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'DUNGEON_ADMIN_TOKEN']) expect(log).toContain(v);
    await proc.stop();
  });

  it('runs with the four variables and shuts down gracefully on SIGTERM, closing WebSockets', async () => {
    const port = await freePort();
    const proc = runMain({
      PORT: String(port),
      DATABASE_URL: await createDatabase(inject('postgresAdminUrl'), 'main'),
      REDIS_URL: inject('redisUrl'),
      DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    const base = `http://127.0.0.1:${port}`;
    await waitUntil('api-server', async () => (await fetch(base + '/readyz')).ok, { process: proc, timeoutMs: 60_000 });
    expect(await logTail(proc.logFile, 50)).toContain('generated for development');

    const reg = await mintAndRegister(base, uniqueId('main'));
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${reg.characterToken}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    proc.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await proc.exited).toBe(0);
    expect(await logTail(proc.logFile, 20)).toContain('api-server stopped');
    await expect(fetch(base + '/healthz')).rejects.toThrow();
    await proc.stop();
  });
});
