import type { Socket } from 'node:net';
import { createDatabase } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../server.ts';
import { mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

let api: RunningServer;
let admin: Redis;

beforeAll(async () => {
  api = await startApi({
    databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'gateway'),
    redisUrl: inject('redisUrl'),
    WS_MAX_BUFFERED_BYTES: '65536',
    WS_HEARTBEAT_MS: '60000',
  });
  admin = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  admin?.disconnect();
  await api?.stop();
});

function open(token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('WebSocket gateway delivery', () => {
  it('hands every listener of a channel the event as one text frame, as published', async () => {
    const ids = [uniqueId('fan'), uniqueId('fan')];
    const regs = await Promise.all(ids.map((id) => mintAndRegister(api.url, id)));
    expect(regs[0]!.sessionId).toBe(regs[1]!.sessionId);
    const sockets = await Promise.all(regs.map((r) => open(r.characterToken)));
    const got = sockets.map(
      (ws) =>
        new Promise<{ text: string; isBinary: boolean }>((resolve) =>
          ws.on('message', (data, isBinary) => {
            if (String(data).includes('"fan-out"')) resolve({ text: String(data), isBinary });
          }),
        ),
    );
    const event = JSON.stringify({ id: 'e-1', type: 'system.notification', sessionId: regs[0]!.sessionId, timestamp: new Date().toISOString(), data: { note: 'fan-out', text: 'héllo ✓' } });
    await admin.publish(`session:${regs[0]!.sessionId}:system`, event);
    // Text, not binary: a browser would otherwise get a Blob.
    expect(await Promise.all(got)).toEqual([
      { text: event, isBinary: false },
      { text: event, isBinary: false },
    ]);
    sockets.forEach((ws) => ws.close());
  });
});

describe('WebSocket gateway back-pressure', () => {
  it('cuts off a client that stops reading instead of buffering without bound', async () => {
    const id = uniqueId('slow');
    const reg = await mintAndRegister(api.url, id);
    const ws = await open(reg.characterToken);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    // Stop reading: the kernel buffers fill, then the server's bufferedAmount grows.
    (ws as unknown as { _socket: Socket })._socket.pause();
    const chunk = JSON.stringify({ id: 'x', type: 'system.notification', sessionId: reg.sessionId, timestamp: new Date().toISOString(), data: { pad: 'x'.repeat(256 * 1024) } });
    let dropped = false;
    for (let i = 0; i < 400 && !dropped; i++) {
      await admin.publish(`character:${id}`, chunk);
      if (i % 10 === 9) dropped = /dungeon_ws_slow_consumers_dropped_total [1-9]/.test(await (await fetch(api.url + '/metrics')).text());
    }
    expect(dropped).toBe(true);
    (ws as unknown as { _socket: Socket })._socket.resume();
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(/dungeon_ws_connections 0/.test(await (await fetch(api.url + '/metrics')).text())).toBe(true);
  });
});
