import { connect, type Socket } from 'node:net';
import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../server.ts';
import { mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

// Issue 11, item 1: a refused WebSocket upgrade followed by a TCP reset used to end the process
// (an 'error' on the upgraded socket that nobody listened to).

let api: RunningServer;
const logLines: string[] = [];
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'upgrade'), redisUrl: inject('redisUrl') }, { logger });
});

afterAll(async () => {
  await api?.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

function upgradeRequest(target: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `GET ${target} HTTP/1.1\r\nHost: dungeon\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
}

/** Sends `request` on a raw socket and resets the connection when `resetWhen` says so. */
function sendAndReset(request: string, resetWhen: 'at-once' | 'on-first-byte'): Promise<string> {
  const { port } = new URL(api.url);
  return new Promise((resolve) => {
    let seen = '';
    const socket: Socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(request);
      if (resetWhen === 'at-once') socket.resetAndDestroy();
    });
    socket.on('data', (chunk) => {
      seen += chunk.toString();
      if (resetWhen === 'on-first-byte' && !socket.destroyed) socket.resetAndDestroy();
    });
    // The client's own end sees its reset too; only the server's survival is under test.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(seen));
  });
}

async function stillServes(): Promise<void> {
  expect((await fetch(api.url + '/healthz')).status).toBe(200);
  const reg = await mintAndRegister(api.url, uniqueId('after-reset'));
  const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws?token=${reg.characterToken}`);
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (data) => resolve(data.toString()));
    ws.once('error', reject);
  });
  expect(JSON.parse(first)).toMatchObject({ type: 'gateway.ready' });
  ws.close();
}

describe('WebSocket upgrades against a hostile client', () => {
  it('survives refused upgrades (no token, a bad token) whose clients reset the connection', async () => {
    for (let i = 0; i < 20; i++) {
      await sendAndReset(upgradeRequest('/ws'), 'at-once');
      await sendAndReset(upgradeRequest('/ws?token=not-a-jwt'), i % 2 ? 'at-once' : 'on-first-byte');
    }
    // The resets reached the server's side of the socket: the path under test was taken.
    await eventually('the server to see a reset upgrade socket', () => logLines.some((l) => l.includes('upgrade socket error')), 30_000);
    expect(crashes).toEqual([]);
    await stillServes();
  });

  it('survives resets on upgrades of other paths and of request targets that are not paths', async () => {
    for (const target of ['/not-the-gateway', '//', '/\\\\', 'http://[', '*']) {
      await sendAndReset(upgradeRequest(target), 'at-once');
      const answer = await sendAndReset(upgradeRequest(target), 'on-first-byte');
      expect(answer === '' || answer.startsWith('HTTP/1.1 4'), `${target}: ${answer}`).toBe(true);
    }
    expect(crashes).toEqual([]);
    await stillServes();
  });

  it('survives a client that resets while its valid token is being checked', async () => {
    const reg = await mintAndRegister(api.url, uniqueId('resetter'));
    for (let i = 0; i < 20; i++) await sendAndReset(upgradeRequest('/ws', { authorization: `Bearer ${reg.characterToken}` }), 'at-once');
    expect(crashes).toEqual([]);
    await stillServes();
    // Nothing is left registered for the connections that went away mid-handshake.
    await eventually('no WebSocket client left', async () => /dungeon_ws_connections 0/.test(await (await fetch(api.url + '/metrics')).text()), 30_000);
  });
});
