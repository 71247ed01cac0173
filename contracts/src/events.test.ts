import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './events.ts';

// Every system.* event the contract declares has a producer in the platform's code: one that no
// code sends would be a promise to subscribers that never comes true.

const root = path.join(import.meta.dirname, '..', '..');
const producers = ['api-server/src'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

describe('system events', () => {
  const code = producers.flatMap((d) => sources(path.join(root, d))).map((f) => readFileSync(f, 'utf8'));

  it.each(EVENT_TYPES.filter((t) => t.startsWith('system.')))('%s is sent by the api-server', (type) => {
    // Sent as emit(ctx, '<type>', ...) by the rules or publish(..., { type: '<type>', ... }) by a service.
    const sent = code.some((src) => src.includes(`emit(ctx, '${type}'`) || src.includes(`type: '${type}'`));
    expect(sent, `${type} has no producer`).toBe(true);
  });
});
