import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from './frame.ts';

// A ws server on loopback whose upgraded socket is written to directly with textFrame, as the
// gateway does; a ws client must read each as one text message.
let server: Server;
let url: string;
const wss = new WebSocketServer({ noServer: true });

beforeAll(async () => {
  server = createServer();
  server.on('upgrade', (req, socket, head) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size'));
    wss.handleUpgrade(req, socket, head, () => socket.write(textFrame(Buffer.from(textOf(size)))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  wss.close();
  await new Promise((resolve) => server.close(resolve));
});

/** `size` bytes of UTF-8, multi-byte characters included. */
function textOf(size: number): string {
  return 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])('is one text frame that a ws client reads back (%i bytes)', async (size) => {
    expect(Buffer.byteLength(textOf(size))).toBe(size);
    const frame = textFrame(Buffer.from(textOf(size)));
    expect(frame.length - size).toBe(size < 126 ? 2 : size <= 0xffff ? 4 : 10);
    const client = new WebSocket(`${url}/?size=${size}`);
    const got = await new Promise<{ text: string; isBinary: boolean }>((resolve, reject) => {
      client.once('message', (data: Buffer, isBinary: boolean) => resolve({ text: data.toString(), isBinary }));
      client.once('error', reject);
    });
    client.terminate();
    expect(got).toEqual({ text: textOf(size), isBinary: false });
  });
});
