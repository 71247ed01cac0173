import { describe, expect, it } from 'vitest';
import { loadWorlds } from './world-files.ts';
import { parseWorld, WorldValidationError } from './world.ts';
import { tinyWorld } from '../../test/game/fixtures.ts';

function issuesOf(input: unknown) {
  try {
    parseWorld(input);
  } catch (err) {
    expect(err).toBeInstanceOf(WorldValidationError);
    return (err as WorldValidationError).issues;
  }
  throw new Error('expected the world to be invalid');
}

const base = () => structuredClone(tinyWorld()) as unknown as { rooms: Record<string, unknown>[] } & Record<string, unknown>;

describe('worlds', () => {
  it('the bundled Crypt of Dawn loads: ten or more rooms, a boss, traps, an NPC and chests', async () => {
    const world = (await loadWorlds()).get('crypt-of-dawn');
    expect(world).toBeDefined();
    expect(world!.rooms.length).toBeGreaterThanOrEqual(10);
    expect(world!.rooms.find((r) => r.id === world!.bossRoom)!.monsters.some((m) => m.boss)).toBe(true);
    expect(world!.rooms.flatMap((r) => r.traps).length).toBeGreaterThanOrEqual(2);
    expect(world!.rooms.flatMap((r) => r.npcs).length).toBeGreaterThanOrEqual(1);
    expect(world!.rooms.filter((r) => r.container).length).toBeGreaterThanOrEqual(2);
  });

  it('names the room and the field of a bad value', () => {
    const w = base();
    (w.rooms[1]!.monsters as Record<string, unknown>[])[0]!.damage = '1d6 plus fire';
    expect(issuesOf(w)).toEqual([{ roomId: 'den', field: 'monsters[0].damage', message: 'a dice expression such as 1d6+1' }]);
  });

  it('catches exits to nowhere, unreachable rooms, duplicate ids and a container over capacity', () => {
    const w = base();
    (w.rooms[0]!.exits as Record<string, string>).west = 'nowhere';
    expect(issuesOf(w)).toContainEqual({ roomId: 'gate', field: 'exits.west', message: 'no room "nowhere"' });

    const island = base();
    island.rooms.push({ id: 'island', name: 'Island', description: 'Alone.' });
    expect(issuesOf(island)).toContainEqual({ roomId: 'island', field: 'id', message: 'not reachable from the entrance "gate"' });

    const dup = base();
    (dup.rooms[2]!.traps as Record<string, unknown>[])[0]!.id = 'ogre';
    expect(issuesOf(dup)).toContainEqual({ roomId: 'hall', field: 'traps[0].id', message: 'id "ogre" is also used in room "den"' });

    const full = base();
    full.rooms[0]!.container = { capacity_slots: 1, items: [{ item_id: 'a', name: 'A', quantity: 1 }, { item_id: 'b', name: 'B', quantity: 1 }] };
    expect(issuesOf(full)).toContainEqual({ roomId: 'gate', field: 'container.items', message: 'more item stacks than capacity_slots' });

    const noBoss = base();
    noBoss.bossRoom = 'hall';
    expect(issuesOf(noBoss)).toContainEqual({ roomId: 'hall', field: 'monsters', message: 'the boss room needs a monster with "boss": true' });
  });

  it('the error message lists every problem with its room', () => {
    const w = base();
    (w.rooms[1]!.monsters as Record<string, unknown>[])[0]!.hp = 0;
    expect(() => parseWorld(w, 'tiny.json')).toThrow(/tiny\.json is invalid:\n {2}- room "den" → monsters\[0\]\.hp: /);
  });
});
