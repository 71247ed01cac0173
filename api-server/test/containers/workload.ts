// A transfer storm shared by the concurrency test, the kill -9 test and the benchmark: N clients
// (characters) in one room shuffle items between a few small chests and their own small
// inventories, each request a real ContainerService.transfer on PostgreSQL. With `wearables`,
// each client also wears a small backpack (an equipment container) it fills and empties, and a
// `use` hook (the engine's item path, given by the caller) drinks potions from its inventory.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { InventoryStack } from '@distributed-dungeon/contracts';
import { ContainerError } from '../../src/containers/errors.ts';
import { characterUuid } from '../../src/containers/ids.ts';
import { putInventory } from '../../src/containers/inventory.ts';
import { createContainer } from '../../src/containers/persistence.ts';
import { ContainerService } from '../../src/containers/service.ts';
import { checkLimits } from '../../src/containers/stacking.ts';
import { MapDirectory, discardPublisher } from './support.ts';
import type { ContainerEventPort } from '../../src/containers/ports.ts';

const WORKLOAD_ITEMS = [
  { item_id: 'gold', max_stack: 50, weight: 0 },
  { item_id: 'arrow', max_stack: 20, weight: 1 },
  { item_id: 'potion', max_stack: 5, weight: 2 },
  { item_id: 'gem', max_stack: 10, weight: 0 },
  { item_id: 'ring', max_stack: 1, weight: 0 },
] as const;

export interface WorkloadSetup {
  session: string;
  room: string;
  containerIds: string[];
  characters: string[];
  /** Character → the backpack it wears (with `wearables`). */
  backpacks?: Record<string, string>;
}

/** Creates the room's chests (items split between them) and empty inventories. */
export async function setupWorkload(pool: pg.Pool, opts: { clients: number; chests?: number; tag?: string; wearables?: boolean }): Promise<WorkloadSetup> {
  const tag = opts.tag ?? randomUUID().slice(0, 8);
  const session = `stress-${tag}`;
  const room = `arena-${tag}`;
  const containerIds: string[] = [];
  for (let i = 0; i < (opts.chests ?? 3); i++) {
    const items = WORKLOAD_ITEMS.map((it) => ({ ...it, item_name: it.item_id, quantity: it.max_stack })).slice(0, 4);
    const c = await createContainer(pool, {
      source_type: 'environment',
      room_id: room,
      capacity_slots: 8,
      weight_limit: 150,
      items: [...items, { item_id: 'ring', item_name: 'ring', quantity: 1, max_stack: 1 }, { item_id: 'ring', item_name: 'ring', quantity: 1, max_stack: 1 }],
      metadata: { game_session: session, name: `chest ${i}` },
    });
    containerIds.push(c.container_id);
  }
  const characters = Array.from({ length: opts.clients }, (_, i) => `${tag}-hero-${i}`);
  for (const ch of characters) await putInventory(pool, ch, { items: [], capacity_slots: 3, weight_limit: 30 });
  if (!opts.wearables) return { session, room, containerIds, characters };
  const backpacks: Record<string, string> = {};
  for (const ch of characters) {
    // Small on purpose (2 slots, 12 weight): capacity and weight refusals must happen here too.
    const pack = await createContainer(pool, {
      source_type: 'equipment',
      owner_id: characterUuid(ch),
      entity_id: characterUuid(ch),
      capacity_slots: 2,
      weight_limit: 12,
      items: [{ item_id: 'potion', item_name: 'potion', quantity: 3, max_stack: 5, weight: 2 }],
      metadata: { name: 'backpack', equipped: true },
    });
    backpacks[ch] = pack.container_id;
  }
  return { session, room, containerIds, characters, backpacks };
}

/** Drinks one `itemId` from the character's inventory; false when it had none left. */
export type UseItem = (characterId: string, itemId: string) => Promise<boolean>;

interface WorkloadResult {
  ok: number;
  /** Successful uses (included in `ok`). */
  used: number;
  byCode: Record<string, number>;
  unexpected: unknown[];
  elapsedMs: number;
}

/** Runs until `durationMs` has passed (or `signal` aborts); every client loops on transfers. */
export async function runWorkload(
  pool: pg.Pool,
  setup: WorkloadSetup,
  opts: { durationMs: number; clients?: number; publisher?: ContainerEventPort; onOk?: () => void; use?: UseItem },
): Promise<WorkloadResult> {
  const directory = new MapDirectory();
  const characters = setup.characters.slice(0, opts.clients ?? setup.characters.length);
  for (const ch of characters) directory.place(ch, setup.session, setup.room);
  const service = new ContainerService({ pool, publisher: opts.publisher ?? discardPublisher, directory, tokenTtlSeconds: 3600 });
  const result: WorkloadResult = { ok: 0, used: 0, byCode: {}, unexpected: [], elapsedMs: 0 };
  const start = Date.now();
  const deadline = start + opts.durationMs;
  await Promise.all(
    characters.map(async (ch, n) => {
      const tokens = new Map<string, string>();
      // What this client last saw: its own inventory exactly, the chests possibly stale.
      const seen = new Map<string, InventoryStack[]>();
      let inv: InventoryStack[] = [];
      const pack = setup.backpacks?.[ch];
      for (const id of [...setup.containerIds, ...(pack ? [pack] : [])]) {
        const o = await service.openContainer(ch, { container_id: id });
        tokens.set(id, o.mutation_token);
        seen.set(id, o.container.items);
      }
      // mulberry32: a tiny PRNG whose low bits are usable (an LCG's are not).
      let seed = (n + 1) * 0x9e3779b9;
      const rand = (k: number) => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) % k;
      };
      while (Date.now() < deadline) {
        if (opts.use && rand(6) === 0) {
          try {
            if (await opts.use(ch, 'potion')) {
              result.used++;
              result.ok++;
              opts.onOk?.();
            }
            inv = inv.flatMap((st) => (st.item_id === 'potion' ? [] : [st]));
          } catch (err) {
            result.unexpected.push(err);
          }
          continue;
        }
        // One turn in three on its own backpack, when it wears one.
        const container_id = pack && rand(3) === 0 ? pack : setup.containerIds[rand(setup.containerIds.length)]!;
        const toContainer = inv.length > 0 && rand(2) === 0;
        const pool_ = toContainer ? inv : (seen.get(container_id) ?? []);
        const stack = pool_.length ? pool_[rand(pool_.length)]! : { item_id: WORKLOAD_ITEMS[rand(WORKLOAD_ITEMS.length)]!.item_id, quantity: 1 };
        try {
          const out = await service.transfer(ch, {
            container_id,
            mutation_token: tokens.get(container_id)!,
            idempotency_key: randomUUID(),
            direction: toContainer ? 'to_container' : 'to_player',
            item_id: stack.item_id,
            quantity: 1 + rand(Math.min(stack.quantity, 7)),
          });
          inv = out.result.inventory.items;
          seen.set(container_id, out.result.container.items);
          result.ok++;
          opts.onOk?.();
        } catch (err) {
          if (err instanceof ContainerError && err.status === 409) result.byCode[err.code] = (result.byCode[err.code] ?? 0) + 1;
          else result.unexpected.push(err);
        }
      }
    }),
  );
  result.elapsedMs = Date.now() - start;
  return result;
}

/** Every container and inventory within its limits, with no empty or overfull stack. */
export async function limitViolations(pool: pg.Pool): Promise<string[]> {
  const bad: string[] = [];
  const check = (what: string, items: InventoryStack[], limits: { capacity_slots: number; weight_limit: number | null }) => {
    const v = checkLimits(items, limits);
    if (v) bad.push(`${what}: ${JSON.stringify(v)}`);
    for (const s of items) if (s.quantity < 1 || s.quantity > s.max_stack) bad.push(`${what}: stack ${s.item_id} x${s.quantity}`);
  };
  const cs = await pool.query<{ id: string; items: InventoryStack[]; capacity_slots: number; weight_limit: number | null }>(
    `SELECT container_instance_id AS id, items, capacity_slots, weight_limit FROM containers`,
  );
  for (const c of cs.rows) check(`container ${c.id}`, c.items, c);
  const inv = await pool.query<{ id: string; items: InventoryStack[]; capacity_slots: number; weight_limit: number | null }>(
    `SELECT character_id AS id, items, capacity_slots, weight_limit FROM character_inventories`,
  );
  for (const i of inv.rows) check(`inventory ${i.id}`, i.items, i);
  return bad;
}
