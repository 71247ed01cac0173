import { describe, expect, it } from 'vitest';
import { aclSetUserArgs, busUsername, hashBusPassword } from './acl.ts';

const hash = hashBusPassword('pw');

describe('aclSetUserArgs', () => {
  it('grants exactly the five channels and only subscribe, unsubscribe and ping', () => {
    const args = aclSetUserArgs('thorin', 's-1', hash);
    expect(args[0]).toBe('char:thorin');
    expect(args.filter((a) => a.startsWith('&'))).toEqual([
      '&session:s-1:combat',
      '&session:s-1:exploration',
      '&session:s-1:social',
      '&session:s-1:system',
      '&character:thorin',
    ]);
    expect(args.filter((a) => /^[+-]/.test(a))).toEqual(['-@all', '+subscribe', '+unsubscribe', '+ping']);
    expect(args.some((a) => a.startsWith('~') || a === 'allkeys' || a === 'allchannels' || a.includes('*'))).toBe(false);
  });

  it('resets earlier rules before granting, and uses the hashed password', () => {
    const args = aclSetUserArgs('thorin', 's-1', hash);
    expect(args.slice(1, 5)).toEqual(['reset', 'resetchannels', 'on', `#${hash}`]);
    expect(args.join(' ')).not.toContain('>pw');
  });

  it('refuses ids that would become glob patterns, and malformed hashes', () => {
    expect(() => aclSetUserArgs('a*', 's-1', hash)).toThrow(/glob/);
    expect(() => aclSetUserArgs('a', 's?', hash)).toThrow(/glob/);
    expect(() => aclSetUserArgs('a', 's', 'nothex')).toThrow(/hash/);
  });

  it('names users char:<id>', () => {
    expect(busUsername('x-1')).toBe('char:x-1');
  });
});
