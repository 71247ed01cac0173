import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DungeonMasterEngine, RunningServer } from '@distributed-dungeon/api-server';
import { createDatabase, createGameSession, eventually, mintApiKey } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, startApi } from '../../../api-server/test/harness.ts';
import { CharacterBase } from '../character/base.ts';
import type { GameEvent } from '../types.ts';
import { CharacterRuntime } from './runtime.ts';

// A platform behind an Ingress path (https://host/dungeon → the api-server at its root): the
// character is given the prefixed URL only, and must reach the registry, the action API and the
// WebSocket gateway through it. The real api-server on real PostgreSQL and Redis; in front of it
// the one part an Ingress controller plays here, a proxy that answers 404 outside the prefix and
// strips it (HTTP and WebSocket upgrades), in a few lines of node:http since no proxy library is
// among the dependencies.

const PREFIX = '/dungeon';

interface PrefixProxy {
  url: string;
  /** Every request line's path as the proxy received it, upgrades marked. */
  seen: string[];
  close(): Promise<void>;
}

async function prefixProxy(target: string): Promise<PrefixProxy> {
  const t = new URL(target);
  const seen: string[] = [];
  const strip = (url = '/'): string | null => (url === PREFIX || url.startsWith(`${PREFIX}/`) || url.startsWith(`${PREFIX}?`) ? url.slice(PREFIX.length) || '/' : null);
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const inner = strip(req.url);
    if (inner === null) return void res.writeHead(404).end();
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: inner, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    seen.push(`upgrade ${req.url ?? ''}`);
    const inner = strip(req.url);
    if (inner === null) return void socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
    const up = connect(Number(t.port), t.hostname, () => {
      const headers = req.rawHeaders.reduce<string[]>((lines, v, i, all) => (i % 2 === 0 ? [...lines, `${v}: ${all[i + 1]}`] : lines), []);
      up.write(`${req.method} ${inner} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

class Listener extends CharacterBase {
  readonly heard: GameEvent[] = [];
  override async onEvent(event: GameEvent): Promise<void> {
    this.heard.push(event);
  }
}

describe('a character given a server URL with a path prefix', () => {
  let api: RunningServer;
  let proxy: PrefixProxy;
  let workdir: string;

  beforeAll(async () => {
    const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'prefix');
    api = await startApi({ databaseUrl, redisUrl: inject('redisUrl'), DUNGEON_SEED: '42' });
    proxy = await prefixProxy(api.url);
    workdir = await mkdtemp(path.join(tmpdir(), 'dd-prefix-it-'));
  });

  afterAll(async () => {
    await proxy?.close();
    await api?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('registers, acts and hears the game over wss://…/dungeon/ws, every call under the prefix', async () => {
    // The host's root is not the platform: a client that drops the prefix gets nothing there.
    expect((await fetch(new URL('/api/health', proxy.url))).status).toBe(404);

    const sessionId = await createGameSession(api.url, ADMIN_TOKEN, { id: `px-${randomBytes(4).toString('hex')}` });
    const characterId = `pico-${randomBytes(4).toString('hex')}`;
    const character = new Listener({ name: 'Pico', class: 'rogue', level: 2 });
    const runtime = new CharacterRuntime(character, {
      characterId,
      registryUrl: proxy.url,
      apiKey: await mintApiKey(api.url, ADMIN_TOKEN, characterId, {
        displayName: 'Pico',
        class: 'rogue',
        level: 2,
        capabilities: character.capabilities,
        ...(character.abilities ? { abilities: character.abilities } : {}),
      }),
      endpoint: `http://${characterId}:3000`,
      dataDir: path.join(workdir, characterId),
      port: 0,
      host: '127.0.0.1',
      transport: 'websocket',
      actIntervalMs: 100,
      heartbeatMs: 60_000,
      sessionId,
    });
    try {
      await runtime.start();
      expect(runtime.sessionId).toBe(sessionId);
      const engine = api.context.engine as DungeonMasterEngine;
      await eventually('an accepted action sent through the prefix', () =>
        engine.dm.session(sessionId)!.log.some((e) => e.accepted && e.command.kind === 'action' && e.command.action.characterId === characterId),
      );
      await eventually('an event heard over the gateway under the prefix', () => character.heard.length > 0);
    } finally {
      await runtime.stop();
    }
    expect(proxy.seen.some((s) => s.startsWith(`upgrade ${PREFIX}/ws?token=`))).toBe(true);
    expect(proxy.seen).toContain(`${PREFIX}/api/registry/character`);
    expect(proxy.seen).toContain(`${PREFIX}/api/actions`);
    // Nothing went to the host's root but the probe above.
    expect(proxy.seen.filter((s) => !s.replace(/^upgrade /, '').startsWith(`${PREFIX}/`))).toEqual(['/api/health']);
  });
});
