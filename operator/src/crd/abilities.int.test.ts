// The generated CEL rules of spec.abilities against the real kube-apiserver: `kubectl apply` of a
// Character whose abilities break the class and level rules is refused, naming the ability.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { applyCrd, characterYaml, kubectl } from '../../test/harness.ts';

const kubeconfig = inject('kubeconfig');
const spec = (extra: Record<string, unknown>) => ({ displayName: 'Elara', class: 'wizard', level: 5, image: 'registry.example/alice/elara:1.0.0', ...extra });
// Server-side dry run: every admission check runs, nothing is stored.
const apply = (s: Record<string, unknown>) => kubectl(kubeconfig, ['apply', '--dry-run=server', '-f', '-'], characterYaml('default', 'abilities-check', s));

beforeAll(async () => {
  await applyCrd(kubeconfig);
});

describe('kubectl apply checks spec.abilities against the catalogue', () => {
  it.each([
    ['a wizard with both its spells at level 5', spec({ abilities: ['fire-bolt', 'magic-missile'] })],
    ['a level 1 rogue with lock picking', spec({ class: 'rogue', level: 1, abilities: ['lock-picking'] })],
    ['a fighter with none', spec({ class: 'fighter', abilities: [] })],
    ['a Character that picks nothing', spec({})],
  ])('accepts %s', async (_what, s) => {
    const res = await apply(s);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
  });

  it.each([
    ['an ability of another class', spec({ class: 'fighter', abilities: ['magic-missile'] }), /spec\.abilities: Invalid value: .*spell "magic-missile" is only for wizard from level 1/],
    ['an ability below its level', spec({ class: 'ranger', level: 1, abilities: ['heal'] }), /spec\.abilities: .*spell "heal" is only for cleric from level 1, bard from level 1, ranger from level 2/],
    ['more spells than the level holds', spec({ level: 2, abilities: ['fire-bolt', 'magic-missile'] }), /spec\.abilities: .*a wizard of level 1 to 2 picks at most 1 spell/],
    ['an ability not in the catalogue', spec({ abilities: ['fireball'] }), /spec\.abilities\[0\]: Invalid value: .*"fireball" is not an ability or spell of the catalogue \(fire-bolt, magic-missile/],
    ['the same ability twice', spec({ abilities: ['fire-bolt', 'fire-bolt'] }), /spec\.abilities\[1\]: Duplicate value: "fire-bolt"/],
  ])('refuses %s, naming it', async (_what, s, message) => {
    const res = await apply(s);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
  });
});
