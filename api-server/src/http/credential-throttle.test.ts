import { describe, expect, it } from 'vitest';
import { claimedIdentities, CREDENTIAL_FAILURES } from './credential-throttle.ts';

const jwtFor = (claims: object) => `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('identities a failed credential is charged to', () => {
  it("names a token's claimed character, unverified", () => {
    expect(claimedIdentities({ headers: { authorization: `Bearer ${jwtFor({ sub: 'thorin' })}` }, body: undefined })).toEqual(['id:thorin']);
  });

  it('names an API key by its hash (never the key) and the character a registration claims', () => {
    const key = `ddk_${'k'.repeat(43)}`;
    const ids = claimedIdentities({ headers: { 'x-api-key': key }, body: { characterId: 'vex' } });
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^key:[0-9a-f]{32}$/);
    expect(ids.join()).not.toContain(key.slice(4));
    expect(ids[1]).toBe('id:vex');
  });

  it('takes nothing it cannot use as a key: garbage tokens, odd ids, a body id without an API key', () => {
    expect(claimedIdentities({ headers: { authorization: 'Bearer not-a-jwt' }, body: undefined })).toEqual([]);
    // A payload that is not JSON, or JSON without an object, names nobody.
    const seg = (v: string) => Buffer.from(v).toString('base64url');
    for (const payload of ['{"sub":', 'null', '42', '"thorin"']) {
      expect(claimedIdentities({ headers: { authorization: `Bearer ${seg('{}')}.${seg(payload)}.sig` }, body: undefined })).toEqual([]);
    }
    expect(claimedIdentities({ headers: { authorization: `Bearer ${jwtFor({ sub: 'Not An Id!' })}` }, body: undefined })).toEqual([]);
    expect(claimedIdentities({ headers: { authorization: `Bearer ${jwtFor({ sub: 'x' })}` }, body: { characterId: 'someone-else' } })).toEqual(['id:x']);
  });

  it('counts wrong credentials, not missing or expired ones; guesses also cost the client IP', () => {
    expect(CREDENTIAL_FAILURES.get('auth.invalid_admin_token')).toBe('ip-and-identity');
    expect(CREDENTIAL_FAILURES.get('registry.key_revoked')).toBe('identity');
    expect(CREDENTIAL_FAILURES.has('auth.token_expired')).toBe(false);
    expect(CREDENTIAL_FAILURES.has('auth.missing_credentials')).toBe(false);
  });
});
