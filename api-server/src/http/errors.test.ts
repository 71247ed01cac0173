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

  it('lets modules raise their own codes', () => {
    const p = toProblem(new AppError({ status: 423, code: 'container.locked', title: 'The container is locked' }));
    expect(p.status).toBe(423);
    expect(p.body.code).toBe('container.locked');
  });
});
