import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, appError, CATALOGUE, isUnavailable, toProblem, validationError } from './errors.ts';

describe('error catalogue', () => {
  it('gives every code a 4xx/5xx status and a title', () => {
    for (const [code, entry] of Object.entries(CATALOGUE)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.title.length, code).toBeGreaterThan(0);
    }
  });

  it('maps a catalogued error to problem+json with its stable code', () => {
    const p = toProblem(appError('registry.key_revoked', 'gone'), { instance: '/api/registry/character', requestId: 'r1' });
    expect(p.status).toBe(401);
    expect(p.headers['content-type']).toBe('application/problem+json');
    expect(p.internal).toBe(false);
    expect(p.body).toMatchObject({ code: 'registry.key_revoked', status: 401, detail: 'gone', requestId: 'r1', type: expect.stringContaining('registry.key_revoked') });
  });

  it('names the bad field of a validation error', () => {
    const schema = z.object({ direction: z.enum(['north', 'south']), nested: z.object({ n: z.number() }) });
    const r = schema.safeParse({ direction: 'west', nested: { n: 'x' } });
    const p = toProblem(validationError(r.error!));
    expect(p.status).toBe(400);
    expect(p.body.errors?.map((e) => e.path)).toEqual(['direction', 'nested.n']);
    expect(p.body.detail).toContain('direction');
  });

  it('sets Retry-After for rate limiting', () => {
    const p = toProblem(appError('rate_limited', undefined, { retryAfter: 2.2 }));
    expect(p.status).toBe(429);
    expect(p.headers['retry-after']).toBe('3');
  });

  it('answers unknown errors with 500 and no internals, flagged for logging', () => {
    const p = toProblem(new TypeError('cannot read x of undefined at /secret/path.ts:12'));
    expect(p.status).toBe(500);
    expect(p.internal).toBe(true);
    expect(JSON.stringify(p.body)).not.toContain('secret');
  });

  it('maps PostgreSQL and Redis connection failures to 503', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isUnavailable(refused)).toBe(true);
    expect(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isUnavailable(new Error('wrapper', { cause: refused }))).toBe(true);
    expect(isUnavailable(new AggregateError([refused]))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    const p = toProblem(refused);
    expect(p.status).toBe(503);
    expect(p.body.code).toBe('service_unavailable');
    expect(p.headers['retry-after']).toBe('1');
  });

  it('maps body-parser errors to 400/413', () => {
    const bad = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(toProblem(bad).body.code).toBe('request.malformed_json');
    const big = Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 });
    expect(toProblem(big).status).toBe(413);
  });

  it.each([
    ['unsupported charset', { type: 'charset.unsupported', status: 415, expose: true }, 415, 'request.unsupported_charset'],
    ['unknown Content-Encoding', { type: 'encoding.unsupported', status: 415, expose: true }, 415, 'request.unsupported_encoding'],
    ['corrupt gzip body', { code: 'Z_DATA_ERROR', status: 400, expose: true }, 400, 'request.undecodable_body'],
    ['aborted body', { type: 'request.aborted', status: 400, expose: true }, 400, 'request.aborted'],
    ['Content-Length mismatch', { type: 'request.size.invalid', status: 400, expose: true }, 400, 'request.invalid'],
  ])('maps %s to a 4xx with its own code, never 500', (_name, props, status, code) => {
    const p = toProblem(Object.assign(new Error('x'), props));
    expect(p).toMatchObject({ status, internal: false, body: { code, status } });
  });

  it('maps a path parameter that is not valid percent-encoding to 400', () => {
    const p = toProblem(Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400, statusCode: 400 }));
    expect(p).toMatchObject({ status: 400, internal: false, body: { code: 'request.bad_path' } });
  });

  it('keeps errors a thrower did not mark as the client\'s a 500', () => {
    expect(toProblem(Object.assign(new Error('boom'), { status: 400 })).status).toBe(500);
    expect(toProblem(Object.assign(new Error('boom'), { type: 'stream.encoding.set', status: 500, expose: false })).status).toBe(500);
  });

  it('lets modules raise their own codes', () => {
    const p = toProblem(new AppError({ status: 423, code: 'container.locked', title: 'The container is locked' }));
    expect(p.status).toBe(423);
    expect(p.body.code).toBe('container.locked');
  });
});
