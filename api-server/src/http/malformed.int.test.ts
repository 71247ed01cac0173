import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { ADMIN_TOKEN, startApi } from '../../test/harness.ts';
import { CATALOGUE } from './errors.ts';

// Issue 11, item 4: every malformed request is a 4xx problem+json with a catalogued code (a
// charset other than UTF-8 and an unknown Content-Encoding used to be answered 500).

let api: RunningServer;

beforeAll(async () => {
  api = await startApi({ databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'malformed'), redisUrl: inject('redisUrl') });
});
afterAll(async () => {
  await api?.stop();
});

/** node:http rather than fetch, which would refuse to send some of these. */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = '{"id":"malformed-1"}';

describe('malformed requests', () => {
  it.each([
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }, json, 415, 'request.unsupported_charset'],
    ['an unknown Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'br2' }, json, 415, 'request.unsupported_encoding'],
    ['a gzip body that is not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, json, 400, 'request.undecodable_body'],
    ['JSON that does not parse', { 'content-type': 'application/json' }, '{"id":', 400, 'request.malformed_json'],
    ['a body that is not an object', { 'content-type': 'application/json' }, '"x"', 400, 'request.malformed_json'],
    ['a body over the limit', { 'content-type': 'application/json' }, JSON.stringify({ id: 'x', pad: 'y'.repeat(70_000) }), 413, 'request.too_large'],
    ['a gzip body that inflates over the limit', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(JSON.stringify({ pad: 'z'.repeat(2_000_000) })), 413, 'request.too_large'],
  ])('%s → %i problem+json', async (_what, headers, body, status, code) => {
    const res = await send('POST', '/api/sessions', headers, body);
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, code });
    expect(Object.keys(CATALOGUE)).toContain(code);
  });

  it('refuses a path parameter that is not valid percent-encoding with 400', async () => {
    const res = await send('GET', '/api/sessions/%E0%A4%A/state', {});
    expect(res).toMatchObject({ status: 400, body: { code: 'request.bad_path' } });
  });

  it('still takes a gzip body that is gzip', async () => {
    const res = await send('POST', '/api/sessions', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'malformed-1' });
  });
});
