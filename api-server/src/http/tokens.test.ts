import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import type { Config } from '../config/config.ts';
import { AppError } from './errors.ts';
import { TokenService } from './tokens.ts';

const cfg: Config['jwt'] = {
  keys: [
    { kid: 'new', secret: 'n'.repeat(40) },
    { kid: 'old', secret: 'o'.repeat(40) },
  ],
  activeKid: 'new',
  issuer: 'dd',
  audience: 'chars',
  ttlSeconds: 60,
  generated: false,
};
const svc = new TokenService(cfg);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('TokenService', () => {
  it('signs with the active kid and verifies', () => {
    const { token, expiresAt } = svc.sign('thorin', 's-1', 3);
    expect(jwt.decode(token, { complete: true })?.header.kid).toBe('new');
    const p = svc.verify(token);
    expect(p).toMatchObject({ characterId: 'thorin', sessionId: 's-1', generation: 3 });
    expect(p.expiresAt.getTime()).toBe(expiresAt.getTime());
  });

  it('still verifies tokens of a rotated-out key that is configured', () => {
    const token = jwt.sign({ sub: 'thorin', sid: 's-1', gen: 1 }, 'o'.repeat(40), { keyid: 'old', issuer: 'dd', audience: 'chars', expiresIn: 60 });
    expect(svc.verify(token).characterId).toBe('thorin');
  });

  it('refuses expired, wrongly signed, alg none, wrong audience, wrong issuer and unknown kid', () => {
    const opts = { keyid: 'new', issuer: 'dd', audience: 'chars' };
    const claims = { sub: 'thorin', sid: 's-1', gen: 1 };
    expect(codeOf(() => svc.verify(jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, 'n'.repeat(40), opts)))).toBe('auth.token_expired');
    expect(codeOf(() => svc.verify(jwt.sign(claims, 'x'.repeat(40), { ...opts, expiresIn: 60 })))).toBe('auth.invalid_token');
    const none = jwt.sign(claims, '', { ...opts, algorithm: 'none', expiresIn: 60 });
    expect(codeOf(() => svc.verify(none))).toBe('auth.invalid_token');
    expect(codeOf(() => svc.verify(jwt.sign(claims, 'n'.repeat(40), { ...opts, audience: 'other', expiresIn: 60 })))).toBe('auth.invalid_token');
    expect(codeOf(() => svc.verify(jwt.sign(claims, 'n'.repeat(40), { ...opts, issuer: 'evil', expiresIn: 60 })))).toBe('auth.invalid_token');
    expect(codeOf(() => svc.verify(jwt.sign(claims, 'n'.repeat(40), { ...opts, keyid: 'nope', expiresIn: 60 })))).toBe('auth.invalid_token');
    expect(codeOf(() => svc.verify('not-a-jwt'))).toBe('auth.invalid_token');
  });

  it('refuses tokens without the session claim', () => {
    const token = jwt.sign({ sub: 'thorin', gen: 1 }, 'n'.repeat(40), { keyid: 'new', issuer: 'dd', audience: 'chars', expiresIn: 60 });
    expect(codeOf(() => svc.verify(token))).toBe('auth.invalid_token');
  });

  it('refuses tokens without the credential generation (issued before generations existed)', () => {
    const opts = { keyid: 'new', issuer: 'dd', audience: 'chars', expiresIn: 60 };
    expect(codeOf(() => svc.verify(jwt.sign({ sub: 'thorin', sid: 's-1' }, 'n'.repeat(40), opts)))).toBe('auth.invalid_token');
    expect(codeOf(() => svc.verify(jwt.sign({ sub: 'thorin', sid: 's-1', gen: -1 }, 'n'.repeat(40), opts)))).toBe('auth.invalid_token');
    expect(svc.verify(jwt.sign({ sub: 'thorin', sid: 's-1', gen: 0 }, 'n'.repeat(40), opts)).generation).toBe(0);
  });

  it('a token verified once still expires at its exp, and a tampered copy of it is still refused', () => {
    const own = new TokenService(cfg);
    const now = Date.now();
    const { token, expiresAt } = own.sign('thorin', 's-1', 2, now);
    expect(own.verify(token, now).characterId).toBe('thorin');
    // Remembered now: the same verdict until the second of its expiry, then refused as expired.
    expect(own.verify(token, expiresAt.getTime() - 1)).toMatchObject({ characterId: 'thorin', sessionId: 's-1', generation: 2 });
    expect(codeOf(() => own.verify(token, expiresAt.getTime()))).toBe('auth.token_expired');
    expect(codeOf(() => own.verify(token, expiresAt.getTime() + 1000))).toBe('auth.token_expired');
    // Another text is another token: a changed signature is verified, and refused.
    const [h, p] = token.split('.');
    expect(codeOf(() => own.verify(`${h}.${p}.${'A'.repeat(43)}`, now))).toBe('auth.invalid_token');
  });
});
