import type pg from 'pg';
import { createDatabase } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NEUTRAL_NAME } from './coppa.ts';
import { getInventory, putInventory } from './inventory.ts';
import { CorpseLifecycleService } from './lifecycle.ts';
import { getContainer } from './persistence.ts';
import { MapDirectory, migratedPool, redisBus } from '../../test/containers/support.ts';

// Issue 11, item 10: a dead character whose name trips a COPPA rule used to get no corpse at
// all (the container insert refused the name), and the loot was gone with it.

const S = 'names-session';
let pool: pg.Pool;
let bus: Awaited<ReturnType<typeof redisBus>>;
const item = (item_id: string, quantity: number) => ({ item_id, item_name: item_id, quantity });

beforeAll(async () => {
  pool = await migratedPool(await createDatabase(inject('postgresAdminUrl'), 'corpse_names'));
  bus = await redisBus(inject('redisUrl'), new MapDirectory());
});
afterAll(async () => {
  await bus?.close();
  await pool?.end();
});

describe('corpses of characters whose names may not be stored', () => {
  it.each([
    ['an age', 'Pip, 11 years old'],
    ['an e-mail address', 'pip@example.com'],
    ['a phone number', 'Pip 555-123-4567'],
  ])('are made with a neutral name and every item when the name holds %s', async (_what, name) => {
    const warnings: object[] = [];
    const logger = { info: () => undefined, error: () => undefined, warn: (o: object) => void warnings.push(o) };
    const life = new CorpseLifecycleService({ pool, publisher: bus.publisher, logger });
    const ownerId = `pip-${warnings.length}-${Math.random().toString(36).slice(2, 8)}`;
    await putInventory(pool, ownerId, { items: [item('coin', 30), item('dagger', 1)] });

    const { corpse } = await life.createCorpseOnDeath({ ownerId, ownerName: name, sessionId: S, roomId: 'crypt', items: [item('ring', 1)] });

    const stored = await getContainer(pool, corpse.container_id);
    expect(stored).toBeDefined();
    expect(stored!.metadata).toMatchObject({ name: `Corpse of ${NEUTRAL_NAME}`, owner_name: NEUTRAL_NAME, owner_character_id: ownerId });
    expect(JSON.stringify(stored!.metadata)).not.toContain(name);
    expect(Object.fromEntries(stored!.items.map((s) => [s.item_id, s.quantity]))).toEqual({ coin: 30, dagger: 1, ring: 1 });
    expect((await getInventory(pool, ownerId))!.items).toEqual([]);
    // Not silent: the replacement is logged with the rule, never with the name.
    expect(warnings).toEqual([expect.objectContaining({ ownerId, rule: expect.any(String) })]);
    expect(JSON.stringify(warnings)).not.toContain(name);
  });

  it('keeps a name that passes the rules', async () => {
    const life = new CorpseLifecycleService({ pool, publisher: bus.publisher });
    const { corpse } = await life.createCorpseOnDeath({ ownerId: 'thorin-ok', ownerName: 'Thorin Ironbeard', sessionId: S, roomId: 'crypt', takeInventory: false, items: [item('axe', 1)] });
    expect((await getContainer(pool, corpse.container_id))!.metadata).toMatchObject({ name: 'Corpse of Thorin Ironbeard', owner_name: 'Thorin Ironbeard' });
  });
});
