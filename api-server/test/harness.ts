// Helpers for the api-server's integration tests and benchmark: real servers, real HTTP.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config/config.ts';
import { start, type RunningServer, type StartOptions } from '../src/server.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const SIGNING_KEYS = `k1:${'a'.repeat(40)},k0:${'b'.repeat(40)}`;
// Suites share one Redis and all come from 127.0.0.1: each test file's servers get budgets
// (failed credentials per IP above all) of their own, shared by that file's replicas.
const BUDGETS = `dungeon:rl:test-${randomBytes(4).toString('hex')}`;

export function testConfig(env: { databaseUrl: string; redisUrl: string } & Record<string, string | undefined>): Config {
  const { databaseUrl, redisUrl, ...rest } = env;
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
    JWT_SIGNING_KEYS: SIGNING_KEYS,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_GRACE_MS: '2000',
    RATE_LIMIT_KEY_PREFIX: BUDGETS,
    ...rest,
  });
}

export async function startApi(env: Parameters<typeof testConfig>[0], opts: StartOptions = {}): Promise<RunningServer> {
  const config = testConfig(env);
  return start(config, { logger: pino({ level: config.logLevel }), ...opts });
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function http<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; apiKey?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  let payload: string | undefined;
  if (opts.raw !== undefined) payload = opts.raw;
  else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch (err) {
    body = { text, parseError: String(err) };
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export function registrationBody(characterId: string, extra: Record<string, unknown> = {}) {
  return {
    characterId,
    name: 'Thorin Ironbeard',
    class: 'fighter',
    level: 5,
    containerEndpoint: 'http://character-container:3000',
    capabilities: ['combat', 'exploration', 'social'],
    version: '1.0.0',
    ...extra,
  };
}

/** The Character spec the operator would send when minting, matching `registrationBody(id, extra)`. */
export function keySpecFor(body: ReturnType<typeof registrationBody>, session?: string) {
  return { displayName: body.name, class: body.class, level: body.level, capabilities: body.capabilities, ...(session ? { session } : {}) };
}

/** `POST /api/registry/keys` as admin with the spec; the raw key. */
export async function mintKey(base: string, characterId: string, spec: ReturnType<typeof keySpecFor>): Promise<string> {
  const minted = await http<{ apiKey: string }>(base, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId, spec } });
  if (minted.status !== 201) throw new Error(`mint failed: ${minted.status} ${JSON.stringify(minted.body)}`);
  return minted.body.apiKey;
}

/** `POST /api/sessions` as admin: sessions are the game master's to name. */
export async function createSession(base: string, id: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await http<{ id: string }>(base, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id, ...extra } });
  if (res.status !== 201) throw new Error(`session create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * Mints a key as admin (with the spec the registration then matches) and registers; returns the
 * registration response and the key. A `sessionId` in `extra` must name an existing session.
 */
export async function mintAndRegister(base: string, characterId: string, extra: Record<string, unknown> = {}) {
  const body = registrationBody(characterId, extra);
  const minted = { body: { apiKey: await mintKey(base, characterId, keySpecFor(body)) } };
  const reg = await http<{
    sessionId: string;
    characterToken: string;
    eventChannels: string[];
    eventBus: { url: string; username: string; password: string };
  }>(base, 'POST', '/api/registry/character', { apiKey: minted.body.apiKey, body });
  if (reg.status !== 200) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  return { apiKey: minted.body.apiKey, ...reg.body };
}
