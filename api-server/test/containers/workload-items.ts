// The storm's `use` (test code, left out of the image): drinking a potion through the engine's
// own item path (engine/item-store.ts applies the rules' `consume` intent on the item tables),
// with each use written to a scratch table of the test database in the same transaction, so a
// use counts exactly when its consumption committed, even when the process is killed -9.
import type pg from 'pg';
import { applyItemIntents } from '../../src/engine/item-store.ts';
import { withTransaction } from '../../src/containers/db.ts';
import { lockInventory } from '../../src/containers/inventory.ts';
import { quantityOf } from '../../src/containers/stacking.ts';
import { discardPublisher, MapDirectory } from './support.ts';
import { WearableContainerService } from '../../src/containers/wearable.ts';
import type { UseItem, WorkloadSetup } from './workload.ts';

export async function prepareUses(pool: pg.Pool): Promise<void> {
  await pool.query('CREATE TABLE IF NOT EXISTS soak_item_uses (id bigserial PRIMARY KEY, character_id text NOT NULL, item_id text NOT NULL)');
}

/** Committed uses of `itemId` by the setup's characters. */
export async function usesOf(pool: pg.Pool, setup: WorkloadSetup, itemId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM soak_item_uses WHERE item_id = $1 AND character_id = ANY($2)', [itemId, setup.characters]);
  return Number(rows[0]!.n);
}

export function engineUse(pool: pg.Pool, setup: WorkloadSetup): UseItem {
  const wearable = new WearableContainerService({ pool, publisher: discardPublisher, directory: new MapDirectory() });
  return (characterId, itemId) =>
    withTransaction(pool, async (tx) => {
      // The rules decide on what the engine read; here the read is under the inventory's lock.
      if (quantityOf((await lockInventory(tx, characterId)).items, itemId) < 1) return false;
      await applyItemIntents(tx, [{ kind: 'consume', characterId, itemId, quantity: 1 }], {
        sessionId: setup.session,
        catalogue: [],
        roomOf: () => setup.room,
        containerOfRoom: () => undefined,
        wearable,
        actor: { id: characterId, name: null },
        now: new Date(),
      });
      await tx.query('INSERT INTO soak_item_uses (character_id, item_id) VALUES ($1, $2)', [characterId, itemId]);
      return true;
    });
}
