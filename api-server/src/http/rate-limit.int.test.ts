import { request } from 'node:http';
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, http, mintAndRegister, registrationBody, startApi, uniqueId } from '../../test/harness.ts';

const LIMIT = 6;
const READS = 5;
const FAILS_PER_IP = 4;
const FAILS_PER_ID = 3;
let one: RunningServer;
let two: RunningServer;

beforeAll(async () => {
  const databaseUrl = await createDatabase(inject('postgresAdminUrl'), 'ratelimit');
  const env = {
    databaseUrl,
    redisUrl: inject('redisUrl'),
    RATE_LIMIT_POINTS: String(LIMIT),
    RATE_LIMIT_WINDOW_SECONDS: '60',
    RATE_LIMIT_READ_POINTS: String(READS),
    AUTH_FAILURES_PER_IP: String(FAILS_PER_IP),
    AUTH_FAILURES_PER_ID: String(FAILS_PER_ID),
    AUTH_FAILURE_WINDOW_SECONDS: '60',
  };
  one = await startApi(env);
  two = await startApi({ ...env, MIGRATE_ON_START: 'false' });
});

afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
});

/**
 * A request from another loopback address (127.0.0.2, ...), so each case is its own client IP
 * while the server still listens on 127.0.0.1 only.
 */
function from(localAddress: string, server: RunningServer, method: string, path: string, opts: { token?: string; apiKey?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return new Promise<{ status: number; retryAfter: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, localAddress, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? NaN), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

/** A JWT that claims `sub` but is signed with a key the server does not have. */
function forgedToken(sub: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${part({ sub, sid: 's', iat: 1, exp: 4_000_000_000 })}.${'x'.repeat(43)}`;
}

describe('per-character rate limit', () => {
  it('is one budget across two instances sharing Redis: the request over it gets 429 with Retry-After', async () => {
    const id = uniqueId('spam');
    // Registration spends one unit too.
    const reg = await mintAndRegister(one.url, id);
    const action = { type: 'exploration.look', characterId: id };
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT - 1; i++) {
      const server = i % 2 === 0 ? two : one;
      statuses.push((await http(server.url, 'POST', '/api/actions', { token: reg.characterToken, body: action })).status);
    }
    expect(statuses).toEqual(Array(LIMIT - 1).fill(200));
    const over = await http(two.url, 'POST', '/api/actions', { token: reg.characterToken, body: action });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await http(one.url, 'POST', '/api/actions', { token: reg.characterToken, body: action })).status).toBe(429);

    // Another character still has its own budget.
    const other = uniqueId('calm');
    const otherReg = await mintAndRegister(two.url, other);
    expect((await http(one.url, 'POST', '/api/actions', { token: otherReg.characterToken, body: { ...action, characterId: other } })).status).toBe(200);
    const metrics = await (await fetch(two.url + '/metrics')).text();
    expect(metrics).toMatch(/dungeon_rate_limited_requests_total [1-9]/);
  });
});

describe('read rate limit (issue 11, item 5)', () => {
  it("meters a character's reads across replicas, apart from its actions; the game master is not metered", async () => {
    const id = uniqueId('reader');
    const reg = await mintAndRegister(one.url, id);
    const state = `/api/sessions/${reg.sessionId}/state`;
    const statuses: number[] = [];
    for (let i = 0; i < READS; i++) statuses.push((await http(i % 2 ? one.url : two.url, 'GET', state, { token: reg.characterToken })).status);
    expect(statuses).toEqual(Array(READS).fill(200));
    const over = await http(one.url, 'GET', state, { token: reg.characterToken });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body.code).toBe('rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other reads share the read budget; the action budget is untouched by reading.
    expect((await http(two.url, 'GET', `/api/registry/character/${id}`, { token: reg.characterToken })).status).toBe(429);
    expect((await http(two.url, 'POST', '/api/actions', { token: reg.characterToken, body: { type: 'rest', characterId: id } })).status).toBe(200);
    for (let i = 0; i < READS + 2; i++) expect((await http(one.url, 'GET', state, { token: ADMIN_TOKEN })).status).toBe(200);
  });
});

describe('failed credentials (issue 11, item 5)', () => {
  it('throttles wrong admin tokens per client IP across replicas, then refuses even the right one from that IP', async () => {
    const attacker = '127.0.0.2';
    for (let i = 0; i < FAILS_PER_IP; i++) {
      const res = await from(attacker, i % 2 ? one : two, 'GET', '/api/registry/characters', { token: `wrong-admin-token-${i}-xxxxxxxx` });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.invalid_admin_token');
    }
    const over = await from(attacker, one, 'GET', '/api/registry/characters', { token: 'wrong-admin-token-last-xxxxxxxx' });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
    expect(over.retryAfter).toBeGreaterThanOrEqual(1);
    expect(over.retryAfter).toBeLessThanOrEqual(60);
    // Guessing right now gains nothing: the IP is refused before its credentials are looked at.
    expect((await from(attacker, two, 'GET', '/api/registry/characters', { token: ADMIN_TOKEN })).status).toBe(429);
    // Nor through the game master's sign-in, which takes the admin token in its body.
    expect((await from(attacker, one, 'POST', '/api/humans/game-master', { body: { token: ADMIN_TOKEN } })).status).toBe(429);
    // Another client is not held back.
    expect((await from('127.0.0.3', one, 'GET', '/api/registry/characters', { token: ADMIN_TOKEN })).status).toBe(200);
    // Requests without credentials are not what is throttled.
    expect((await from(attacker, one, 'GET', '/api/registry/characters')).body.code).toBe('auth.missing_credentials');
  });

  it("counts wrong admin tokens given to the game master's sign-in", async () => {
    const guesser = '127.0.0.9';
    const codes: unknown[] = [];
    for (let i = 0; i < FAILS_PER_IP; i++) codes.push((await from(guesser, i % 2 ? one : two, 'POST', '/api/humans/game-master', { body: { token: `guess-${i}` } })).body.code);
    expect(codes).toEqual(Array(FAILS_PER_IP).fill('auth.invalid_admin_token'));
    expect((await from(guesser, one, 'POST', '/api/humans/game-master', { body: { token: ADMIN_TOKEN } })).status).toBe(429);
  });

  it('throttles bad API keys and forged tokens per claimed character, from however many IPs', async () => {
    const victim = uniqueId('victim');
    const body = registrationBody(victim);
    // One failure from each of three addresses: no single IP is over its budget.
    const fails = [
      await from('127.0.0.4', one, 'POST', '/api/registry/character', { apiKey: `ddk_${'A'.repeat(43)}`, body }),
      await from('127.0.0.5', two, 'POST', '/api/registry/character', { apiKey: `ddk_${'B'.repeat(43)}`, body }),
      await from('127.0.0.6', one, 'POST', '/api/actions', { token: forgedToken(victim), body: { type: 'rest', characterId: victim } }),
    ];
    expect(fails.map((r) => [r.status, r.body.code])).toEqual([
      [401, 'registry.key_invalid'],
      [401, 'registry.key_invalid'],
      [401, 'auth.invalid_token'],
    ]);
    const over = await from('127.0.0.7', two, 'POST', '/api/registry/character', { apiKey: `ddk_${'C'.repeat(43)}`, body });
    expect(over.status).toBe(429);
    expect(over.retryAfter).toBeGreaterThanOrEqual(1);
    expect((await from('127.0.0.7', two, 'POST', '/api/actions', { token: forgedToken(victim), body: { type: 'rest', characterId: victim } })).status).toBe(429);
    // Another character's credentials from the same addresses are judged as usual.
    expect((await from('127.0.0.4', one, 'POST', '/api/registry/character', { apiKey: `ddk_${'D'.repeat(43)}`, body: registrationBody(uniqueId('other')) })).status).toBe(401);
  });

  it('charges a revoked key to that key and character only, not to the address it comes from', async () => {
    const id = uniqueId('revoked');
    const reg = await mintAndRegister(one.url, id);
    expect((await http(one.url, 'DELETE', `/api/registry/keys/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const client = '127.0.0.8';
    const codes: unknown[] = [];
    for (let i = 0; i < FAILS_PER_ID; i++) codes.push((await from(client, i % 2 ? one : two, 'POST', '/api/registry/character', { apiKey: reg.apiKey, body: registrationBody(id) })).body.code);
    expect(codes).toEqual(Array(FAILS_PER_ID).fill('registry.key_revoked'));
    expect((await from(client, one, 'POST', '/api/registry/character', { apiKey: reg.apiKey, body: registrationBody(id) })).status).toBe(429);
    // More revoked-key attempts than the IP budget, yet the address still gets the admin API.
    for (let i = 0; i < FAILS_PER_IP; i++) await from(client, two, 'POST', '/api/registry/character', { apiKey: reg.apiKey, body: registrationBody(id) });
    expect((await from(client, two, 'GET', '/api/registry/characters', { token: ADMIN_TOKEN })).status).toBe(200);
  });
});
