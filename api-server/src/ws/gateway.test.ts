import { describe, expect, it } from 'vitest';
import { upgradeToken } from './gateway.ts';

describe('upgradeToken', () => {
  it('reads the token from the query, the Authorization header or the subprotocol', () => {
    expect(upgradeToken({ url: '/ws?token=abc', headers: {} })).toBe('abc');
    expect(upgradeToken({ url: '/ws', headers: { authorization: 'Bearer def' } })).toBe('def');
    expect(upgradeToken({ url: '/ws', headers: { 'sec-websocket-protocol': 'bearer, ghi' } })).toBe('ghi');
    expect(upgradeToken({ url: '/ws', headers: {} })).toBeUndefined();
  });
});
