// CorpseLifecycleService (seed 004): a corpse is created on death with the dead one's items,
// is owner-only for the grace period, public afterwards, and decays at decay_at. Both instants
// are stored in the row, so a restarted or different replica honours them. Decay is done by a
// sweeper that any number of replicas may run: it claims due corpses with FOR UPDATE SKIP LOCKED
// and deletes each in the claiming transaction, so every corpse is processed exactly once.
//
// Redistribution rule: whatever is left in a decayed corpse goes to the floor of the room it lay
// in (floor.ts: public environment containers `floor:{session}:{room}:{n}`, created as needed),
// stacking with what is already there. Nothing is destroyed.
import type { InventoryStack, InventoryStackInput } from '@distributed-dungeon/contracts';
import { CONTAINER_MAX_SLOTS, InventoryStackSchema } from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { writeAudit } from './audit.ts';
import { compliantName } from './coppa.ts';
import { corpseTimers, canAccessCorpse as canAccessCorpseAt, isCorpseDecayed as isDecayedAt } from './corpse-timers.ts';
import { withTransaction } from './db.ts';
import { deliver, deliveryFor, updatedEvent, type Delivery } from './events.ts';
import { spillToFloor } from './floor.ts';
import { characterUuid } from './ids.ts';
import { lockInventory, saveInventoryItems } from './inventory.ts';
import { purgeExpiredTokens } from './mutation-guard.ts';
import { META, metaString, toWire, type ContainerRecord } from './model.ts';
import { createContainer, getContainer, getDecayedContainers } from './persistence.ts';
import { systemClock, silentLogger, type Clock, type ContainerLogger, type ContainerEventPort } from './ports.ts';
import { compactStacks, fitStacks } from './stacking.ts';

interface CorpseLifecycleDeps {
  pool: pg.Pool;
  publisher: ContainerEventPort;
  clock?: Clock;
  logger?: ContainerLogger;
  gracePeriodSeconds?: number;
  decaySeconds?: number;
}

export interface DeathInput {
  /** The one who died: a character id (player) or an NPC id. */
  ownerId: string;
  ownerName?: string;
  sessionId: string;
  roomId: string;
  /** Items carried that are not in the PostgreSQL inventory (NPC loot tables...). */
  items?: InventoryStackInput[];
  /** Move the owner's whole character inventory into the corpse (players: true). */
  takeInventory?: boolean;
  /** More stacks taken in the corpse's transaction (a character's equipment, by the Dungeon Master). */
  alsoTake?: (client: pg.PoolClient) => Promise<InventoryStack[]>;
  gracePeriodSeconds?: number;
  decaySeconds?: number;
}

export interface DeathResult {
  corpse: ContainerRecord;
  /** Stacks that did not fit the 20 slots of a corpse and went to the floor. */
  spilled: InventoryStack[];
}

export class CorpseLifecycleService {
  readonly pool: pg.Pool;
  readonly publisher: ContainerEventPort;
  readonly clock: Clock;
  readonly logger: ContainerLogger;
  readonly gracePeriodSeconds: number | undefined;
  readonly decaySeconds: number | undefined;

  constructor(deps: CorpseLifecycleDeps) {
    this.pool = deps.pool;
    this.publisher = deps.publisher;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.gracePeriodSeconds = deps.gracePeriodSeconds;
    this.decaySeconds = deps.decaySeconds;
  }

  /** Called by the Dungeon Master when a character or NPC dies. */
  async createCorpseOnDeath(input: DeathInput): Promise<DeathResult> {
    const extra = (input.items ?? []).map((s) => InventoryStackSchema.parse(s));
    const ownerName = input.ownerName ? this.corpseName(input.ownerId, input.ownerName) : undefined;
    let deliveries: (Delivery | null)[] = [];
    const result = await withTransaction(this.pool, async (client) => {
      deliveries = [];
      const now = this.clock.now();
      let carried: InventoryStack[] = [];
      if (input.takeInventory ?? true) {
        const inv = await lockInventory(client, input.ownerId);
        carried = inv.items;
        await saveInventoryItems(client, input.ownerId, [], now);
      }
      if (input.alsoTake) carried = [...carried, ...(await input.alsoTake(client))];
      const all = compactStacks([...carried, ...extra]);
      const capacity = Math.min(CONTAINER_MAX_SLOTS, Math.max(1, all.length));
      const fit = fitStacks([], all, { capacity_slots: capacity, weight_limit: null });
      const { graceUntil, decayAt } = corpseTimers(now, {
        gracePeriodSeconds: input.gracePeriodSeconds ?? this.gracePeriodSeconds,
        decaySeconds: input.decaySeconds ?? this.decaySeconds,
      });
      const metadata: Record<string, unknown> = {
        [META.kind]: 'corpse',
        [META.gameSession]: input.sessionId,
        [META.graceUntil]: graceUntil.toISOString(),
        [META.ownerCharacterId]: input.ownerId,
      };
      if (ownerName) {
        metadata[META.ownerName] = ownerName;
        metadata[META.name] = `Corpse of ${ownerName}`;
      }
      const corpse = await createContainer(client, {
        source_type: 'corpse',
        owner_id: characterUuid(input.ownerId),
        room_id: input.roomId,
        capacity_slots: capacity,
        decay_at: decayAt,
        items: fit.items,
        metadata,
      });
      const floors = fit.overflow.length ? await spillToFloor(client, { sessionId: input.sessionId, roomId: input.roomId }, fit.overflow, now) : [];
      await writeAudit(client, {
        occurredAt: now,
        actorId: input.ownerId,
        actorName: ownerName ?? null,
        containerId: corpse.container_id,
        sessionId: input.sessionId,
        operation: 'create_corpse',
        outcome: 'success',
        details: { stacks: fit.items.length, spilled: fit.overflow.length, grace_until: graceUntil.toISOString(), decay_at: decayAt.toISOString() },
      });
      // There is no container.created in the seed; the room learns of the corpse's contents
      // through container.updated with everything as added.
      const ev = updatedEvent(corpse.container_id, [], corpse.items);
      deliveries = [
        ev ? deliveryFor(corpse, ev, null) : null,
        ...floors.map((f) => {
          const fe = updatedEvent(f.container.container_id, f.before, f.container.items);
          return fe ? deliveryFor(f.container, fe, null) : null;
        }),
      ];
      return { corpse, spilled: fit.overflow };
    });
    await deliver(this.publisher, this.logger, deliveries);
    return result;
  }

  /** The dead one's name, or a neutral one when it trips a COPPA rule: the corpse (and its loot) is made either way. */
  private corpseName(ownerId: string, name: string): string {
    const safe = compliantName(name);
    if (safe.replaced) this.logger.warn({ ownerId, rule: safe.replaced }, 'corpse named neutrally: the name looks like personal data');
    return safe.name;
  }

    canAccessCorpse(corpse: ContainerRecord, characterId: string, now: Date = this.clock.now()): boolean {
    return canAccessCorpseAt(corpse, characterUuid(characterId), now);
  }

  isCorpseDecayed(corpse: ContainerRecord, now: Date = this.clock.now()): boolean {
    return isDecayedAt(corpse, now);
  }

  /** Removes one corpse if it has decayed; false if it has not, is gone, or another replica holds it. */
  async cleanupDecayedCorpse(containerId: string): Promise<boolean> {
    let deliveries: (Delivery | null)[] = [];
    const done = await withTransaction(this.pool, async (client) => {
      deliveries = [];
      const now = this.clock.now();
      const { rows } = await client.query<{ id: string }>(
        `SELECT container_instance_id AS id FROM containers WHERE container_instance_id = $1 AND source_type = 'corpse'
           AND decay_at <= $2 FOR UPDATE SKIP LOCKED`,
        [containerId, now],
      );
      if (!rows[0]) return false;
      const corpse = await getContainer(client, containerId);
      if (!corpse) return false;
      deliveries = await this.decayLocked(client, corpse, now);
      return true;
    });
    await deliver(this.publisher, this.logger, deliveries);
    return done;
  }

  /**
   * One sweep: claims due corpses batch by batch (SKIP LOCKED) until none are left for this
   * replica. Returns the ids this call decayed.
   */
  async sweepDecayed(opts: { batchSize?: number } = {}): Promise<string[]> {
    const batchSize = opts.batchSize ?? 25;
    const processed: string[] = [];
    for (;;) {
      let deliveries: (Delivery | null)[] = [];
      const batch = await withTransaction(this.pool, async (client) => {
        deliveries = [];
        const now = this.clock.now();
        const due = await getDecayedContainers(client, now, { limit: batchSize, skipLocked: true });
        for (const corpse of due) deliveries.push(...(await this.decayLocked(client, corpse, now)));
        return due.map((c) => c.container_id);
      });
      await deliver(this.publisher, this.logger, deliveries);
      processed.push(...batch);
      if (batch.length < batchSize) return processed;
    }
  }

  private async decayLocked(client: pg.PoolClient, corpse: ContainerRecord, now: Date): Promise<(Delivery | null)[]> {
    const sessionId = metaString(corpse, META.gameSession);
    const roomId = corpse.room_id!;
    const floors = corpse.items.length ? await spillToFloor(client, { sessionId, roomId }, corpse.items, now) : [];
    await client.query(`DELETE FROM containers WHERE container_instance_id = $1`, [corpse.container_id]);
    await writeAudit(client, {
      occurredAt: now,
      actorId: null,
      actorName: 'corpse-sweeper',
      containerId: corpse.container_id,
      sessionId,
      operation: 'decay_corpse',
      outcome: 'success',
      details: {
        room_id: roomId,
        redistributed_to: floors.map((f) => f.container.container_id),
        stacks: corpse.items.length,
        corpse: toWire(corpse).metadata[META.ownerCharacterId] ?? null,
      },
    });
    return [
      deliveryFor(corpse, { type: 'container.decayed', data: { container_id: corpse.container_id } }, null),
      ...floors.map((f) => {
        const ev = updatedEvent(f.container.container_id, f.before, f.container.items);
        return ev ? deliveryFor(f.container, ev, null) : null;
      }),
    ];
  }

  /**
   * Runs sweepDecayed every `intervalMs` until stopped; a sweep never overlaps the previous one.
   * Safe to start on every replica.
   */
  /**
   * Housekeeping the sweeper also does: expired mutation tokens and idempotency records older
   * than `idempotencyRetentionSeconds` (a retry after that long is a new request).
   */
  async purgeStale(idempotencyRetentionSeconds = 24 * 3600): Promise<{ tokens: number; mutations: number }> {
    const now = this.clock.now();
    const tokens = await purgeExpiredTokens(this.pool, now);
    const { rowCount } = await this.pool.query(`DELETE FROM container_mutations WHERE created_at < $1`, [
      new Date(now.getTime() - idempotencyRetentionSeconds * 1000),
    ]);
    return { tokens, mutations: rowCount ?? 0 };
  }

  startSweeper(opts: { intervalMs?: number; batchSize?: number } = {}): { stop(): Promise<void> } {
    const intervalMs = opts.intervalMs ?? 5_000;
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const tick = (): void => {
      if (stopped) return;
      running = this.sweepDecayed({ batchSize: opts.batchSize })
        .then(async (ids) => {
          if (ids.length) this.logger.info({ count: ids.length }, 'decayed corpses swept');
          await this.purgeStale();
        })
        .catch((err: unknown) => this.logger.error({ err }, 'corpse sweep failed'))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, intervalMs);
        });
    };
    let timer: NodeJS.Timeout = setTimeout(tick, 0);
    return {
      async stop() {
        stopped = true;
        clearTimeout(timer);
        await running;
      },
    };
  }
}
