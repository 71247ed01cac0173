import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODULES } from '../modules.ts';
import { CATALOGUE } from '../http/errors.ts';
import { buildOpenApi } from './openapi.ts';

// One catalogue of error codes (http/errors.ts): every code the server can answer is in it, and
// the OpenAPI document names each (Problem.code's enum and the x-error-codes table), so a client
// can list them all.

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.includes('.test.') ? [p] : [];
  });
}

/** Codes written where an error is made: appError('…'), AppError({ code: '…' }), ContainerError super('…'). */
function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [/appError\(\s*'([a-z_.]+)'/g, /new AppError\(\{[^}]*?code: '([a-z_.]+)'/gs, /super\(\s*'(container\.[a-z_]+)'/g];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) found.set(m[1]!, path.relative(SRC, file));
  }
  return found;
}

describe('the error catalogue', () => {
  it('holds every code the source answers with', () => {
    const used = codesInSource();
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter(([code]) => !(code in CATALOGUE)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('is named whole by the OpenAPI document', () => {
    const doc = buildOpenApi(DEFAULT_MODULES) as {
      'x-error-codes': Record<string, { status: number; title: string }>;
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    };
    expect(doc.components.schemas.Problem.properties.code.enum.sort()).toEqual(Object.keys(CATALOGUE).sort());
    for (const [code, entry] of Object.entries(CATALOGUE)) expect(doc['x-error-codes'][code]).toEqual({ status: entry.status, title: entry.title });
  });
});
