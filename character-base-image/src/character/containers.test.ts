import type { ContainerComponent, OpenContainerResponse, TransferDirection } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { CharacterBase } from './base.ts';
import type { ContainerPort } from './containers.ts';

const CHEST = '0b7c1d5e-1111-4222-8333-444455556666';
const component = (items: ContainerComponent['items']): ContainerComponent => ({
  container_id: CHEST,
  source_type: 'environment',
  owner_id: null,
  room_id: 'hall',
  entity_id: null,
  lock_state: 'unlocked',
  capacity_slots: 4,
  weight_limit: null,
  decay_at: null,
  allowed_roles: [],
  items,
  metadata: {},
});
const potion = (quantity: number) => ({ item_id: 'healing-potion', item_name: 'Healing potion', quantity, weight: 0.5, max_stack: 10, metadata: {} });
const inventory = (items: ContainerComponent['items']) => ({ character_id: 'vex', capacity_slots: 20, weight_limit: null, items });

/** The container API as the port: records every call, answers in the contracts' shapes. */
function recordingPort(opts: { failLoot?: boolean } = {}) {
  const calls: string[] = [];
  let held = 3;
  const opened: OpenContainerResponse = { container: component([potion(held)]), mutation_token: 'mutation-token-0123456789', expires_at: '2026-01-01T00:01:00Z' };
  const port: ContainerPort = {
    async openContainer(id) {
      calls.push(`open ${id}`);
      return opened;
    },
    async transferItems(r: { containerId: string; mutationToken: string; direction: TransferDirection; itemId: string; quantity: number }) {
      calls.push(`transfer ${r.direction} ${r.quantity} ${r.itemId} with ${r.mutationToken}`);
      held += r.direction === 'to_player' ? -r.quantity : r.quantity;
      return { container: component(held ? [potion(held)] : []), inventory: inventory([]), moved: { item_id: r.itemId, quantity: r.quantity } };
    },
    async lootAll(id, token) {
      calls.push(`loot-all ${id} with ${token}`);
      if (opts.failLoot) throw new Error('HTTP 409 container.in_combat');
      const moved = [potion(held)];
      held = 0;
      return { container: component([]), inventory: inventory(moved), moved, left_behind: [] };
    },
    async closeContainer(id, token) {
      calls.push(`close ${id} with ${token}`);
      return { container_id: id, closed: true as const };
    },
  };
  return { port, calls };
}

describe('CharacterBase containers', () => {
  it('opens, takes, puts back and closes with the mutation token of the open', async () => {
    const { port, calls } = recordingPort();
    const c = new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 });
    c.containers = port;
    const chest = await c.openContainer(CHEST);
    expect(chest.items).toEqual([potion(3)]);
    await chest.take('healing-potion', 2);
    expect(chest.items).toEqual([potion(1)]);
    await chest.put('healing-potion');
    expect(chest.items).toEqual([potion(2)]);
    await chest.close();
    await chest.close();
    expect(calls).toEqual([
      `open ${CHEST}`,
      'transfer to_player 2 healing-potion with mutation-token-0123456789',
      'transfer to_container 1 healing-potion with mutation-token-0123456789',
      `close ${CHEST} with mutation-token-0123456789`,
    ]);
    await expect(chest.take('healing-potion')).rejects.toThrow(/is closed: open it again/);
    await expect(chest.put('healing-potion', 0)).rejects.toThrow(/closed/);
  });

  it('refuses a quantity below one before calling the API', async () => {
    const { port, calls } = recordingPort();
    const c = new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 });
    c.containers = port;
    const chest = await c.openContainer(CHEST);
    await expect(chest.take('healing-potion', 0)).rejects.toThrow(RangeError);
    expect(calls).toEqual([`open ${CHEST}`]);
  });

  it('lootAll opens, takes everything and closes', async () => {
    const { port, calls } = recordingPort();
    const c = new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 });
    c.containers = port;
    const res = await c.lootAll(CHEST);
    expect(res.moved).toEqual([potion(3)]);
    expect(calls.map((x) => x.split(' ')[0])).toEqual(['open', 'loot-all', 'close']);
  });

  it('closes the container even when what ran with it failed', async () => {
    const { port, calls } = recordingPort({ failLoot: true });
    const c = new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 });
    c.containers = port;
    await expect(c.lootAll(CHEST)).rejects.toThrow(/in_combat/);
    expect(calls.at(-1)).toBe(`close ${CHEST} with mutation-token-0123456789`);
  });

  it('says so when there is no container API (unit tests, practice)', async () => {
    const c = new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 });
    await expect(c.openContainer(CHEST)).rejects.toThrow(/no item-container API here/);
  });

  it('exposes the picked abilities from the config', () => {
    expect(new CharacterBase({ name: 'Vex', class: 'rogue', level: 3, abilities: ['lock-picking'] }).abilities).toEqual(['lock-picking']);
    expect(new CharacterBase({ name: 'Vex', class: 'rogue', level: 3 }).abilities).toBeUndefined();
  });
});
