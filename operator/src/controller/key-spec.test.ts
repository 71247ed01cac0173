import { CharacterSpecSchema } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { keySpecOf } from './registry.ts';

const spec = (extra: Record<string, unknown> = {}) =>
  CharacterSpecSchema.parse({ displayName: 'Vex', class: 'rogue', level: 3, image: 'registry.example/a/vex:1', ...extra });

describe('keySpecOf', () => {
  it('records the picked abilities with the key, so registrations must claim them', () => {
    expect(keySpecOf(spec({ abilities: ['lock-picking'] })).abilities).toEqual(['lock-picking']);
  });

  it('leaves abilities out when none were picked (the key spec of older Characters does not change)', () => {
    expect('abilities' in keySpecOf(spec())).toBe(false);
  });
});
