import { connect, createServer, type Server, type Socket } from 'node:net';
import { createDatabase, freePort } from '@distributed-dungeon/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { http, startApi } from '../../test/harness.ts';

// PostgreSQL that comes up after the api-server: a TCP forwarder to the real server, opened on a
// reserved port only once start-up is already waiting.
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function forwarder(port: number, to: URL): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(Number(to.port), to.hostname);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('start-up waits for its dependencies', () => {
  it('comes up once PostgreSQL starts accepting connections after it', async () => {
    const real = new URL(await createDatabase(inject('postgresAdminUrl'), 'late'));
    const port = await freePort();
    const late = new URL(real);
    late.hostname = '127.0.0.1';
    late.port = String(port);

    const starting = startApi({ databaseUrl: late.toString(), redisUrl: inject('redisUrl'), STARTUP_WAIT_SECONDS: '60' }).then((s) => {
      cleanups.push(() => s.stop());
      return s;
    });
    starting.catch(() => {});
    // Nothing listens yet: start-up must still be pending (not failed) a moment later.
    const early = await Promise.race([starting.then(() => 'up', (e: unknown) => `failed: ${String(e)}`), new Promise<string>((r) => setTimeout(() => r('waiting'), 1500))]);
    expect(early).toBe('waiting');

    await forwarder(port, real);
    const server: RunningServer = await starting;
    expect((await http(server.url, 'GET', '/readyz')).status).toBe(200);
  });

  it('gives up after STARTUP_WAIT_SECONDS with an error naming the dependency', async () => {
    const port = await freePort();
    await expect(
      startApi({ databaseUrl: `postgres://dungeon:secret@127.0.0.1:${port}/nowhere`, redisUrl: inject('redisUrl'), STARTUP_WAIT_SECONDS: '1' }),
    ).rejects.toThrow(new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} is not reachable after 1 s \\(STARTUP_WAIT_SECONDS\\)`));
  });

  it('fails at once with STARTUP_WAIT_SECONDS=0, and never shows the password', async () => {
    const port = await freePort();
    const failure = await startApi({ databaseUrl: `postgres://dungeon:hunter2@127.0.0.1:${port}/nowhere`, redisUrl: inject('redisUrl'), STARTUP_WAIT_SECONDS: '0' }).then(
      () => 'started',
      (e: unknown) => String(e),
    );
    expect(failure).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+ is not reachable after 0 s/);
    expect(failure).not.toContain('hunter2');
  });
});
