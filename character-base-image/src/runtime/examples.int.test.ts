// A seeded session in which the three examples use the item economy, against the real api-server
// (real PostgreSQL and Redis, the Dungeon Master engine, a world of its own): the fighter loots a
// better weapon from a chest and equips it, the wizard drinks a potion when a trap leaves it low,
// the rogue opens a locked footlocker with a key it was given. Each decision is the example's own
// hook on the game view the api-server serves; every call goes through the SDK's RegistryClient.
// Then the session's log in PostgreSQL replays to the engine's state.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DungeonMasterEngine, loadWholeLog, replay, type RunningServer } from '@distributed-dungeon/api-server';
import type { CharacterClass } from '@distributed-dungeon/contracts';
import { mintApiKey } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN } from '../../../api-server/test/harness.ts';
import { playWorld, type WorldPlay } from '../../../api-server/test/play.ts';
import type { CharacterBase } from '../character/base.ts';
import { RegistryClient } from '../communication/registry.ts';
import type { ActionDraft, GameState } from '../types.ts';
import { loadAbilitiesFile, loadCharacter, loadCharacterConfig } from './config.ts';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

const WORLD: Parameters<typeof playWorld>[0] = {
  id: 'proving-grounds',
  name: 'The Proving Grounds',
  entrance: 'yard',
  bossRoom: 'lair',
  rooms: [
    {
      id: 'yard',
      name: 'Yard',
      description: 'A weapon rack by the gate; a quartermaster hands out supplies.',
      exits: { north: 'pit', east: 'vault', west: 'lair' },
      npcs: [
        {
          id: 'quartermaster',
          name: 'Quartermaster',
          greeting: 'Ask for a key or a potion.',
          topics: {
            key: { text: 'It opens the footlocker east.', gives: [{ item_id: 'bone-key', name: 'Bone key', quantity: 1 }] },
            potion: { text: 'Drink it when it hurts.', gives: [{ item_id: 'healing-potion', name: 'Healing potion', quantity: 1 }] },
          },
        },
      ],
      container: { name: 'weapon rack', capacity_slots: 4, lock_state: 'unlocked', items: [{ item_id: 'runed-longsword', name: 'Runed longsword', quantity: 1, weight: 3 }] },
    },
    {
      id: 'pit',
      name: 'Pit',
      description: 'Loose stones.',
      exits: { south: 'yard' },
      // Never spotted (DC 30, above a level 5 wizard's d20 + 6); 16 to 19 damage leaves a level 5 wizard (24 hp) alive and below 40%.
      traps: [{ id: 'rockfall', name: 'rockfall', dc: 30, damage: '1d4+15' }],
    },
    {
      id: 'vault',
      name: 'Vault',
      description: 'A footlocker with a heavy lock.',
      exits: { west: 'yard' },
      container: { name: 'footlocker', capacity_slots: 4, lock_state: 'locked', items: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 12 }] },
      containerLock: { dc: 30 },
    },
    {
      id: 'lair',
      name: 'Lair',
      description: 'The warden sleeps.',
      exits: { east: 'yard' },
      monsters: [{ id: 'warden', name: 'warden', hp: 5, ac: 10, attackBonus: 0, damage: '1d2', boss: true }],
    },
  ],
  items: [
    { id: 'longsword', kind: 'weapon', name: 'Longsword', damage: '1d8', weight: 3 },
    { id: 'shortsword', kind: 'weapon', name: 'Shortsword', damage: '1d6', weight: 2 },
    { id: 'runed-longsword', kind: 'weapon', name: 'Runed longsword', damage: '1d10', attackBonus: 1, weight: 3 },
    { id: 'healing-potion', kind: 'potion', name: 'Healing potion', heal: '2d4+2', weight: 0.5, max_stack: 10 },
    { id: 'bone-key', kind: 'key', name: 'Bone key', opens: ['vault'] },
    { id: 'gold-coin', kind: 'gold', name: 'Gold coin', max_stack: 1000 },
  ],
};

interface Player {
  id: string;
  character: CharacterBase;
  client: RegistryClient;
}

let play: WorldPlay;
let api: RunningServer;
let sessionId: string;

beforeAll(async () => {
  // The api-server's own harness: its database, the world in a folder of its own, a fixed seed.
  play = await playWorld(WORLD, { postgresAdminUrl: inject('postgresAdminUrl'), redisUrl: inject('redisUrl'), seed: 11 });
  api = play.api;
  sessionId = await play.newSession();
});

afterAll(async () => {
  await play?.stop();
});

/** An example as its image runs it: character.json plus its abilities.json, registered through the SDK client. */
async function join(dir: string, file: string): Promise<Player> {
  const config = await loadCharacterConfig(path.join(examples, dir));
  config.abilities = await loadAbilitiesFile(path.join(examples, dir));
  const id = `${dir}-${randomUUID().slice(0, 8)}`;
  config.characterId = id;
  const character = await loadCharacter(path.join(examples, dir, file), config);
  const spec = { displayName: config.name, class: config.class as CharacterClass, level: config.level, capabilities: ['combat', 'exploration', 'social'] as const, abilities: config.abilities! };
  const client = new RegistryClient({ baseUrl: api.url, apiKey: await mintApiKey(api.url, ADMIN_TOKEN, id, { ...spec, capabilities: [...spec.capabilities] }) });
  await client.register({ characterId: id, name: config.name, class: spec.class, level: config.level, containerEndpoint: `http://${id}:3000`, capabilities: [...spec.capabilities], version: '1.0.0', sessionId, abilities: spec.abilities });
  character.containers = client;
  return { id, character, client };
}

const viewOf = async (p: Player) => (await p.client.sessionState()) as unknown as GameState;

async function act(p: Player, draft: ActionDraft | null | undefined) {
  expect(draft).toBeTruthy();
  const result = await p.client.sendAction({ ...draft!, characterId: p.id, clientActionId: randomUUID() } as Parameters<RegistryClient['sendAction']>[0]);
  expect(result.accepted, `${draft!.type}: ${String(result.reason)}`).toBe(true);
  return result;
}

describe('the examples in a seeded session', () => {
  it('the fighter loots a better weapon and equips it, the wizard drinks a potion when low, the rogue opens a lock with a found key; the log replays to the same state', async () => {
    const fighter = await join('fighter', 'character.ts');
    const wizard = await join('wizard', 'character.cjs');
    const rogue = await join('rogue', 'character.ts');

    // The fighter: its onLoot names the yard's rack, the SDK empties it; its onExplore then wields the better blade.
    let seen = await viewOf(fighter);
    const rack = seen.room.container!.container_id!;
    expect(await fighter.character.onLoot(seen)).toContain(rack);
    const looted = await fighter.character.lootAll(rack);
    expect(looted.moved.map((m) => m.item_id)).toEqual(['runed-longsword']);
    seen = await viewOf(fighter);
    expect(seen.me.inventory.map((i) => i.item_id)).toContain('runed-longsword');
    await act(fighter, await fighter.character.onExplore(seen));
    seen = await viewOf(fighter);
    expect(seen.me.equipment?.weapon?.item_id).toBe('runed-longsword');
    expect(seen.me.weapon.damage).toMatch(/^1d10/);
    // With the best blade in hand it goes on exploring instead.
    expect((await fighter.character.onExplore(seen))?.type).not.toBe('item.equip');

    // The wizard: given a potion, hurt by the rockfall, its onExplore drinks it.
    await act(wizard, { type: 'social.talk', npc: 'quartermaster', topic: 'potion' });
    await act(wizard, { type: 'exploration.move', direction: 'north' });
    const hurt = await viewOf(wizard);
    expect(hurt.me.hp).toBeLessThan(hurt.me.maxHp * 0.4);
    expect(hurt.me.hp).toBeGreaterThan(0);
    const drink = await wizard.character.onExplore(hurt);
    expect(drink).toEqual({ type: 'item.use', itemId: 'healing-potion' });
    await act(wizard, drink);
    const healed = await viewOf(wizard);
    expect(healed.me.hp).toBeGreaterThan(hurt.me.hp);
    expect(healed.me.inventory.some((i) => i.item_id === 'healing-potion')).toBe(false);

    // The rogue: given the key, in front of the locked footlocker, its onExplore unlocks it; then it loots it.
    await act(rogue, { type: 'social.talk', npc: 'quartermaster', topic: 'key' });
    await act(rogue, { type: 'exploration.move', direction: 'east' });
    const atLock = await viewOf(rogue);
    const footlocker = atLock.room.container!;
    expect(footlocker.lock_state).toBe('locked');
    await expect(rogue.character.lootAll(footlocker.container_id!)).rejects.toMatchObject({ status: 423 });
    const open = await rogue.character.onExplore(atLock);
    expect(open).toEqual({ type: 'container.unlock', containerId: footlocker.container_id, keyItemId: 'bone-key' });
    await act(rogue, open);
    // Unlocked in the item tables: the container API that answered 423 now lets it loot.
    // (The game view's room.container.lock_state still shows the world file's "locked".)
    expect((await rogue.character.lootAll(footlocker.container_id!)).moved).toEqual([expect.objectContaining({ item_id: 'gold-coin', quantity: 12 })]);

    // The whole session, from its log in PostgreSQL, replays to the state the engine holds.
    const held = (api.context.engine as DungeonMasterEngine).dm.session(sessionId)!;
    expect(replay(held.world, held.seed, await loadWholeLog(api.context.db, sessionId))).toEqual(held.state);
    expect(held.seed).toBe(11);
  });
});
