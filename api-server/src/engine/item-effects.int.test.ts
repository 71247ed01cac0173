import { eventually } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import type { DungeonMasterEngine } from './dungeon-master-engine.ts';
import { ADMIN_TOKEN, http } from '../../test/harness.ts';
import { playWorld, type Player, type WorldPlay } from '../../test/play.ts';
import { VAULT } from '../../test/worlds/vault.ts';
import { busRecorder, type BusEvent } from '../../test/containers/support.ts';

// What the Dungeon Master's item actions leave behind besides the items (issue 12): a spill onto
// the room's floor is announced as `container.updated` to the characters in that room (and the
// game masters) with the log entry that caused it; every equip, unequip, use, unlock and pick is
// one entry of the audit trail, which the game master reads and filters by action. A real
// api-server on real PostgreSQL and Redis, actions over HTTP.

let play: WorldPlay;
let api: RunningServer;
let bus: { events: BusEvent[]; close(): void };
beforeAll(async () => {
  play = await playWorld(VAULT, { postgresAdminUrl: inject('postgresAdminUrl'), redisUrl: inject('redisUrl'), seed: 5 });
  api = play.api;
  bus = await busRecorder(inject('redisUrl'));
});
afterAll(async () => {
  bus?.close();
  await play?.stop();
});

const newSession = () => play.newSession();
const join = (sessionId: string, cls?: string) => play.join(sessionId, cls);

/** An action that must be accepted. */
async function act(p: Player, action: Record<string, unknown>): Promise<void> {
  const answer = await play.act(p, action);
  expect(answer.accepted, `${String(action.type)}: ${answer.reason ?? ''}`).toBe(true);
}

interface Entry {
  actor_id: string | null;
  actor_name: string | null;
  resource_id: string | null;
  session_id: string | null;
  operation: string;
  outcome: string;
  details: Record<string, unknown>;
}

async function audit(query: string): Promise<Entry[]> {
  const res = await http<{ items: Entry[] }>(api.url, 'GET', `/api/gm/audit?${query}`, { token: ADMIN_TOKEN });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

describe('what item actions leave behind', () => {
  it('a grant that spills onto the floor is announced as container.updated to the characters in that room only, and to the game masters', async () => {
    const sessionId = await newSession();
    const giver = await join(sessionId);
    const bystander = await join(sessionId);
    const away = await join(sessionId);
    await act(away, { type: 'exploration.move', direction: 'west' });
    // The starting kit (two stacks) fills two slots: both stones go to the floor.
    await api.context.db.query('UPDATE character_inventories SET capacity_slots = 2 WHERE character_id = $1', [giver.id]);
    await act(giver, { type: 'social.talk', npc: 'keeper', topic: 'stones' });

    const { rows } = await api.context.db.query<{ id: string; items: { item_id: string; quantity: number }[] }>(
      `SELECT container_instance_id AS id, items FROM containers WHERE room_id = 'gate' AND metadata->>'kind' = 'floor' AND metadata->>'game_session' = $1`,
      [sessionId],
    );
    expect(rows.map((r) => r.items.map((s) => [s.item_id, s.quantity]))).toEqual([[['stone', 1], ['stone', 1]]]);
    const floor = rows[0]!.id;
    const about = (e: BusEvent) => e.type === 'container.updated' && e.data.container_id === floor;
    // The game masters' copy is written last: once it is out, the characters' copies are too.
    await eventually('the game masters to hear the floor change', () => bus.events.some((e) => about(e) && e.channel === `gm:${sessionId}`), 10_000);
    const heard = bus.events.filter(about);
    expect(heard.map((e) => e.channel).sort()).toEqual([`character:${bystander.id}`, `character:${giver.id}`, `gm:${sessionId}`].sort());
    for (const e of heard) {
      expect(e.data).toMatchObject({ room_id: 'gate', diff: { items: { removed: [] } } });
      const added = (e.data.diff as { items: { added: { item_id: string; quantity: number }[] } }).items.added;
      expect(added.filter((s) => s.item_id === 'stone').reduce((n, s) => n + s.quantity, 0)).toBe(2);
    }
    expect(bus.events.some((e) => e.channel === `character:${away.id}` && e.type === 'container.updated')).toBe(false);
  });

  it('equip, unequip, use, unlock and pick_lock each write one audit entry with the change, which the game master filters by action', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    await act(p, { type: 'social.talk', npc: 'keeper', topic: 'pack' });
    await act(p, { type: 'item.equip', itemId: 'pack' });
    await act(p, { type: 'item.unequip', slot: 'back' });
    await act(p, { type: 'item.use', itemId: 'healing-potion' });
    const chest = await play.roomContainer(sessionId, 'gate');
    await act(p, { type: 'social.talk', npc: 'keeper', topic: 'key' });
    await act(p, { type: 'container.unlock', containerId: chest, keyItemId: 'vault-key' });
    // A rogue picks the other session's chest: d20 + 9 perception + 2 against DC 10 cannot fail.
    const other = await newSession();
    const rogue = await join(other, 'rogue');
    const chest2 = await play.roomContainer(other, 'gate');
    await act(rogue, { type: 'container.pick_lock', containerId: chest2 });
    // Without its thieves' tools it fails on the hall's strongbox (at most 20 + 9 < DC 30): the attempt is audited, denied.
    await api.context.db.query(`UPDATE character_inventories SET items = '[]'::jsonb WHERE character_id = $1`, [rogue.id]);
    await act(rogue, { type: 'exploration.move', direction: 'west' });
    const strongbox = await play.roomContainer(other, 'hall');
    await act(rogue, { type: 'container.pick_lock', containerId: strongbox });

    const mine = (op: string) => audit(`session=${sessionId}&action=${op}`);
    const equip = await mine('equip');
    expect(equip).toEqual([expect.objectContaining({ actor_id: p.id, actor_name: 'A fighter', session_id: sessionId, outcome: 'success', details: { item_id: 'pack', slot: 'back' } })]);
    // The pack's container, made by the wearable hook (its own entry, in the session too), is what was equipped.
    const [made] = await mine('equip_container');
    expect(made?.resource_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(equip[0]!.resource_id).toBe(made!.resource_id);
    expect(await mine('unequip')).toEqual([expect.objectContaining({ actor_id: p.id, resource_id: made!.resource_id, details: { item_id: 'pack', slot: 'back' } })]);
    expect(await mine('use')).toEqual([expect.objectContaining({ actor_id: p.id, resource_id: null, details: { item_id: 'healing-potion', quantity: 1 } })]);
    expect(await mine('unlock')).toEqual([expect.objectContaining({ actor_id: p.id, resource_id: chest, details: { by: 'key', was: 'locked', changed: true } })]);
    expect(await mine('pick_lock')).toEqual([]);
    expect(await audit(`session=${other}&action=pick_lock`)).toEqual([
      expect.objectContaining({ actor_id: rogue.id, outcome: 'denied', resource_id: strongbox, details: { by: 'pick', total: expect.any(Number), dc: 30 } }),
      expect.objectContaining({ actor_id: rogue.id, actor_name: 'A rogue', outcome: 'success', resource_id: chest2, details: { by: 'pick', was: 'locked', changed: true } }),
    ]);
    // The filter by character finds them too, and the GM's container view lists the unlock.
    const byCharacter = await audit(`character=${p.id}&session=${sessionId}`);
    expect(new Set(byCharacter.map((e) => e.operation))).toEqual(new Set(['equip', 'equip_container', 'unequip', 'unequip_container', 'use', 'unlock']));
    const inspected = await http<{ recent_audit: Entry[] }>(api.url, 'GET', `/api/gm/containers/${chest}`, { token: ADMIN_TOKEN });
    expect(inspected.body.recent_audit.map((e) => e.operation)).toContain('unlock');
  });

  it('a world event unlocks with no actor: the boss falls and the sealed hoard is audited as unlocked by the event', async () => {
    const sessionId = await newSession();
    const p = await join(sessionId);
    await act(p, { type: 'exploration.move', direction: 'east' });
    const engine = api.context.engine as DungeonMasterEngine;
    for (let i = 0; i < 10 && engine.dm.session(sessionId)!.state.status === 'active'; i++) {
      await http(api.url, 'POST', '/api/actions', { token: p.token, body: { characterId: p.id, type: 'combat.attack', target: 'warden' } });
    }
    expect(engine.dm.session(sessionId)!.state.monsters.warden!.alive).toBe(false);
    const hoard = await play.roomContainer(sessionId, 'lair');
    expect(await audit(`session=${sessionId}&action=unlock`)).toEqual([
      expect.objectContaining({ actor_id: null, actor_name: null, resource_id: hoard, details: { by: 'event', was: 'sealed', changed: true } }),
    ]);
  });
});
