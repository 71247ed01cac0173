import { describe, expect, it } from 'vitest';
import { imageAllowed, normalizeImage, parsePolicy } from './policy.ts';
import { compareQuantities, parseQuantity } from './quantity.ts';
import { childName, labelValue } from './names.ts';

describe('policy', () => {
  it('fills defaults and names bad fields', () => {
    const p = parsePolicy({ registryUrl: 'http://api:8080' });
    expect(p.resources.max).toEqual({ cpu: '1', memory: '1Gi' });
    expect(p.runtimeClassName).toBeNull();
    expect(() => parsePolicy({ registryUrl: 'nope' })).toThrow(/registryUrl/);
    expect(() =>
      parsePolicy({ registryUrl: 'http://a', resources: { default: { requests: { cpu: '2', memory: '1Mi' }, limits: { cpu: '1', memory: '1Mi' } }, max: { cpu: '1', memory: '1Mi' } } }),
    ).toThrow(/resources.default.requests.cpu/);
  });

  it('normalizes images the way runtimes resolve them', () => {
    expect(normalizeImage('nginx')).toBe('docker.io/library/nginx');
    expect(normalizeImage('alice/thorin:1')).toBe('docker.io/alice/thorin');
    expect(normalizeImage('localhost:5000/thorin:dev')).toBe('localhost:5000/thorin');
    expect(normalizeImage(`ghcr.io/a/b@sha256:${'a'.repeat(64)}`)).toBe('ghcr.io/a/b');
  });

  it('allows images by registry or path prefix only', () => {
    expect(imageAllowed('anything', [])).toBe(true);
    expect(imageAllowed('registry.example/alice/thorin:1', ['registry.example'])).toBe(true);
    expect(imageAllowed('registry.example.evil.com/x', ['registry.example'])).toBe(false);
    expect(imageAllowed('ghcr.io/alice/x', ['ghcr.io/bob'])).toBe(false);
    expect(imageAllowed('ghcr.io/bob/x:2', ['ghcr.io/bob/'])).toBe(true);
    expect(imageAllowed('nginx', ['docker.io/library'])).toBe(true);
  });
});

describe('quantities', () => {
  it('parses and compares', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(compareQuantities('1Gi', '1024Mi')).toBe(0);
    expect(compareQuantities('1', '999m')).toBe(1);
    expect(() => parseQuantity('lots')).toThrow(/not a quantity/);
  });
});

describe('names', () => {
  it('keeps short names and hashes long or odd ones', () => {
    expect(childName('thorin', '-data')).toBe('thorin-data');
    expect(childName('1up')).toMatch(/^c-1up-[0-9a-f]{8}$/);
    expect(childName('a.b')).toMatch(/^a-b-[0-9a-f]{8}$/);
    const long = childName('x'.repeat(100), '-credentials');
    expect(long).toHaveLength(63);
    expect(long.endsWith('-credentials')).toBe(true);
    expect(childName('x'.repeat(100))).not.toBe(childName(`${'x'.repeat(99)}y`));
    expect(labelValue('ok.name')).toBe('ok.name');
    expect(labelValue('y'.repeat(80)).length).toBeLessThanOrEqual(63);
  });
});
