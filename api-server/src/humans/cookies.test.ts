import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, parseCookies, sessionCookie } from './cookies.ts';

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Strict, whole-site and Secure only under TLS', () => {
    expect(sessionCookie('abc', { maxAgeSeconds: 60, secure: false })).toBe('dd_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict');
    expect(sessionCookie('abc', { maxAgeSeconds: 60, secure: true })).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toContain('Max-Age=0');
  });

  it('parses a Cookie header, keeps the first of a repeated name and skips broken pairs', () => {
    const c = parseCookies('a=1; dd_session=x%20y; a=2; junk; bad=%E0%A4%A');
    expect(c.get('a')).toBe('1');
    expect(c.get('dd_session')).toBe('x y');
    expect(c.has('junk')).toBe(false);
    expect(c.has('bad')).toBe(false);
    expect(parseCookies(undefined).size).toBe(0);
  });
});
