// WearableContainerService (seed 004): backpacks, bandoliers... Equipping creates the item's
// container (or reuses the one named by its inner_container); unequipping keeps the container
// and its contents, referenced from the item's inner_container, and detaches it from the
// wearer. Overflow rule: what a container cannot hold goes to the wearer's inventory, and what
// the inventory cannot hold goes to the floor of the wearer's room (floor.ts).
import type { InventoryStack, InventoryStackInput } from '@distributed-dungeon/contracts';
import { InventoryStackSchema } from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { writeAudit } from './audit.ts';
import { withTransaction } from './db.ts';
import { deliver, deliveryFor, updatedEvent, type Delivery } from './events.ts';
import { ContainerAccessDeniedError, ContainerCapacityExceededError, ContainerNotFoundError, ContainerValidationError } from './errors.ts';
import { spillToFloor } from './floor.ts';
import { characterUuid } from './ids.ts';
import { lockInventory, saveInventoryItems } from './inventory.ts';
import { META, type ContainerRecord } from './model.ts';
import { createContainer, getContainer, getContainersByEntityId, updateContainer, updateContainerItems } from './persistence.ts';
import { systemClock, silentLogger, type CharacterDirectory, type Clock, type ContainerLogger, type ContainerEventPort } from './ports.ts';
import { fitStacks } from './stacking.ts';

const DEFAULT_WEARABLE_CAPACITY = 10;

interface WearableDeps {
  pool: pg.Pool;
  publisher: ContainerEventPort;
  directory: CharacterDirectory;
  clock?: Clock;
  logger?: ContainerLogger;
}

/** A wearable container item says how big it is in metadata.container_capacity (1..20). */
function isWearableContainerItem(item: InventoryStack): boolean {
  return typeof item.metadata?.container_capacity === 'number' || !!item.inner_container;
}

function wearableSpec(item: InventoryStack): { capacity_slots: number; weight_limit: number | null } {
  const cap = item.metadata?.container_capacity;
  const wl = item.metadata?.container_weight_limit;
  return {
    capacity_slots: typeof cap === 'number' ? cap : DEFAULT_WEARABLE_CAPACITY,
    weight_limit: typeof wl === 'number' ? wl : null,
  };
}

interface OverflowResult {
  container: ContainerRecord;
  stored: InventoryStack[];
  toInventory: InventoryStack[];
  toFloor: InventoryStack[];
}

export class WearableContainerService {
  readonly pool: pg.Pool;
  readonly publisher: ContainerEventPort;
  readonly directory: CharacterDirectory;
  readonly clock: Clock;
  readonly logger: ContainerLogger;

  constructor(deps: WearableDeps) {
    this.pool = deps.pool;
    this.publisher = deps.publisher;
    this.directory = deps.directory;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /** Hook for EquipmentService.equip_from_inventory: returns the item with inner_container set. */
  async handleEquipWearableContainer(
    characterId: string,
    itemInput: InventoryStackInput,
  ): Promise<{ item: InventoryStack; container: ContainerRecord; created: boolean }> {
    return withTransaction(this.pool, (client) => this.equipWearableIn(client, characterId, itemInput));
  }

  /** The equip hook inside the caller's transaction (the equipment service's, with the item's move). */
  async equipWearableIn(
    client: pg.PoolClient,
    characterId: string,
    itemInput: InventoryStackInput,
    where: { sessionId?: string } = {},
  ): Promise<{ item: InventoryStack; container: ContainerRecord; created: boolean }> {
    const item = InventoryStackSchema.parse(itemInput);
    if (!isWearableContainerItem(item)) {
      throw new ContainerValidationError(`${item.item_id} is not a wearable container`, { field: 'item.metadata.container_capacity' });
    }
    const uuid = characterUuid(characterId);
    const now = this.clock.now();
    if (item.inner_container) {
      const existing = await getContainer(client, item.inner_container, { forUpdate: true });
      if (existing) {
        if (existing.source_type !== 'equipment') {
          throw new ContainerValidationError('inner_container is not an equipment container', { field: 'item.inner_container' });
        }
        // Reuse: the container follows the item, so whoever equips the item now wears it.
        const container = (await updateContainer(
          client,
          existing.container_id,
          { owner_id: uuid, entity_id: uuid, metadata: { ...existing.metadata, [META.equipped]: true } },
          now,
        ))!;
        await this.audit(client, characterId, container.container_id, 'equip_container', now, { reused: true }, where.sessionId);
        return { item: { ...item, inner_container: container.container_id }, container, created: false };
      }
    }
    const container = await createContainer(client, {
      source_type: 'equipment',
      owner_id: uuid,
      entity_id: uuid,
      ...wearableSpec(item),
      metadata: { [META.kind]: 'wearable', [META.itemId]: item.item_id, [META.name]: item.item_name, [META.equipped]: true },
    });
    await this.audit(client, characterId, container.container_id, 'equip_container', now, { reused: false }, where.sessionId);
    return { item: { ...item, inner_container: container.container_id }, container, created: true };
  }

  /** Hook for EquipmentService.unequip_to_inventory: the container and contents stay, referenced by the item. */
  async handleUnequipWearableContainer(characterId: string, itemInput: InventoryStackInput): Promise<{ item: InventoryStack; container: ContainerRecord }> {
    return withTransaction(this.pool, (client) => this.unequipWearableIn(client, characterId, itemInput));
  }

  /** The unequip hook inside the caller's transaction. */
  async unequipWearableIn(
    client: pg.PoolClient,
    characterId: string,
    itemInput: InventoryStackInput,
    where: { sessionId?: string } = {},
  ): Promise<{ item: InventoryStack; container: ContainerRecord }> {
    const item = InventoryStackSchema.parse(itemInput);
    if (!item.inner_container) throw new ContainerValidationError('item has no inner_container', { field: 'item.inner_container' });
    const uuid = characterUuid(characterId);
    const now = this.clock.now();
    const existing = await getContainer(client, item.inner_container, { forUpdate: true });
    if (!existing) throw new ContainerNotFoundError(item.inner_container);
    if (existing.entity_id !== uuid && existing.owner_id !== uuid) throw new ContainerAccessDeniedError('not_owner', 'this container belongs to someone else');
    const container = (await updateContainer(
      client,
      existing.container_id,
      { entity_id: null, owner_id: uuid, metadata: { ...existing.metadata, [META.equipped]: false } },
      now,
    ))!;
    await client.query(`UPDATE container_mutation_tokens SET closed_at = $2 WHERE container_id = $1 AND closed_at IS NULL`, [container.container_id, now]);
    await this.audit(client, characterId, container.container_id, 'unequip_container', now, {}, where.sessionId);
    return { item: { ...item, inner_container: container.container_id }, container };
  }

  async getWearableContainersForPlayer(characterId: string): Promise<ContainerRecord[]> {
    return getContainersByEntityId(this.pool, characterUuid(characterId));
  }

  /**
   * Puts `incoming` into the container; the spill rules send what does not fit to the
   * character's inventory, then to the floor of the character's room. 409 when there is no
   * room anywhere and the character is in no room.
   */
  async handleContainerOverflow(characterId: string, containerId: string, incomingInput: InventoryStackInput[]): Promise<OverflowResult> {
    const incoming = incomingInput.map((s) => InventoryStackSchema.parse(s));
    const location = await this.directory.locationOf(characterId);
    let deliveries: (Delivery | null)[] = [];
    const result = await withTransaction(this.pool, async (client): Promise<OverflowResult> => {
      deliveries = [];
      const now = this.clock.now();
      const c = await getContainer(client, containerId, { forUpdate: true });
      if (!c) throw new ContainerNotFoundError(containerId);
      const inContainer = fitStacks(c.items, incoming, c);
      await updateContainerItems(client, c.container_id, inContainer.items, now);
      let toInventory: InventoryStack[] = [];
      let toFloor: InventoryStack[] = [];
      if (inContainer.overflow.length) {
        const inv = await lockInventory(client, characterId);
        const inInventory = fitStacks(inv.items, inContainer.overflow, inv);
        toInventory = inInventory.fitted;
        await saveInventoryItems(client, characterId, inInventory.items, now);
        if (inInventory.overflow.length) {
          if (!location) throw new ContainerCapacityExceededError('no room for the overflow and no floor to drop it on', { target: 'floor' });
          toFloor = inInventory.overflow;
          const floors = await spillToFloor(client, location, toFloor, now);
          deliveries.push(
            ...floors.map((f) => {
              const ev = updatedEvent(f.container.container_id, f.before, f.container.items);
              return ev ? deliveryFor(f.container, ev, null) : null;
            }),
          );
        }
      }
      await this.audit(client, characterId, c.container_id, 'container_overflow', now, {
        stored: inContainer.fitted.length,
        to_inventory: toInventory.length,
        to_floor: toFloor.length,
      });
      const ev = updatedEvent(c.container_id, c.items, inContainer.items);
      deliveries.unshift(ev ? deliveryFor(c, ev, characterId, location) : null);
      return { container: { ...c, items: inContainer.items, updated_at: now }, stored: inContainer.fitted, toInventory, toFloor };
    });
    await deliver(this.publisher, this.logger, deliveries);
    return result;
  }

  private async audit(
    client: pg.PoolClient,
    characterId: string,
    containerId: string,
    operation: 'equip_container' | 'unequip_container' | 'container_overflow',
    now: Date,
    details: Record<string, unknown>,
    /** The game session, when the caller knows it (the Dungeon Master does): the GM filters by it. */
    sessionId?: string,
  ): Promise<void> {
    await writeAudit(client, {
      occurredAt: now,
      actorId: characterId,
      actorName: await this.directory.nameOf(characterId),
      containerId,
      ...(sessionId ? { sessionId } : {}),
      operation,
      outcome: 'success',
      details,
    });
  }
}
