import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DungeonMasterEngine } from '../engine/dungeon-master-engine.ts';
import type { WorldInput } from '../game/index.ts';
import type { RunningServer } from '../server.ts';
import { http } from '../../test/harness.ts';
import { playWorld, type Player, type WorldPlay } from '../../test/play.ts';

// The game's rules on container actions with the real game behind them (rules.int.test.ts takes
// the facts from a plain directory): the api-server's own Dungeon Master on PostgreSQL, a seeded
// session, a fighter that walks into a monster's room. While the fight goes on there the container
// API refuses it with 409 container.in_combat; once the monster has killed it, with 409
// container.character_dead. Another character, in a room without a fight, loots all along.

const WORLD: WorldInput = {
  id: 'pit',
  name: 'The Pit',
  entrance: 'gate',
  bossRoom: 'pit',
  rooms: [
    {
      id: 'gate',
      name: 'Gate',
      description: 'A chest by the gate.',
      exits: { north: 'pit' },
      container: { name: 'gate chest', capacity_slots: 4, items: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 9 }] },
    },
    {
      id: 'pit',
      name: 'Pit',
      description: 'A chest, and something that guards it.',
      exits: { south: 'gate' },
      container: { name: 'pit chest', capacity_slots: 4, items: [{ item_id: 'gold-coin', name: 'Gold coin', quantity: 20 }] },
      // Cannot be hit (AC 30) and hits all but a 1 for 11-14: a level 5 fighter lasts a few rounds.
      monsters: [{ id: 'guard', name: 'guard', hp: 500, ac: 30, attackBonus: 20, damage: '1d4+10', initiativeBonus: 0, boss: true }],
    },
  ],
  items: [{ id: 'gold-coin', kind: 'gold', name: 'Gold coin', max_stack: 1000 }],
};

let play: WorldPlay;
let api: RunningServer;
beforeAll(async () => {
  play = await playWorld(WORLD, { postgresAdminUrl: inject('postgresAdminUrl'), redisUrl: inject('redisUrl'), seed: 11 });
  api = play.api;
});
afterAll(async () => {
  await play?.stop();
});

type Reply = { status: number; body: { code?: string; mutation_token?: string } };
const post = (p: Player, op: string, body: Record<string, unknown>): Promise<Reply> => http(api.url, 'POST', `/api/containers/${op}`, { token: p.token, body });
const refusal = (r: Reply) => [r.status, r.body.code];

describe('container rules in a real fight', () => {
  it('in combat: open, transfer and loot-all are 409 container.in_combat; dead: 409 container.character_dead; close stays allowed', async () => {
    const sessionId = await play.newSession();
    const fighter = await play.join(sessionId);
    const stayer = await play.join(sessionId);
    const engine = api.context.engine as DungeonMasterEngine;
    const game = () => engine.dm.session(sessionId)!.state;
    const [gateChest, pitChest] = [await play.roomContainer(sessionId, 'gate'), await play.roomContainer(sessionId, 'pit')];

    // Before the fight: the fighter holds the gate chest open.
    const opened = await post(fighter, 'open', { container_id: gateChest });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const mutation_token = opened.body.mutation_token!;
    const act = (action: Record<string, unknown>) => play.act(fighter, action);
    expect((await act({ type: 'exploration.move', direction: 'north' })).accepted).toBe(true);
    expect(game().encounters.pit, 'a fight in the pit').toBeDefined();
    expect(game().characters[fighter.id]).toMatchObject({ roomId: 'pit', alive: true });

    const take = (key: string) => ({ container_id: gateChest, mutation_token, idempotency_key: key, direction: 'to_player', item_id: 'gold-coin', quantity: 1 });
    const attempts = async (tag: string) => [
      refusal(await post(fighter, 'open', { container_id: pitChest })),
      refusal(await post(fighter, 'transfer', take(`${tag}-${fighter.id}`))),
      refusal(await post(fighter, 'loot-all', { container_id: pitChest, mutation_token })),
    ];
    expect(await attempts('fight')).toEqual(Array(3).fill([409, 'container.in_combat']));
    // Away from the fight the game lets the other character loot.
    const hers = await post(stayer, 'open', { container_id: gateChest });
    expect(hers.status).toBe(200);
    expect((await post(stayer, 'loot-all', { container_id: gateChest, mutation_token: hers.body.mutation_token })).status).toBe(200);

    // The fighter only defends; the guard hits every round until it falls.
    for (let i = 0; i < 40 && game().characters[fighter.id]!.alive; i++) await act({ type: 'combat.defend' });
    expect(game().characters[fighter.id]!.alive, 'the guard killed the fighter').toBe(false);
    expect(game().status, 'the session goes on: the other character lives').toBe('active');

    expect(await attempts('dead')).toEqual(Array(3).fill([409, 'container.character_dead']));
    expect((await post(fighter, 'close', { container_id: gateChest, mutation_token })).status).toBe(200);
    // Nothing moved for the fighter; each refusal is in the audit trail with its code.
    const { rows: pit } = await api.context.db.query<{ items: { quantity: number }[] }>('SELECT items FROM containers WHERE container_instance_id = $1', [pitChest]);
    expect(pit[0]!.items.map((s) => s.quantity)).toEqual([20]);
    const { rows } = await api.context.db.query<{ operation: string; code: string }>(
      `SELECT operation, details->>'code' AS code FROM audit_log WHERE actor_id = $1 AND outcome = 'denied' ORDER BY id`,
      [fighter.id],
    );
    expect(rows.map((r) => `${r.operation} ${r.code}`)).toEqual([
      ...['open', 'transfer', 'loot_all'].map((op) => `${op} container.in_combat`),
      ...['open', 'transfer', 'loot_all'].map((op) => `${op} container.character_dead`),
    ]);
  });
});
