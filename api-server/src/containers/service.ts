// ContainerService (seed 004): open, transfer (both directions), close and loot-all. Each
// mutation is one PostgreSQL transaction that row-locks the container, then the character's
// inventory (always in that order), claims the idempotency key, checks access, token and
// limits, writes both rows and the audit entry, and commits; events go out after the commit.
import type {
  CharacterInventory,
  CloseContainerRequest,
  CloseContainerResponse,
  LootAllRequest,
  LootAllResponse,
  OpenContainerRequest,
  OpenContainerResponse,
  TransferRequest,
  TransferResponse,
} from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { decideAccess, decideActorState, type Actor } from './access.ts';
import { writeAudit, type AuditOperation } from './audit.ts';
import { withTransaction } from './db.ts';
import { deliver, deliveryFor, updatedEvent, type Delivery } from './events.ts';
import {
  ContainerAccessDeniedError,
  ContainerCapacityExceededError,
  ContainerError,
  ContainerLockedError,
  ContainerNotFoundError,
  ContainerStateError,
  InvalidMutationTokenError,
} from './errors.ts';
import { characterUuid } from './ids.ts';
import { DEFAULT_INVENTORY, type InventoryDefaults } from './inventory.ts';
import { toWire, type ContainerRecord } from './model.ts';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  claimIdempotencyKey,
  closeToken,
  issueToken,
  requestHash,
  verifyToken,
} from './mutation-guard.ts';
import { commitMove, lockMoveRows } from './moves.ts';
import { getContainer } from './persistence.ts';
import { packLootAll, packTransfer, unpackLootAll, unpackTransfer } from './stored-result.ts';
import { systemClock, silentLogger, type ActorFacts, type CharacterDirectory, type Clock, type ContainerLogger, type ContainerEventPort } from './ports.ts';
import { addStacks, additionViolation, fitStacks, removeItem, type LimitViolation } from './stacking.ts';

export interface ContainerServiceDeps {
  pool: pg.Pool;
  publisher: ContainerEventPort;
  directory: CharacterDirectory;
  clock?: Clock;
  logger?: ContainerLogger;
  tokenTtlSeconds?: number;
  inventoryDefaults?: InventoryDefaults;
}

/** A result plus whether it was replayed from the idempotency store. */
export interface Outcome<T> {
  result: T;
  replayed: boolean;
}

type ActorInfo = Actor & ActorFacts;

function capacityError(v: LimitViolation, where: 'container' | 'inventory'): ContainerCapacityExceededError {
  return v.kind === 'slots'
    ? new ContainerCapacityExceededError(`${where} has no free slot (${v.capacity} slots)`, { limit: 'slots', target: where, capacity_slots: v.capacity })
    : new ContainerCapacityExceededError(`${where} weight limit ${v.limit} would be exceeded (${v.weight})`, {
        limit: 'weight',
        target: where,
        weight_limit: v.limit,
      });
}

function accessError(status: 403 | 404 | 423, reason: string, message: string, containerId: string): ContainerError {
  if (status === 404) return new ContainerNotFoundError(containerId);
  if (status === 423) return new ContainerLockedError(reason);
  return new ContainerAccessDeniedError(reason, message);
}

export class ContainerService {
  readonly pool: pg.Pool;
  readonly publisher: ContainerEventPort;
  readonly directory: CharacterDirectory;
  readonly clock: Clock;
  readonly logger: ContainerLogger;
  readonly tokenTtlSeconds: number;
  readonly inventoryDefaults: InventoryDefaults;

  constructor(deps: ContainerServiceDeps) {
    this.pool = deps.pool;
    this.publisher = deps.publisher;
    this.directory = deps.directory;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.tokenTtlSeconds = deps.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    this.inventoryDefaults = deps.inventoryDefaults ?? DEFAULT_INVENTORY;
  }

  /** The request's one directory lookup: everything below takes the actor it returns. */
  private async actor(characterId: string): Promise<ActorInfo> {
    const facts = await this.directory.lookup(characterId);
    return { ...facts, characterId, uuid: characterUuid(characterId) };
  }

  /** Reads (not locks) the container and applies the game's rules and access control. */
  private async accessible(client: pg.PoolClient, actor: ActorInfo, containerId: string, now: Date, opts: { forUpdate?: boolean } = {}): Promise<ContainerRecord> {
    const c = await getContainer(client, containerId, opts);
    if (!c) throw new ContainerNotFoundError(containerId);
    this.judge(c, actor, now);
    return c;
  }

  /** The game's rules and access control over a container this actor wants to use. */
  private judge(c: ContainerRecord, actor: ActorInfo, now: Date): void {
    const state = decideActorState(c, actor);
    if (!state.allowed) throw new ContainerStateError(state.code, state.message);
    const d = decideAccess(c, actor, now);
    if (!d.allowed) throw accessError(d.status, d.reason, d.message, c.container_id);
  }

  /** Locks the container and the actor's inventory (one round trip), then applies the rules as `accessible` does. */
  private async lockedForMove(client: pg.PoolClient, actor: ActorInfo, containerId: string, now: Date): Promise<{ container: ContainerRecord; inventory: CharacterInventory }> {
    const locked = await lockMoveRows(client, containerId, actor.characterId, this.inventoryDefaults);
    if (!locked) throw new ContainerNotFoundError(containerId);
    this.judge(locked.container, actor, now);
    return locked;
  }

  /** Runs one audited operation: success is audited by `fn` in its transaction, refusals here. */
  private async audited<T>(operation: AuditOperation, actor: ActorInfo, containerId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const denied = err instanceof ContainerError && err.status < 500;
      await writeAudit(this.pool, {
        occurredAt: this.clock.now(),
        actorId: actor.characterId,
        actorName: actor.name,
        sessionId: actor.location?.sessionId ?? null,
        containerId,
        operation,
        outcome: denied ? 'denied' : 'error',
        details: err instanceof ContainerError ? { code: err.code, ...err.extra } : { error: 'internal' },
      }).catch((auditErr: unknown) => this.logger.error({ err: auditErr }, 'audit write failed'));
      if (!denied) this.logger.error({ err, operation, containerId }, 'container operation failed');
      throw err;
    }
  }

  async openContainer(characterId: string, req: OpenContainerRequest): Promise<OpenContainerResponse> {
    const actor = await this.actor(characterId);
    const result = await this.audited('open', actor, req.container_id, () =>
      withTransaction(this.pool, async (client) => {
        const now = this.clock.now();
        const c = await this.accessible(client, actor, req.container_id, now);
        const { token, expiresAt } = await issueToken(client, c.container_id, characterId, now, this.tokenTtlSeconds);
        await writeAudit(client, {
          occurredAt: now,
          actorId: characterId,
          actorName: actor.name,
        sessionId: actor.location?.sessionId ?? null,
          containerId: c.container_id,
          operation: 'open',
          outcome: 'success',
        });
        return { container: toWire(c), mutation_token: token, expires_at: expiresAt.toISOString() };
      }),
    );
    await deliver(this.publisher, this.logger, [
      {
        to: 'character',
        characterId,
        ...(actor.location ? { sessionId: actor.location.sessionId } : {}),
        event: {
          type: 'container.opened',
          data: { container_id: req.container_id, container: result.container, mutation_token: result.mutation_token, expires_at: result.expires_at },
        },
      },
    ]);
    return result;
  }

  async transfer(characterId: string, req: TransferRequest): Promise<Outcome<TransferResponse>> {
    const actor = await this.actor(characterId);
    const hash = requestHash({
      op: 'transfer',
      container_id: req.container_id,
      direction: req.direction,
      item_id: req.item_id,
      quantity: req.quantity,
    });
    let deliveries: (Delivery | null)[] = [];
    const outcome = await this.audited('transfer', actor, req.container_id, () =>
      withTransaction(this.pool, async (client): Promise<Outcome<TransferResponse>> => {
        deliveries = [];
        const now = this.clock.now();
        // The token is checked with the claim, before the container row is locked: every other
        // transfer on this container waits for that lock, so it is held over as few round trips
        // as possible (the lock and the inventory's take one, the write one, the commit one).
        const claim = await claimIdempotencyKey(client, characterId, req.idempotency_key, 'transfer', hash, now, {
          token: req.mutation_token,
          containerId: req.container_id,
        });
        if (claim.kind === 'replay') return { result: unpackTransfer(claim.result, characterId, req), replayed: true };
        const { container: c, inventory: inv } = await this.lockedForMove(client, actor, req.container_id, now);

        let containerItems = c.items;
        let inventoryItems = inv.items;
        if (req.direction === 'to_container') {
          const taken = removeItem(inv.items, req.item_id, req.quantity);
          inventoryItems = taken.items;
          containerItems = addStacks(c.items, taken.removed);
          const v = additionViolation(c.items, containerItems, c);
          if (v) throw capacityError(v, 'container');
        } else {
          const taken = removeItem(c.items, req.item_id, req.quantity);
          containerItems = taken.items;
          inventoryItems = addStacks(inv.items, taken.removed);
          const v = additionViolation(inv.items, inventoryItems, inv);
          if (v) throw capacityError(v, 'inventory');
        }
        const result: TransferResponse = {
          container: toWire({ ...c, items: containerItems, updated_at: now }),
          inventory: { ...inv, items: inventoryItems } satisfies CharacterInventory,
          moved: { item_id: req.item_id, quantity: req.quantity },
        };
        await commitMove(client, {
          containerId: c.container_id,
          containerItems,
          characterId,
          characterName: actor.name,
          sessionId: actor.location?.sessionId ?? null,
          inventoryItems,
          idempotencyKey: req.idempotency_key,
          result: packTransfer(result),
          operation: 'transfer',
          details: { direction: req.direction, item_id: req.item_id, quantity: req.quantity, idempotency_key: req.idempotency_key },
          now,
        });
        const ev = updatedEvent(c.container_id, c.items, containerItems);
        deliveries = [ev ? deliveryFor(c, ev, characterId, actor.location) : null];
        return { result, replayed: false };
      }),
    );
    if (!outcome.replayed) await deliver(this.publisher, this.logger, deliveries);
    return outcome;
  }

  async closeContainer(characterId: string, req: CloseContainerRequest): Promise<CloseContainerResponse> {
    const actor = await this.actor(characterId);
    let delivery: Delivery | null = null;
    const result = await this.audited('close', actor, req.container_id, () =>
      withTransaction(this.pool, async (client): Promise<CloseContainerResponse> => {
        const now = this.clock.now();
        const c = await getContainer(client, req.container_id);
        if (!c) throw new ContainerNotFoundError(req.container_id);
        // Closing needs no proximity: a character that walked away may still release its token.
        if (!(await closeToken(client, req.mutation_token, c.container_id, characterId, now))) {
          throw new InvalidMutationTokenError('mutation_token is not an open token of yours for this container');
        }
        await writeAudit(client, {
          occurredAt: now,
          actorId: characterId,
          actorName: actor.name,
        sessionId: actor.location?.sessionId ?? null,
          containerId: c.container_id,
          operation: 'close',
          outcome: 'success',
        });
        delivery = deliveryFor(c, { type: 'container.closed', data: { container_id: c.container_id } }, characterId, actor.location);
        return { container_id: c.container_id, closed: true };
      }),
    );
    await deliver(this.publisher, this.logger, [delivery]);
    return result;
  }

  /**
   * Moves every stack that fits into the inventory (splitting the last one if only part fits);
   * what does not fit stays in the container and is reported in `left_behind`. 409 when the
   * container holds items and none of them fit.
   */
  async lootAll(characterId: string, req: LootAllRequest): Promise<Outcome<LootAllResponse>> {
    const actor = await this.actor(characterId);
    const hash = requestHash({ op: 'loot_all', container_id: req.container_id });
    let deliveries: (Delivery | null)[] = [];
    const outcome = await this.audited('loot_all', actor, req.container_id, () =>
      withTransaction(this.pool, async (client): Promise<Outcome<LootAllResponse>> => {
        deliveries = [];
        const now = this.clock.now();
        if (req.idempotency_key) {
          const claim = await claimIdempotencyKey(client, characterId, req.idempotency_key, 'loot_all', hash, now);
          if (claim.kind === 'replay') return { result: unpackLootAll(claim.result, characterId, req.container_id), replayed: true };
        }
        const { container: c, inventory: inv } = await this.lockedForMove(client, actor, req.container_id, now);
        await verifyToken(client, req.mutation_token, c.container_id, characterId, now);
        const fit = fitStacks(inv.items, c.items, inv);
        if (c.items.length > 0 && fit.fitted.length === 0) {
          throw new ContainerCapacityExceededError('your inventory has no room for any of these items', { limit: 'slots', target: 'inventory' });
        }
        const result: LootAllResponse = {
          container: toWire({ ...c, items: fit.overflow, updated_at: now }),
          inventory: { ...inv, items: fit.items },
          moved: fit.fitted,
          left_behind: fit.overflow,
        };
        await commitMove(client, {
          containerId: c.container_id,
          containerItems: fit.overflow,
          characterId,
          characterName: actor.name,
          sessionId: actor.location?.sessionId ?? null,
          inventoryItems: fit.items,
          idempotencyKey: req.idempotency_key ?? null,
          result: packLootAll(result),
          operation: 'loot_all',
          details: { moved: fit.fitted.map((s) => ({ item_id: s.item_id, quantity: s.quantity })), left_behind: fit.overflow.length },
          now,
        });
        const ev = updatedEvent(c.container_id, c.items, fit.overflow);
        deliveries = [ev ? deliveryFor(c, ev, characterId, actor.location) : null];
        return { result, replayed: false };
      }),
    );
    if (!outcome.replayed) await deliver(this.publisher, this.logger, deliveries);
    return outcome;
  }
}
