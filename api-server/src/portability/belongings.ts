import { randomUUID } from 'node:crypto';
import type { ArchivedContainer, ArchivedEquipment, ArchivePayload, InventoryStack } from '@distributed-dungeon/contracts';
import { getEquipment, putEquipment, takeAllEquipment } from '../containers/equipment.ts';
import { characterUuid } from '../containers/ids.ts';
import { lockInventory, putInventory, saveInventoryItems } from '../containers/inventory.ts';
import { META } from '../containers/model.ts';
import { createContainer, deleteContainer, getContainer, getContainersByEntityId } from '../containers/persistence.ts';
import type { Queryable } from '../db/queryable.ts';

// A character's things as they leave one platform and arrive on another: the inventory, what it
// wears per slot, and the wearable containers (seed 004) with their contents, a worn backpack's
// (the container its equipment stack names) as well as a carried one's (its inventory stack's
// inner_container). Containers nest by the same reference, so the set is followed to its end.

type Belongings = Pick<ArchivePayload, 'inventory' | 'equipment' | 'containers'>;

/** Container ids a list of stacks names. */
function referenced(stacks: readonly InventoryStack[]): string[] {
  return stacks.flatMap((s) => (s.inner_container ? [s.inner_container] : []));
}

/** Keys that tie a container to this platform's rooms and sessions: meaningless elsewhere, and unique here. */
function portableMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const { [META.sourceKey]: _key, [META.gameSession]: _session, ...rest } = metadata;
  return rest;
}

/**
 * Takes everything the character holds off this platform, in the caller's transaction, and
 * returns it for the archive. Rows are locked inventory first, then each container, the order
 * the Dungeon Master's item path uses.
 */
export async function takeBelongings(tx: Queryable, characterId: string, now: Date): Promise<Belongings> {
  const inventory = await lockInventory(tx, characterId);
  const worn = await getEquipment(tx, characterId);
  const containers: ArchivedContainer[] = [];
  const seen = new Set<string>();
  const queue = [...referenced(worn.map((w) => w.item)), ...referenced(inventory.items)];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const c = await getContainer(tx, id, { forUpdate: true });
    // A reference to a container that is gone, or that is no wearable's (a chest), carries nothing.
    if (!c || c.source_type !== 'equipment') continue;
    containers.push({
      container_id: c.container_id,
      lock_state: c.lock_state,
      capacity_slots: c.capacity_slots,
      weight_limit: c.weight_limit,
      allowed_roles: c.allowed_roles,
      items: c.items,
      metadata: portableMetadata(c.metadata),
    });
    queue.push(...referenced(c.items));
  }
  // What is left behind must not outlive the departure: the slots, the containers, the inventory.
  await takeAllEquipment(tx, characterId);
  for (const c of containers) await deleteContainer(tx, c.container_id);
  await saveInventoryItems(tx, characterId, [], now);
  const carried = new Set(containers.map((c) => c.container_id));
  const kept = (s: InventoryStack): InventoryStack => (s.inner_container && !carried.has(s.inner_container) ? { ...s, inner_container: null } : s);
  return {
    inventory: { capacity_slots: inventory.capacity_slots, weight_limit: inventory.weight_limit, items: inventory.items.map(kept) },
    equipment: worn.map((w): ArchivedEquipment => ({ slot: w.slot, item: kept(w.item) })),
    containers: containers.map((c) => ({ ...c, items: c.items.map(kept) })),
  };
}

/**
 * Why the belongings of a payload are not a whole (null: they are): each slot once, each
 * container named by exactly one stack and each name a container of the archive, so that a
 * restore can neither share one container between two items nor leave one unreachable.
 */
export function belongingsProblem(p: Belongings): string | null {
  const slots = p.equipment.map((e) => e.slot);
  const twice = slots.find((s, i) => slots.indexOf(s) !== i);
  if (twice) return `equipment: slot ${twice} appears twice`;
  const ids = new Set<string>();
  for (const c of p.containers) {
    if (ids.has(c.container_id)) return `containers: ${c.container_id} appears twice`;
    ids.add(c.container_id);
  }
  const names = [
    ...referenced(p.inventory.items).map((id) => ['inventory', id] as const),
    ...referenced(p.equipment.map((e) => e.item)).map((id) => ['equipment', id] as const),
    ...p.containers.flatMap((c) => referenced(c.items).map((id) => [`container ${c.container_id}`, id] as const)),
  ];
  const named = new Set<string>();
  for (const [where, id] of names) {
    if (!ids.has(id)) return `${where}: inner_container ${id} is not among the archive's containers`;
    if (named.has(id)) return `${where}: container ${id} is named by two stacks`;
    named.add(id);
  }
  const unnamed = p.containers.find((c) => !named.has(c.container_id));
  if (unnamed) return `containers: ${unnamed.container_id} is named by no stack`;
  // Every container named once from a finite root set: a container naming itself (or a ring
  // of them) leaves some container unreachable from the inventory and the slots.
  const reachable = new Set<string>();
  const queue = [...referenced(p.inventory.items), ...referenced(p.equipment.map((e) => e.item))];
  const byId = new Map(p.containers.map((c) => [c.container_id, c]));
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (reachable.has(id)) continue;
    reachable.add(id);
    queue.push(...referenced(byId.get(id)!.items));
  }
  const ring = p.containers.find((c) => !reachable.has(c.container_id));
  return ring ? `containers: ${ring.container_id} is reachable from neither the inventory nor the equipment` : null;
}

/** Whether the character holds or wears anything on this platform (an import needs an empty one). */
export async function holdsAnything(tx: Queryable, characterId: string): Promise<boolean> {
  const inv = await lockInventory(tx, characterId);
  if (inv.items.length > 0) return true;
  if ((await getEquipment(tx, characterId)).length > 0) return true;
  return (await getContainersByEntityId(tx, characterUuid(characterId))).length > 0;
}

/**
 * Restores checked belongings (belongingsProblem) for `characterId` in the caller's
 * transaction: every container under a new id of this platform (the stacks naming it follow),
 * worn ones on the character, carried ones owned by it; then the slots and the inventory.
 */
export async function restoreBelongings(tx: Queryable, characterId: string, b: Belongings): Promise<void> {
  const uuid = characterUuid(characterId);
  const newId = new Map(b.containers.map((c) => [c.container_id, randomUUID()]));
  const renamed = (s: InventoryStack): InventoryStack => (s.inner_container ? { ...s, inner_container: newId.get(s.inner_container)! } : s);
  const worn = new Set(referenced(b.equipment.map((e) => e.item)));
  for (const c of b.containers) {
    const isWorn = worn.has(c.container_id);
    await createContainer(tx, {
      container_id: newId.get(c.container_id)!,
      source_type: 'equipment',
      owner_id: uuid,
      entity_id: isWorn ? uuid : null,
      lock_state: c.lock_state,
      capacity_slots: c.capacity_slots,
      weight_limit: c.weight_limit,
      allowed_roles: c.allowed_roles,
      items: c.items.map(renamed),
      metadata: { ...portableMetadata(c.metadata), [META.equipped]: isWorn },
    });
  }
  for (const e of b.equipment) await putEquipment(tx, characterId, e.slot, renamed(e.item));
  await putInventory(tx, characterId, { ...b.inventory, items: b.inventory.items.map(renamed) });
}

/** Items in belongings, counted by quantity, containers' contents included. */
export function itemCount(b: Belongings): number {
  const sum = (stacks: readonly InventoryStack[]) => stacks.reduce((n, s) => n + s.quantity, 0);
  return sum(b.inventory.items) + sum(b.equipment.map((e) => e.item)) + b.containers.reduce((n, c) => n + sum(c.items), 0);
}
