import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { CharacterBase } from '../character/base.ts';
import { CombatAI } from '../ai/combat.ts';
import { denRoom, sampleState } from '../test-fixtures.ts';
import type { GameEvent, GameState } from '../types.ts';
import { CharacterRuntime } from './runtime.ts';

// The runtime against a stand-in api-server (registry + actions over HTTP, events over its
// WebSocket gateway), so the whole loop — register, hear the turn, act — runs in one process.

class Fighter extends CharacterBase {
  constructor(config: ConstructorParameters<typeof CharacterBase>[0]) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: true });
  }
  override async onCombatTurn(gameState: GameState) {
    if (this.memory.explode) throw new Error('boom');
    return this.combatAI!.decideCombatAction(gameState);
  }
  override async onExplore() {
    return null;
  }
  override async onSocial() {
    return null;
  }
}

interface Fake {
  url: string;
  registrations: Record<string, unknown>[];
  actions: Record<string, unknown>[];
  deregistered: string[];
  push(event: GameEvent): void;
  connected(): Promise<void>;
  close(): Promise<void>;
}

async function fakeApi(snapshot: GameState): Promise<Fake> {
  const fake = { registrations: [], actions: [], deregistered: [] } as unknown as Fake;
  const sockets = new Set<WebSocket>();
  let onConnect: (() => void) | null = null;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/api/registry/character') {
        fake.registrations.push(JSON.parse(body));
        return json(201, {
          sessionId: 's-1', characterToken: 'jwt', tokenExpiresAt: new Date(Date.now() + 900_000).toISOString(), gameState: snapshot,
          eventChannels: ['character:thorin'], eventBus: { url: 'redis://unused', username: 'u', password: 'p' }, websocketUrl: '/ws',
        });
      }
      if (req.url === '/api/actions') {
        const action = JSON.parse(body);
        fake.actions.push(action);
        // The game answers with the version its events end at (the first attack's damage is 13).
        const version = fake.actions.length === 1 ? 13 : 16;
        return json(200, { actionId: `a-${fake.actions.length}`, accepted: true, status: 'accepted', clientActionId: action.clientActionId, version });
      }
      if (req.method === 'DELETE') {
        fake.deregistered.push(req.url!);
        res.writeHead(204).end();
        return;
      }
      json(404, {});
    });
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    onConnect?.();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.push = (event) => {
    for (const ws of sockets) ws.send(JSON.stringify(event));
  };
  fake.connected = () => new Promise<void>((r) => (sockets.size > 0 ? r() : (onConnect = r)));
  fake.close = async () => {
    for (const ws of sockets) ws.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return fake;
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('CharacterRuntime', () => {
  it('registers, acts on its turn, survives a throwing hook, restarts from /data into the same session', async () => {
    const inDen = sampleState({ me: { ...sampleState().me, roomId: 'den' }, room: structuredClone(denRoom) });
    const fake = await fakeApi(inDen);
    cleanup.push(() => fake.close());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'dd-rt-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const settings = {
      characterId: 'thorin', registryUrl: fake.url, apiKey: 'key', endpoint: 'http://thorin:3000', dataDir,
      port: 0, host: '127.0.0.1', transport: 'websocket' as const, actIntervalMs: 20, heartbeatMs: 60_000,
    };
    const config = { name: 'Thorin', class: 'fighter', level: 1 };

    const first = new CharacterRuntime(new Fighter(config), settings);
    await first.start();
    await fake.connected();
    expect(await (await fetch(`http://127.0.0.1:${first.port}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(fake.registrations[0]).toMatchObject({ characterId: 'thorin', class: 'fighter', containerEndpoint: 'http://thorin:3000' });

    // The fight starts and it is Thorin's turn: he attacks the ogre.
    fake.push({ type: 'combat.started', version: 11, data: { roomId: 'den', monsters: denRoom.monsters } });
    fake.push({ type: 'combat.turn', version: 12, data: { roomId: 'den', round: 1, actorKind: 'character', actorId: 'thorin' } });
    await until(() => fake.actions.length === 1, 'an attack');
    expect(fake.actions[0]).toMatchObject({ type: 'combat.attack', characterId: 'thorin', target: 'ogre', clientActionId: expect.any(String) });
    const state = (await (await fetch(`http://127.0.0.1:${first.port}/state`)).json()) as { gameState: GameState };
    expect(state.gameState.combat).toMatchObject({ myTurn: false }); // the optimistic update: turn spent

    // Its module throws on the next turn: nothing is sent (the game will defend for it)...
    first.character.memory.explode = true;
    fake.push({ type: 'combat.damage', version: 13, data: { roomId: 'den', targetKind: 'monster', targetId: 'ogre', hp: 22, clientActionId: fake.actions[0]!.clientActionId } });
    fake.push({ type: 'combat.turn', version: 14, data: { roomId: 'den', round: 2, actorKind: 'character', actorId: 'thorin' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.actions.length).toBe(1);
    // ...and it plays on once the module behaves.
    first.character.memory.explode = false;
    fake.push({ type: 'combat.turn', version: 15, data: { roomId: 'den', round: 3, actorKind: 'character', actorId: 'thorin' } });
    await until(() => fake.actions.length === 2, 'a second attack');

    // kill -9: no deregistration, only what reached the disk.
    await first.flush();
    await first.stop({ deregister: false });
    expect(fake.deregistered).toEqual([]);

    const second = new CharacterRuntime(new Fighter(config), settings);
    await second.start();
    expect(fake.registrations[1]).toMatchObject({ characterId: 'thorin', sessionId: 's-1' });
    expect(second.character.memory).toEqual({ explode: false });
    // SIGTERM: a clean stop deregisters.
    await second.stop();
    expect(fake.deregistered).toEqual(['/api/registry/character/thorin']);
  });
});
