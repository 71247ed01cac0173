import { describe, expect, it } from 'vitest';
import { judgeGrounds, type Grounds } from './grounds.ts';

const token = { characterId: 'thorin', sessionId: 's-1', generation: 4 };
const live: Grounds = { status: 'registered', sessionId: 's-1', generation: 4, keyRevoked: false, leftReason: null, capabilities: [] };
const code = (g: Grounds | undefined) => judgeGrounds(token, g)?.code;

describe('judgeGrounds', () => {
  it('lets a token of the current registration through', () => {
    expect(judgeGrounds(token, live)).toBeUndefined();
  });

  it('refuses once the key is revoked, whatever else holds', () => {
    expect(code({ ...live, keyRevoked: true })).toBe('registry.key_revoked');
  });

  it('refuses an unknown, deregistered or expired character, saying why', () => {
    expect(code(undefined)).toBe('auth.not_registered');
    expect(code({ ...live, status: 'deregistered', leftReason: 'heartbeat-expired' })).toBe('auth.not_registered');
    expect(judgeGrounds(token, { ...live, status: 'deregistered', leftReason: 'heartbeat-expired' })?.detail).toContain('heartbeat-expired');
  });

  it('refuses a token of an earlier registration, in the same session or another', () => {
    expect(code({ ...live, generation: 5 })).toBe('auth.token_superseded');
    expect(code({ ...live, generation: 5, sessionId: 's-2' })).toBe('auth.token_superseded');
    expect(code({ ...live, sessionId: 's-2' })).toBe('auth.token_superseded');
  });
});
