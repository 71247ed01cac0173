import { connect } from 'node:net';
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

// Issue 11, item 1: no client input may end the process. Byte-level abuse of the HTTP parser,
// the JSON body parser and the WebSocket framing, each followed by a check that the server lives.

let api: RunningServer;
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'hostile'), redisUrl: inject('redisUrl') });
});
afterAll(async () => {
  await api?.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

/** Writes raw bytes, then reads until the server closes (or resets) the connection. */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    const s = connect(api.port, '127.0.0.1', () => s.end(bytes));
    s.on('data', (c) => (seen += c.toString()));
    s.on('error', () => undefined);
    s.on('close', () => resolve(seen));
  });
}

async function alive(): Promise<void> {
  expect(crashes).toEqual([]);
  expect((await http(api.url, 'GET', '/api/sessions', { token: ADMIN_TOKEN })).status).toBe(200);
}

describe('hostile bytes', () => {
  it('answers garbage, broken chunking and oversized headers with 4xx and lives', async () => {
    const garbage = await raw('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    // The same problem+json as every other refusal, not Node's bare status line.
    expect(garbage).toContain('application/problem+json');
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'request.unparsable' });
    expect(await raw('POST /api/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431[^]*"code":"request\.headers_too_large"/);
    expect(await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello')).toMatch(/^HTTP\/1\.1 400/);
    await alive();
  });

  it('refuses deeply nested JSON bodies with 4xx', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const res = await http(api.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, raw: deep });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const nested = await http(api.url, 'POST', '/api/actions', { token: ADMIN_TOKEN, raw: `{"type":"social.say","message":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}` });
    expect(nested.status).toBeGreaterThanOrEqual(400);
    expect(nested.status).toBeLessThan(500);
    await alive();
  });

  it('survives WebSocket clients that send bad frames, oversized messages or bad close codes', async () => {
    const reg = await mintAndRegister(api.url, uniqueId('frames'));
    const open = async () => {
      const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws?token=${reg.characterToken}`);
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
      });
      ws.on('error', () => undefined);
      return ws;
    };
    const closedBy = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    const big = await open();
    const bigClosed = closedBy(big);
    big.send('x'.repeat(128 * 1024));
    expect(await bigClosed).toBe(1009);

    const bad = await open();
    const badClosed = closedBy(bad);
    // An unmasked frame with a reserved opcode, straight onto the socket.
    (bad as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x83, 0x00]));
    expect(await badClosed).toBeGreaterThanOrEqual(1002);

    const reset = await open();
    (reset as unknown as { _socket: import('node:net').Socket })._socket.resetAndDestroy();
    await alive();
  });
});
