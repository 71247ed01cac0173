import { EQUIPMENT_SLOTS, InventoryStackSchema, type InventoryStack } from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { writeAudit, type AuditOperation } from '../containers/audit.ts';
import { getCharacterItems } from '../containers/character-items.ts';
import { getEquipment, putEquipment, takeEquipment } from '../containers/equipment.ts';
import { spillToFloor } from '../containers/floor.ts';
import { lockInventory, saveInventoryItems } from '../containers/inventory.ts';
import { lockOf, unlockContainer } from '../containers/locks.ts';
import { getContainer, updateContainerItems } from '../containers/persistence.ts';
import { fitStacks, quantityOf, removeItem } from '../containers/stacking.ts';
import type { WearableContainerService } from '../containers/wearable.ts';
import type { Queryable } from '../db/queryable.ts';
import { catalogueEntry, slotOf, stackMetadata, StoreConflictError, type CatalogueItem, type ItemInputs, type ItemIntent } from '../game/index.ts';
import type { FloorSpill, ItemActor } from './item-spills.ts';

// The Dungeon Master's side of the item tables (issue 12): what the rules get to know about the
// acting character's things before an action (ItemInputs, recorded in the log), and the item
// intents the rules hand back, applied in the transaction of the command's log entry. A table
// that changed between the read and the write (a container API transfer in between) is a
// StoreConflictError: the session's queue reads again and applies the action again.

/** A character's inventory and equipment, and the container its action names, as the rules take them. */
export async function readItemInputs(db: Queryable, sessionId: string, characterId: string, containerId?: string): Promise<ItemInputs> {
  const { inventory, equipment } = await getCharacterItems(db, characterId);
  const inputs: ItemInputs = { equipped: {}, inventory: [] };
  for (const e of equipment) inputs.equipped[e.slot] = e.item.item_id;
  for (const s of inventory?.items ?? []) {
    const stack = inputs.inventory.find((i) => i.item_id === s.item_id);
    if (stack) stack.quantity += s.quantity;
    else inputs.inventory.push({ item_id: s.item_id, name: s.item_name, quantity: s.quantity });
  }
  if (containerId !== undefined) {
    const lock = await lockOf(db, containerId);
    // A container of another session is no container here.
    if (lock && lock.session === sessionId) inputs.container = { containerId, roomId: lock.roomId, lockState: lock.lockState };
  }
  return inputs;
}

/** A stack of an item as the catalogue describes it (weight, stack size, wearable capacity). */
function stackOf(catalogue: readonly CatalogueItem[], item: { item_id: string; name: string; quantity: number; weight?: number }): InventoryStack {
  const entry = catalogueEntry(catalogue, item.item_id);
  return InventoryStackSchema.parse({
    item_id: item.item_id,
    item_name: entry?.name ?? item.name,
    quantity: item.quantity,
    weight: entry?.weight ?? item.weight ?? 0,
    max_stack: entry?.max_stack ?? 1,
    ...(entry && slotOf(entry) ? { slot_type: slotOf(entry) } : {}),
    metadata: stackMetadata(entry),
  });
}

interface ApplyItemsContext {
  sessionId: string;
  catalogue: readonly CatalogueItem[];
  /** Where a character stands (its overflow goes to that room's floor). */
  roomOf: (characterId: string) => string | null;
  /** The database id of a room's own container. */
  containerOfRoom: (roomId: string) => string | undefined;
  wearable: WearableContainerService;
  now: Date;
  /** Who the command is by (null for the game's own commands): a key or a pick is the actor's. */
  actor: ItemActor | null;
}

/** Applies the intents in the command's transaction; returns what spilled onto a room's floor. */
export async function applyItemIntents(tx: pg.PoolClient, intents: readonly ItemIntent[], ctx: ApplyItemsContext): Promise<FloorSpill[]> {
  const spills: FloorSpill[] = [];
  for (const intent of intents) {
    switch (intent.kind) {
      case 'grant':
        spills.push(...(await store(tx, intent.characterId, intent.items.map((i) => stackOf(ctx.catalogue, i)), ctx)));
        break;
      case 'consume': {
        const inv = await lockInventory(tx, intent.characterId);
        if (quantityOf(inv.items, intent.itemId) < intent.quantity) throw changed(intent.characterId, `no ${intent.itemId} left`);
        await saveInventoryItems(tx, intent.characterId, removeItem(inv.items, intent.itemId, intent.quantity).items, ctx.now);
        await audit(tx, ctx, 'use', intent.characterId, null, { item_id: intent.itemId, quantity: intent.quantity });
        break;
      }
      case 'equip': {
        const inv = await lockInventory(tx, intent.characterId);
        if (quantityOf(inv.items, intent.itemId) < 1) throw changed(intent.characterId, `no ${intent.itemId} to equip`);
        const { items, removed } = removeItem(inv.items, intent.itemId, 1);
        await saveInventoryItems(tx, intent.characterId, items, ctx.now);
        // A stack looted through the container API may lack the catalogue's wearable metadata.
        let stack: InventoryStack = { ...removed[0]!, metadata: { ...stackMetadata(catalogueEntry(ctx.catalogue, intent.itemId)), ...removed[0]!.metadata } };
        if (catalogueEntry(ctx.catalogue, intent.itemId)?.kind === 'container') {
          stack = (await ctx.wearable.equipWearableIn(tx, intent.characterId, stack, { sessionId: ctx.sessionId })).item;
        }
        if (!(await putEquipment(tx, intent.characterId, intent.slot, stack))) throw changed(intent.characterId, `slot ${intent.slot} is taken`);
        await audit(tx, ctx, 'equip', intent.characterId, stack.inner_container ?? null, { item_id: intent.itemId, slot: intent.slot });
        break;
      }
      case 'unequip': {
        let stack = await takeEquipment(tx, intent.characterId, intent.slot);
        if (!stack) throw changed(intent.characterId, `slot ${intent.slot} is empty`);
        // The backpack keeps its container and contents, referenced by the stack's inner_container.
        if (stack.inner_container) stack = (await ctx.wearable.unequipWearableIn(tx, intent.characterId, stack, { sessionId: ctx.sessionId })).item;
        spills.push(...(await store(tx, intent.characterId, [stack], ctx, { skipWorn: true })));
        await audit(tx, ctx, 'unequip', intent.characterId, stack.inner_container ?? null, { item_id: stack.item_id, slot: intent.slot });
        break;
      }
      case 'unlock': {
        const id = intent.containerId ?? (intent.roomId !== undefined ? ctx.containerOfRoom(intent.roomId) : undefined);
        if (!id) break;
        const from = intent.by === 'event' ? 'sealed' : 'locked';
        // Unlocked meanwhile (another character's key): the decision stands, there is nothing to do.
        const done = await unlockContainer(tx, id, from, ctx.now);
        // A world event has no actor; a key or a pick is the acting character's.
        const actor = intent.by === 'event' ? null : (ctx.actor?.id ?? null);
        await audit(tx, ctx, intent.by === 'pick' ? 'pick_lock' : 'unlock', actor, id, { by: intent.by, was: from, changed: done });
        break;
      }
      case 'pick_failed':
        // The lock held: the attempt is the game master's to see, as a denied pick.
        await audit(tx, ctx, 'pick_lock', ctx.actor?.id ?? null, intent.containerId, { by: 'pick', total: intent.total, dc: intent.dc }, 'denied');
        break;
    }
  }
  return spills;
}

/**
 * The spill rules for what a character receives: its inventory first, then the containers it
 * wears (back, then belt), then the floor of its room; slots and weight limits count everywhere.
 */
async function store(tx: pg.PoolClient, characterId: string, stacks: InventoryStack[], ctx: ApplyItemsContext, opts: { skipWorn?: boolean } = {}): Promise<FloorSpill[]> {
  const inv = await lockInventory(tx, characterId);
  const intoInventory = fitStacks(inv.items, stacks, inv);
  if (intoInventory.fitted.length > 0) await saveInventoryItems(tx, characterId, intoInventory.items, ctx.now);
  let left = intoInventory.overflow;
  if (left.length > 0 && !opts.skipWorn) {
    const worn = (await getEquipment(tx, characterId)).filter((e) => e.item.inner_container);
    worn.sort((a, b) => EQUIPMENT_SLOTS.indexOf(a.slot) - EQUIPMENT_SLOTS.indexOf(b.slot));
    for (const w of worn) {
      if (left.length === 0) break;
      const container = await getContainer(tx, w.item.inner_container!, { forUpdate: true });
      if (!container) continue;
      const fit = fitStacks(container.items, left, container);
      if (fit.fitted.length > 0) await updateContainerItems(tx, container.container_id, fit.items, ctx.now);
      left = fit.overflow;
    }
  }
  if (left.length === 0) return [];
  const roomId = ctx.roomOf(characterId);
  if (roomId === null) throw new Error(`no room for ${characterId}'s overflow`);
  return (await spillToFloor(tx, { sessionId: ctx.sessionId, roomId }, left, ctx.now)).map((f) => ({ roomId, containerId: f.container.container_id, before: f.before, after: f.container.items }));
}

/**
 * One audit entry per intent applied, in the command's transaction (the game master filters the
 * trail by these operations). The actor's name is known when it is the acting character.
 */
async function audit(
  tx: pg.PoolClient,
  ctx: ApplyItemsContext,
  operation: Extract<AuditOperation, 'equip' | 'unequip' | 'use' | 'unlock' | 'pick_lock'>,
  actorId: string | null,
  containerId: string | null,
  details: Record<string, unknown>,
  outcome: 'success' | 'denied' = 'success',
): Promise<void> {
  await writeAudit(tx, {
    occurredAt: ctx.now,
    actorId,
    actorName: ctx.actor && ctx.actor.id === actorId ? ctx.actor.name : null,
    containerId,
    sessionId: ctx.sessionId,
    operation,
    outcome,
    details,
  });
}

function changed(characterId: string, what: string): StoreConflictError {
  return new StoreConflictError(`${characterId}'s items changed since the action was decided: ${what}`);
}
