import { describe, expect, it } from 'vitest';
import { CharacterSpecSchema } from './character.ts';

const base = { displayName: 'Thorin', class: 'fighter', level: 3 };

describe('spec.placement', () => {
  it('defaults to cluster, which needs an image', () => {
    expect(CharacterSpecSchema.parse({ ...base, image: 'registry.example/a/t:1' }).placement).toBe('cluster');
    const missing = CharacterSpecSchema.safeParse(base);
    expect(missing.success).toBe(false);
    expect(missing.error!.issues).toEqual([expect.objectContaining({ path: ['image'], message: 'image is required unless placement is external' })]);
  });

  it('external needs no image', () => {
    const spec = CharacterSpecSchema.parse({ ...base, placement: 'external' });
    expect(spec.placement).toBe('external');
    expect(spec.image).toBeUndefined();
  });

  it('refuses other placements', () => {
    expect(CharacterSpecSchema.safeParse({ ...base, image: 'a/b', placement: 'edge' }).success).toBe(false);
  });
});
