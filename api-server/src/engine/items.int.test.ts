import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { characterUuid } from '../containers/ids.ts';
import { putInventory } from '../containers/inventory.ts';
import { replay } from '../game/index.ts';
import type { RunningServer } from '../server.ts';
import { http, mintAndRegister } from '../../test/harness.ts';
import { playWorld, type Player, type WorldPlay } from '../../test/play.ts';
import { VAULT } from '../../test/worlds/vault.ts';
import type { DungeonMasterEngine } from './dungeon-master-engine.ts';
import { loadWholeLog } from './session-log.ts';

// The item economy end to end (issue 12): a real api-server on real PostgreSQL and Redis, a small
// world of its own (DUNGEON_WORLDS_DIR in /tmp), actions over HTTP. What a character carries is
// read from the item tables, changed in the transaction of the action's log entry, and the log
// replays to the same state without them.

let play: WorldPlay;
let api: RunningServer;
beforeAll(async () => {
  play = await playWorld(VAULT, { postgresAdminUrl: inject('postgresAdminUrl'), redisUrl: inject('redisUrl'), seed: 5 });
  api = play.api;
});
afterAll(async () => {
  await play?.stop();
});

const engine = () => api.context.engine as DungeonMasterEngine;
const db = () => api.context.db;
const newSession = () => play.newSession();
const join = (sessionId: string, cls?: string) => play.join(sessionId, cls);
const act = (p: Player, action: Record<string, unknown>) => play.act(p, action);

async function view(p: Player): Promise<{ me: Record<string, unknown> & { inventory: { item_id: string; quantity: number }[] }; room: { container: { container_id?: string } | null; containers?: unknown[] } }> {
  const res = await http<{ gameState: never }>(api.url, 'GET', `/api/sessions/${p.sessionId}/state`, { token: p.token });
  expect(res.status).toBe(200);
  return res.body.gameState;
}

async function inventoryOf(id: string): Promise<Record<string, number>> {
  const { rows } = await db().query<{ items: { item_id: string; quantity: number }[] }>('SELECT items FROM character_inventories WHERE character_id = $1', [id]);
  const out: Record<string, number> = {};
  for (const s of rows[0]?.items ?? []) out[s.item_id] = (out[s.item_id] ?? 0) + s.quantity;
  return out;
}

async function equipmentOf(id: string): Promise<Record<string, { item_id: string; inner_container?: string | null }>> {
  const { rows } = await db().query<{ slot: string; item: { item_id: string; inner_container?: string | null } }>('SELECT slot, item FROM character_equipment WHERE character_id = $1', [id]);
  return Object.fromEntries(rows.map((r) => [r.slot, r.item]));
}

async function container(id: string) {
  const { rows } = await db().query<{ items: { item_id: string; quantity: number }[]; entity_id: string | null; lock_state: string; metadata: Record<string, unknown> }>(
    'SELECT items, entity_id, lock_state, metadata FROM containers WHERE container_instance_id = $1',
    [id],
  );
  return rows[0]!;
}

/** The session's log in PostgreSQL replays, without the item tables, to the engine's state. */
async function expectReplays(sessionId: string): Promise<void> {
  const held = engine().dm.session(sessionId)!;
  const replayed = replay(held.world, held.seed, await loadWholeLog(db(), sessionId));
  expect(replayed).toEqual(held.state);
}

describe('the item economy in play', () => {
  it('the starting kit and NPC gifts are granted into the item tables, and the game view reads them from there', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    expect(await inventoryOf(p.id)).toEqual({ longsword: 1, 'healing-potion': 1 });
    expect((await act(p, { type: 'social.talk', npc: 'keeper', topic: 'gold' })).accepted).toBe(true);
    expect(await inventoryOf(p.id)).toEqual({ longsword: 1, 'healing-potion': 1, 'gold-coin': 5 });
    // The container API sees the same inventory.
    const mine = await http<{ inventory: { items: { item_id: string; quantity: number }[] } }>(api.url, 'GET', `/api/characters/${p.id}/inventory`, { token: p.token });
    expect(mine.status).toBe(200);
    expect(mine.body.inventory.items.map((s) => [s.item_id, s.quantity])).toEqual([['longsword', 1], ['healing-potion', 1], ['gold-coin', 5]]);
    // Looted through the container API (written to the table here): the view shows it at once.
    await db().query(`UPDATE character_inventories SET items = items || '[{"item_id":"shield","item_name":"Shield","quantity":1,"weight":6,"max_stack":1,"metadata":{}}]'::jsonb WHERE character_id = $1`, [p.id]);
    const v = await view(p);
    expect(Object.fromEntries(v.me.inventory.map((s) => [s.item_id, s.quantity]))).toEqual({ longsword: 1, 'healing-potion': 1, 'gold-coin': 5, shield: 1 });
    await expectReplays(sessionId);
  });

  it('a potion heals and is consumed from the table', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    expect((await act(p, { type: 'item.use', itemId: 'healing-potion' })).accepted).toBe(true);
    expect(await inventoryOf(p.id)).toEqual({ longsword: 1 });
    const again = await act(p, { type: 'item.use', itemId: 'healing-potion' });
    expect(again).toMatchObject({ accepted: false });
    expect(again.reason).toMatch(/^no_such_item/);
    await expectReplays(sessionId);
  });

  it('equip, unequip and re-equip a backpack: its container is made once, keeps its contents, and the same one is worn again', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    await act(p, { type: 'social.talk', npc: 'keeper', topic: 'pack' });
    expect((await act(p, { type: 'item.equip', itemId: 'pack' })).accepted).toBe(true);
    const worn = (await equipmentOf(p.id)).back!;
    expect(worn.item_id).toBe('pack');
    const bag = worn.inner_container!;
    expect(await container(bag)).toMatchObject({ entity_id: characterUuid(p.id), items: [] });
    expect((await inventoryOf(p.id)).pack).toBeUndefined();
    await db().query(`UPDATE containers SET items = '[{"item_id":"gold-coin","item_name":"Gold coin","quantity":3,"weight":0,"max_stack":1000,"metadata":{}}]' WHERE container_instance_id = $1`, [bag]);

    expect((await act(p, { type: 'item.unequip', slot: 'back' })).accepted).toBe(true);
    expect(await equipmentOf(p.id)).toEqual({});
    const { rows } = await db().query<{ items: { item_id: string; inner_container?: string }[] }>('SELECT items FROM character_inventories WHERE character_id = $1', [p.id]);
    expect(rows[0]!.items.find((s) => s.item_id === 'pack')?.inner_container).toBe(bag);
    expect(await container(bag)).toMatchObject({ entity_id: null, items: [{ item_id: 'gold-coin', quantity: 3 }] });

    // Again, through the REST route this time.
    const route = (who: string, verb: string, body: unknown) => http<{ accepted: boolean; code?: string }>(api.url, 'POST', `/api/characters/${who}/${verb}`, { token: p.token, body });
    expect((await route(p.id, 'equip', { itemId: 'pack' })).body.accepted).toBe(true);
    expect((await equipmentOf(p.id)).back!.inner_container).toBe(bag);
    expect(await container(bag)).toMatchObject({ entity_id: characterUuid(p.id), items: [{ item_id: 'gold-coin', quantity: 3 }] });
    expect((await route(p.id, 'unequip', { slot: 'hat' })).status).toBe(400);
    expect((await route('someone-else', 'unequip', { slot: 'back' })).status).toBe(403);
    const { rows: bags } = await db().query<{ n: string }>(`SELECT count(*) AS n FROM containers WHERE source_type = 'equipment' AND owner_id = $1`, [characterUuid(p.id)]);
    expect(Number(bags[0]!.n)).toBe(1);
    await expectReplays(sessionId);
  });

  it('what the inventory cannot hold goes into the worn pack up to its slots and weight, the rest to the floor of the room', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    await act(p, { type: 'social.talk', npc: 'keeper', topic: 'pack' });
    await act(p, { type: 'item.equip', itemId: 'pack' });
    const bag = (await equipmentOf(p.id)).back!.inner_container!;
    // Two slots, both taken (longsword, potion).
    await db().query('UPDATE character_inventories SET capacity_slots = 2 WHERE character_id = $1', [p.id]);
    await act(p, { type: 'social.talk', npc: 'keeper', topic: 'gold' });
    expect(await container(bag)).toMatchObject({ items: [{ item_id: 'gold-coin', quantity: 5 }] });
    // Stones weigh 4 and do not stack: one fits the pack's last slot (4 ≤ 5), the second is over its weight limit.
    await act(p, { type: 'social.talk', npc: 'keeper', topic: 'stones' });
    expect((await container(bag)).items.map((s) => [s.item_id, s.quantity])).toEqual([['gold-coin', 5], ['stone', 1]]);
    const { rows: floors } = await db().query<{ items: { item_id: string; quantity: number }[] }>(
      `SELECT items FROM containers WHERE room_id = 'gate' AND metadata->>'kind' = 'floor' AND metadata->>'game_session' = $1`,
      [sessionId],
    );
    expect(floors.flatMap((f) => f.items).map((s) => [s.item_id, s.quantity])).toEqual([['stone', 1]]);
    expect(await inventoryOf(p.id)).toEqual({ longsword: 1, 'healing-potion': 1 });
    await expectReplays(sessionId);
  });

  it('locks: 423 until unlocked; a wrong key is refused, the right key opens; only a rogue picks; the boss opens the sealed hoard', async () => {
    const sessionId = await newSession();
    const fighter = await join(sessionId);
    const rogue = await join(sessionId, 'rogue');
    const chest = (await view(fighter)).room.container!.container_id!;
    // The view lists the room's containers from the tables: locked, contents hidden.
    expect((await view(fighter)).room.containers).toEqual([expect.objectContaining({ container_id: chest, kind: 'chest', lock_state: 'locked', items: null })]);
    const open = (p: Player) => http(api.url, 'POST', '/api/containers/open', { token: p.token, body: { container_id: chest } });
    expect((await open(fighter)).status).toBe(423);

    const wrong = await act(fighter, { type: 'container.unlock', containerId: chest, keyItemId: 'longsword' });
    expect(wrong.reason).toMatch(/^wrong_key/);
    const noKey = await act(fighter, { type: 'container.unlock', containerId: chest, keyItemId: 'vault-key' });
    expect(noKey.reason).toMatch(/^no_such_item/);
    expect((await act(fighter, { type: 'container.pick_lock', containerId: chest })).reason).toMatch(/^not_a_rogue/);
    expect((await container(chest)).lock_state).toBe('locked');

    // The rogue: d20 + 9 perception + 2 tools against DC 10 cannot fail.
    expect((await act(rogue, { type: 'container.pick_lock', containerId: chest })).accepted).toBe(true);
    expect((await container(chest)).lock_state).toBe('unlocked');
    expect((await open(fighter)).status).toBe(200);
    expect((await view(fighter)).room.containers).toEqual([expect.objectContaining({ container_id: chest, lock_state: 'unlocked', items: [expect.objectContaining({ item_id: 'gold-coin', quantity: 7 })] })]);

    // The right key, in another session's chest.
    const other = await newSession();
    const keyed = await join(other);
    const chest2 = (await view(keyed)).room.container!.container_id!;
    // A container of another session is no container here.
    expect((await act(fighter, { type: 'container.unlock', containerId: chest2, keyItemId: 'vault-key' })).reason).toMatch(/^no_such_container/);
    await act(keyed, { type: 'social.talk', npc: 'keeper', topic: 'key' });
    expect((await act(keyed, { type: 'container.unlock', containerId: chest2, keyItemId: 'vault-key' })).accepted).toBe(true);
    expect((await container(chest2)).lock_state).toBe('unlocked');

    // The boss falls: the sealed hoard opens.
    const { rows } = await db().query<{ id: string; lock_state: string }>(
      `SELECT container_instance_id AS id, lock_state FROM containers WHERE room_id = 'lair' AND metadata->>'game_session' = $1 AND metadata->>'kind' = 'room'`,
      [sessionId],
    );
    expect(rows[0]!.lock_state).toBe('sealed');
    await act(fighter, { type: 'exploration.move', direction: 'east' });
    for (let i = 0; i < 10 && engine().dm.session(sessionId)!.state.status === 'active'; i++) await act(fighter, { type: 'combat.attack', target: 'warden' });
    expect(engine().dm.session(sessionId)!.state.monsters.warden!.alive).toBe(false);
    expect((await container(rows[0]!.id)).lock_state).toBe('unlocked');
    await expectReplays(sessionId);
    await expectReplays(other);
  });

  it('a character that moves to another session takes its things: the same numbers at once, no second starting kit', async () => {
    const first = await newSession();
    const p = await join(first);
    await putInventory(db(), p.id, { items: [{ item_id: 'fine-sword', item_name: 'Fine sword', quantity: 1, weight: 3 }] });
    await act(p, { type: 'item.equip', itemId: 'fine-sword' });
    const second = await newSession();
    const reg = await mintAndRegister(api.url, p.id, { sessionId: second, class: 'fighter', name: 'A fighter' });
    const moved: Player = { id: p.id, token: reg.characterToken, sessionId: second };
    expect((await view(moved)).me).toMatchObject({ attackBonus: 8, weapon: { name: 'Fine sword' }, inventory: [] });
    expect(await inventoryOf(p.id)).toEqual({});
    expect(Object.keys(await equipmentOf(p.id))).toEqual(['weapon']);
    await expectReplays(second);
  });

  it('the equipped weapon and shield are what the Dungeon Master rolls with; death moves inventory and equipment into the corpse', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    await putInventory(db(), p.id, {
      items: [
        { item_id: 'fine-sword', item_name: 'Fine sword', quantity: 1, weight: 3 },
        { item_id: 'shield', item_name: 'Shield', quantity: 1, weight: 6 },
        { item_id: 'gold-coin', item_name: 'Gold coin', quantity: 9, max_stack: 1000 },
      ],
    });
    await act(p, { type: 'item.equip', itemId: 'fine-sword' });
    await act(p, { type: 'item.equip', itemId: 'shield' });
    const me = (await view(p)).me;
    // Level 5 fighter: ability 3 + proficiency 3 + the sword's 2; AC 17 + the shield's 2.
    expect(me).toMatchObject({ attackBonus: 8, ac: 19, weapon: { name: 'Fine sword', damage: '1d12+3' } });
    expect(Object.keys(me.equipment as object).sort()).toEqual(['shield', 'weapon']);

    await act(p, { type: 'exploration.move', direction: 'north' });
    // Should the fighter be first up, it defends until the brute has struck.
    for (let i = 0; i < 5 && engine().dm.session(sessionId)!.state.characters[p.id]!.alive; i++) await act(p, { type: 'combat.defend' });
    const state = engine().dm.session(sessionId)!;
    const events = state.log.flatMap((e) => e.events);
    const brute = events.find((e) => e.type === 'combat.attack' && e.data.attackerId === 'brute');
    expect([19, 21]).toContain(brute?.data.targetAc);
    expect(state.state.characters[p.id]!.alive).toBe(false);

    // The corpse holds everything it carried and wore; the tables are empty.
    const { rows } = await db().query<{ items: { item_id: string; quantity: number }[] }>(
      `SELECT items FROM containers WHERE source_type = 'corpse' AND metadata->>'owner_character_id' = $1`,
      [p.id],
    );
    expect(Object.fromEntries(rows[0]!.items.map((s) => [s.item_id, s.quantity]))).toEqual({ 'fine-sword': 1, shield: 1, 'gold-coin': 9 });
    expect(await inventoryOf(p.id)).toEqual({});
    expect(await equipmentOf(p.id)).toEqual({});
    await expectReplays(sessionId);
  });
});
