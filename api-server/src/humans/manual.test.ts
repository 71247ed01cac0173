import { describe, expect, it } from 'vitest';
import { unverifiedSubject } from './manual.ts';

describe('manual control', () => {
  it("reads a token's subject without trusting it, and nothing from garbage", () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'thorin', sid: 's-1' })).toString('base64url');
    expect(unverifiedSubject(`h.${payload}.sig`)).toBe('thorin');
    expect(unverifiedSubject('not-a-jwt')).toBeUndefined();
    expect(unverifiedSubject(`h.${Buffer.from('{oops').toString('base64url')}.s`)).toBeUndefined();
    expect(unverifiedSubject(`h.${Buffer.from('{"sub":42}').toString('base64url')}.s`)).toBeUndefined();
  });
});
