import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCharacterApi } from './api.ts';
import { backoffDelay, retry } from './backoff.ts';
import { HttpError, RegistryClient } from './registry.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, { baseMs: 100, random: () => 0.999 }))).toEqual([99, 199, 399, 799]);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 5000, random: () => 0.5 })).toBe(2500);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
  });

  it('retries what is retryable and gives up on what is not', async () => {
    let calls = 0;
    await expect(retry(async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'), { baseMs: 1 })).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(async () => { calls++; throw new HttpError(400, {}, 'x'); }, { baseMs: 1, retryable: (e) => !(e instanceof HttpError) })).rejects.toThrow(HttpError);
    expect(calls).toBe(1);
  });
});

describe('character REST API', () => {
  it('serves /healthz, /readyz (503 until ready) and /state', async () => {
    let ready = false;
    const api = await startCharacterApi({ port: 0, host: '127.0.0.1', isReady: () => ready, state: () => ({ hp: 7 }) });
    closers.push(() => api.close());
    const get = (p: string) => fetch(`http://127.0.0.1:${api.port}${p}`);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(503);
    ready = true;
    expect((await get('/readyz')).status).toBe(200);
    expect(await (await get('/state')).json()).toEqual({ hp: 7 });
    expect((await get('/nope')).status).toBe(404);
  });
});

/** A stand-in registry speaking the contracts (our own HTTP API, not a database or a cluster). */
async function fakeRegistry(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('RegistryClient', () => {
  it('registers (retrying a 503), refreshes its token, heartbeats, acts and deregisters', async () => {
    const seen: string[] = [];
    let registerCalls = 0;
    const exp = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    const url = await fakeRegistry((req, body, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/api/registry/character') {
        if (++registerCalls === 1) return json(503, { detail: 'starting' });
        return json(201, {
          sessionId: 's-1', characterToken: 'jwt-1', tokenExpiresAt: exp(30), gameState: { version: 3 },
          eventChannels: ['character:thorin'], eventBus: { url: 'redis://x', username: 'u', password: 'p' }, websocketUrl: '/ws',
        });
      }
      if (req.url === '/api/registry/token') return json(200, { characterToken: 'jwt-2', tokenExpiresAt: exp(900) });
      if (req.url === '/api/registry/character/thorin/heartbeat') return json(200, { characterId: 'thorin', sessionId: 's-1', lastHeartbeatAt: exp(0), tokenExpiresIn: 900 });
      if (req.url === '/api/actions') return json(200, { actionId: 'a', accepted: true, status: 'accepted', version: 12, clientActionId: JSON.parse(body).clientActionId });
      if (req.method === 'DELETE') return json(204, {});
      return json(404, {});
    });
    const client = new RegistryClient({ baseUrl: url, apiKey: 'key-1', retry: { baseMs: 1 } });
    const reg = await client.register({ characterId: 'thorin', name: 'Thorin', class: 'fighter', level: 1, containerEndpoint: 'http://thorin:3000', capabilities: ['combat'], version: '1.0.0' });
    expect(reg.sessionId).toBe('s-1');
    expect(registerCalls).toBe(2);
    expect(client.tokenNeedsRefresh()).toBe(true); // 30 s left
    await client.refreshToken();
    expect(client.tokenNeedsRefresh()).toBe(false);
    await client.heartbeat();
    expect(await client.sendAction({ type: 'combat.defend', characterId: 'thorin', clientActionId: 'c-1' })).toMatchObject({ accepted: true, version: 12 });
    await client.deregister();
    expect(seen).toEqual([
      'POST /api/registry/character Bearer key-1',
      'POST /api/registry/character Bearer key-1',
      'POST /api/registry/token Bearer jwt-1',
      'POST /api/registry/character/thorin/heartbeat Bearer jwt-2',
      'POST /api/actions Bearer jwt-2',
      'DELETE /api/registry/character/thorin Bearer jwt-2',
    ]);
  });

  it('does not retry a refused registration', async () => {
    let calls = 0;
    const url = await fakeRegistry((_req, _body, res) => {
      calls++;
      res.writeHead(401, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ detail: 'bad key' }));
    });
    const client = new RegistryClient({ baseUrl: url, apiKey: 'wrong', retry: { baseMs: 1 } });
    await expect(client.register({ characterId: 'thorin', name: 'T', class: 'fighter', level: 1, containerEndpoint: 'http://t:3000', capabilities: ['combat'], version: '1.0.0' })).rejects.toThrow(/401 — bad key/);
    expect(calls).toBe(1);
  });

  it('container calls: open, transfer both ways, loot-all and close, with the token and the open\'s mutation token', async () => {
    const CHEST = '0b7c1d5e-1111-4222-8333-444455556666';
    const seen: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
    const exp = new Date(Date.now() + 900_000).toISOString();
    const container = { container_id: CHEST, source_type: 'environment', owner_id: null, room_id: 'hall', entity_id: null, lock_state: 'unlocked', capacity_slots: 4, weight_limit: null, decay_at: null, allowed_roles: [], items: [], metadata: {} };
    const inventory = { character_id: 'vex', capacity_slots: 20, weight_limit: null, items: [] };
    const url = await fakeRegistry((req, body, res) => {
      const json = (v: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/api/registry/character') {
        return json({ sessionId: 's-1', characterToken: 'jwt-1', tokenExpiresAt: exp, gameState: {}, eventChannels: [], eventBus: { url: 'redis://x', username: 'u', password: 'p' }, websocketUrl: '/ws' });
      }
      seen.push({ path: req.url!, auth: req.headers.authorization, body: JSON.parse(body) });
      if (req.url === '/api/containers/open') return json({ container, mutation_token: 'mutation-token-0123456789', expires_at: exp });
      if (req.url === '/api/containers/transfer') return json({ container, inventory, moved: { item_id: 'bone-key', quantity: 1 } });
      if (req.url === '/api/containers/loot-all') return json({ container, inventory, moved: [], left_behind: [] });
      if (req.url === '/api/containers/close') return json({ container_id: CHEST, closed: true });
    });
    const client = new RegistryClient({ baseUrl: url, apiKey: 'key-1', retry: { baseMs: 1 } });
    await client.register({ characterId: 'vex', name: 'Vex', class: 'rogue', level: 3, containerEndpoint: 'http://vex:3000', capabilities: ['combat'], version: '1.0.0', abilities: ['lock-picking'] });
    const opened = await client.openContainer(CHEST);
    const token = opened.mutation_token;
    await client.transferItems({ containerId: CHEST, mutationToken: token, direction: 'to_player', itemId: 'bone-key', quantity: 1 });
    await client.transferItems({ containerId: CHEST, mutationToken: token, direction: 'to_container', itemId: 'bone-key', quantity: 1, idempotencyKey: 'put-back-1' });
    await client.lootAll(CHEST, token);
    await client.closeContainer(CHEST, token);
    expect(seen.map((s) => s.path)).toEqual(['/api/containers/open', '/api/containers/transfer', '/api/containers/transfer', '/api/containers/loot-all', '/api/containers/close']);
    expect(seen.every((s) => s.auth === 'Bearer jwt-1')).toBe(true);
    expect(seen[0]!.body).toEqual({ container_id: CHEST });
    expect(seen[1]!.body).toMatchObject({ container_id: CHEST, mutation_token: token, direction: 'to_player', item_id: 'bone-key', quantity: 1, idempotency_key: expect.stringMatching(/^transfer-[0-9a-f-]{36}$/) });
    expect(seen[2]!.body).toMatchObject({ direction: 'to_container', idempotency_key: 'put-back-1' });
    expect(seen[3]!.body).toMatchObject({ container_id: CHEST, mutation_token: token, idempotency_key: expect.stringMatching(/^loot-/) });
    expect(seen[4]!.body).toEqual({ container_id: CHEST, mutation_token: token });
  });
});
