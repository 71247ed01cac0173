import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CharacterId } from './registry.ts';
import { CharacterSpecSchema, characterIdFor, QUANTITY_PATTERN } from './character.ts';

const base = { displayName: 'Thorin Ironbeard', class: 'fighter', level: 5, image: 'registry.example/alice/thorin:1.0.0' };

describe('CharacterSpecSchema', () => {
  it('fills in defaults', () => {
    const spec = CharacterSpecSchema.parse(base);
    expect(spec.storage).toEqual({ size: '1Gi', storageClassName: null, retainOnDelete: false });
    expect(spec.capabilities).toEqual(['combat', 'exploration', 'social']);
    expect(spec.suspend).toBe(false);
    expect(spec.config).toEqual({});
  });

  it.each([
    [{ level: 0 }, 'level'],
    [{ level: 21 }, 'level'],
    [{ class: 'necromancer' }, 'class'],
    [{ image: '' }, 'image'],
    [{ image: 'Not An Image' }, 'image'],
    [{ storage: { size: 'lots' } }, 'storage'],
    [{ storage: { size: '0Gi' } }, 'storage'],
    [{ session: 'Crypt Of Dawn' }, 'session'],
    [{ capabilities: ['combat', 'combat'] }, 'capabilities'],
    [{ config: { blob: 'x'.repeat(17 * 1024) } }, 'config'],
    [{ surprise: true }, ''],
  ])('rejects %j', (patch, path) => {
    const result = CharacterSpecSchema.safeParse({ ...base, ...patch });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join('.')).toContain(path);
  });

  it('accepts the images players write', () => {
    for (const image of ['thorin', 'alice/thorin:1', 'localhost:5000/thorin:dev', `ghcr.io/a/b@sha256:${'a'.repeat(64)}`]) {
      expect(CharacterSpecSchema.safeParse({ ...base, image }).success, image).toBe(true);
    }
  });

  it('accepts integer and string quantities', () => {
    expect(CharacterSpecSchema.parse({ ...base, storage: { size: 1073741824 }, resources: { limits: { cpu: 1, memory: '512Mi' } } }).storage.size).toBe(1073741824);
    for (const q of ['1Gi', '500m', '1.5', '1e3', '+2']) expect(QUANTITY_PATTERN.test(q), q).toBe(true);
    for (const q of ['lots', '1GB', '-1', '']) expect(QUANTITY_PATTERN.test(q), q).toBe(false);
  });
});

describe('characterIdFor', () => {
  it('is a registry CharacterId, stable and namespace-specific', () => {
    const id = characterIdFor('player-alice', 'thorin-ironbeard');
    expect(id).toMatch(/^thorin-iro-[a-z2-7]{52}$/);
    expect(id).toHaveLength(63);
    expect(characterIdFor('player-alice', 'thorin-ironbeard')).toBe(id);
    expect(characterIdFor('player-bob', 'thorin-ironbeard')).not.toBe(id);
    const long = characterIdFor('ns', `a.${'b'.repeat(240)}`);
    expect(CharacterId.safeParse(long).success).toBe(true);
    expect(CharacterId.safeParse(id).success).toBe(true);
  });

  it('keeps the whole SHA-256 of namespace/name (256 bits), so ids cannot be made to collide', () => {
    const digest = (id: string) => id.slice(id.lastIndexOf('-') + 1);
    const bits = (s: string) => [...s].map((c) => 'abcdefghijklmnopqrstuvwxyz234567'.indexOf(c).toString(2).padStart(5, '0')).join('');
    const expected = createHash('sha256').update('player-alice/thorin-ironbeard').digest();
    const fromId = bits(digest(characterIdFor('player-alice', 'thorin-ironbeard'))).slice(0, 256);
    expect(fromId).toBe([...expected].map((b) => b.toString(2).padStart(8, '0')).join(''));
    // Same name, same first characters: only the digest tells them apart, and it does.
    expect(characterIdFor('a', 'x'.repeat(60))).not.toBe(characterIdFor('b', 'x'.repeat(60)));
    expect(characterIdFor('ns', '1-2')).toMatch(/^1-2-[a-z2-7]{52}$/);
    expect(CharacterId.safeParse(characterIdFor('ns', '---')).success).toBe(true);
  });
});
