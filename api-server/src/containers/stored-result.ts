// The idempotency store's form of a move's answer (container_mutations.result): small, because
// every successful transfer writes one row while the container's row lock is held, and exact,
// because a retry answers what the first request answered even when the container changed since.
//
// What the retry's request already carries is left out (container id, character id, what moved
// for a transfer; left_behind is the container's items after a loot-all), and each stack is a
// positional array instead of an object repeating its key names. Rows written in the full form
// (before this codec) still decode: they are the answer itself.
import type { CharacterInventory, ContainerComponent, InventoryStack, LootAllResponse, TransferRequest, TransferResponse } from '@distributed-dungeon/contracts';

/**
 * [item_id, item_name, quantity, weight, max_stack] + the stack's other keys when they are not
 * just `metadata: {}`; a stack missing one of the five stays an object.
 */
type PackedStack = [string, string, number, number, number] | [string, string, number, number, number, Record<string, unknown>] | InventoryStack;

type PackedContainer = Omit<ContainerComponent, 'container_id' | 'items'> & { items: PackedStack[] };

interface PackedInventory {
  capacity_slots: number;
  weight_limit: number | null;
  items: PackedStack[];
}

interface PackedMove {
  v: 1;
  c: PackedContainer;
  i: PackedInventory;
}

type PackedLootAll = PackedMove & { m: PackedStack[] };

const FIXED = ['item_id', 'item_name', 'quantity', 'weight', 'max_stack'] as const;

function packStack(s: InventoryStack): PackedStack {
  const complete = typeof s.item_id === 'string' && typeof s.item_name === 'string' && [s.quantity, s.weight, s.max_stack].every((n) => typeof n === 'number');
  if (!complete) return s;
  const fixed: [string, string, number, number, number] = [s.item_id, s.item_name, s.quantity, s.weight, s.max_stack];
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (!(FIXED as readonly string[]).includes(k) && v !== undefined) rest[k] = v;
  const keys = Object.keys(rest);
  // The common stack: the five fields and an empty metadata object.
  const plain = keys.length === 1 && keys[0] === 'metadata' && isEmptyObject(rest.metadata);
  return plain ? fixed : [...fixed, rest];
}

function unpackStack(p: PackedStack): InventoryStack {
  if (!Array.isArray(p)) return p;
  const [item_id, item_name, quantity, weight, max_stack, rest] = p;
  return { item_id, item_name, quantity, weight, max_stack, ...(p.length === 5 ? { metadata: {} } : rest) } as InventoryStack;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

function packContainer(c: ContainerComponent): PackedContainer {
  const { container_id: _id, items, ...rest } = c;
  return { ...rest, items: items.map(packStack) };
}

function unpackContainer(containerId: string, p: PackedContainer): ContainerComponent {
  const { items, ...rest } = p;
  return { container_id: containerId, ...rest, items: items.map(unpackStack) };
}

function packInventory(i: CharacterInventory): PackedInventory {
  return { capacity_slots: i.capacity_slots, weight_limit: i.weight_limit, items: i.items.map(packStack) };
}

function unpackInventory(characterId: string, p: PackedInventory): CharacterInventory {
  return { character_id: characterId, capacity_slots: p.capacity_slots, weight_limit: p.weight_limit, items: p.items.map(unpackStack) };
}

/** A full answer (a row from before this codec) carries its container; a packed one does not. */
function isFullAnswer(stored: unknown): boolean {
  return typeof stored === 'object' && stored !== null && 'container' in stored;
}

export function packTransfer(r: TransferResponse): PackedMove {
  return { v: 1, c: packContainer(r.container), i: packInventory(r.inventory) };
}

export function unpackTransfer(stored: unknown, characterId: string, req: Pick<TransferRequest, 'container_id' | 'item_id' | 'quantity'>): TransferResponse {
  if (isFullAnswer(stored)) return stored as TransferResponse;
  const p = stored as PackedMove;
  return {
    container: unpackContainer(req.container_id, p.c),
    inventory: unpackInventory(characterId, p.i),
    moved: { item_id: req.item_id, quantity: req.quantity },
  };
}

export function packLootAll(r: LootAllResponse): PackedLootAll {
  return { v: 1, c: packContainer(r.container), i: packInventory(r.inventory), m: r.moved.map(packStack) };
}

export function unpackLootAll(stored: unknown, characterId: string, containerId: string): LootAllResponse {
  if (isFullAnswer(stored)) return stored as LootAllResponse;
  const p = stored as PackedLootAll;
  const container = unpackContainer(containerId, p.c);
  // What did not fit stayed: the container's items after the loot are exactly left_behind.
  return { container, inventory: unpackInventory(characterId, p.i), moved: p.m.map(unpackStack), left_behind: container.items.map((s) => ({ ...s })) };
}
