import { describe, expect, it } from 'vitest';
import { findNul } from './no-nul.ts';

describe('findNul', () => {
  it('names the first string or key that holds U+0000', () => {
    expect(findNul({ owner: { uid: 'Y\u0000' } })).toBe('owner.uid');
    expect(findNul({ spec: { capabilities: ['ok', 'b\u0000ad'] } })).toBe('spec.capabilities.1');
    expect(findNul({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(findNul('\u0000')).toBe('(body)');
  });

  it('passes everything else, control characters included', () => {
    expect(findNul({ a: 'tab\tnewline\n\u0001', b: [1, true, null, { c: 'é' }] })).toBeNull();
  });
});
