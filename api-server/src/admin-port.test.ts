import { describe, expect, it } from 'vitest';
import { claimsAdmin } from './admin-port.ts';

const token = 'the-admin-token-0123456789';
const req = (url: string, authorization?: string) => ({ url, headers: authorization ? { authorization } : {} });

describe('claimsAdmin', () => {
  it('spots the admin token as bearer, in any case of the scheme', () => {
    expect(claimsAdmin(req('/api/registry/keys', `Bearer ${token}`), token)).toBe(true);
    expect(claimsAdmin(req('/api/sessions', `bearer ${token}`), token)).toBe(true);
  });

  it('spots a game-master sign-in whatever it carries', () => {
    expect(claimsAdmin(req('/api/humans/game-master'), token)).toBe(true);
    expect(claimsAdmin(req('/api/humans/game-master/?x=1'), token)).toBe(true);
  });

  it('lets characters and everyone else through', () => {
    expect(claimsAdmin(req('/api/registry/character', 'Bearer dd_somekey'), token)).toBe(false);
    expect(claimsAdmin(req('/api/actions', `Bearer ${token}x`), token)).toBe(false);
    expect(claimsAdmin(req('/healthz'), token)).toBe(false);
    expect(claimsAdmin(req('/api/humans/player'), token)).toBe(false);
  });
});
