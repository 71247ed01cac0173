import { connect, createServer, type Server, type Socket } from 'node:net';
import { createDatabase, eventually, freePort } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
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

    // What start-up says while it waits (its warnings), to wait on its retries rather than a clock.
    const said: { msg: string; dependency?: string; attempt?: number }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void said.push(JSON.parse(line)) });
    const starting = startApi({ databaseUrl: late.toString(), redisUrl: inject('redisUrl'), STARTUP_WAIT_SECONDS: '60' }, { logger }).then((s) => {
      cleanups.push(() => s.stop());
      return s;
    });
    let outcome = 'waiting';
    starting.then(
      () => (outcome = 'up'),
      (e: unknown) => (outcome = `failed: ${String(e)}`),
    );
    // Nothing listens yet: start-up is refused again and again, and stays pending (not failed).
    await eventually('start-up to be refused three times by PostgreSQL', () =>
      said.some((l) => l.msg.startsWith('waiting for PostgreSQL') && (l.attempt ?? 0) >= 3),
    30_000);
    expect(outcome).toBe('waiting');

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
