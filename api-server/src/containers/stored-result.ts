// The idempotency store's form of a move's answer (container_mutations.result): small, because
// every successful transfer writes one row while the container's row lock is held, and exact,
// because a retry answers what the first request answered, byte for byte, even when the
// container changed since.
//
// What the retry's request already carries is left out (container id, character id, what moved
// for a transfer; left_behind is the container's items after a loot-all). Each stack is an array
// of its values, preceded by the index of its list of keys in `k` (the answer's stacks mostly
// share one), so key names are written once per answer, not once per stack, and each stack comes
// back with its keys in their first order. The column holds it as JSON text (jsonb's binary form
// of small arrays and numbers is about twice as big). Rows written in the full form (before this
// codec) still decode: they are the answer itself.
import type { CharacterInventory, ContainerComponent, InventoryStack, LootAllResponse, TransferRequest, TransferResponse } from '@distributed-dungeon/contracts';

/** [index into `k`, ...the stack's values in that key order]. */
type PackedStack = [number, ...unknown[]];

type PackedContainer = Omit<ContainerComponent, 'container_id' | 'items'> & { items: PackedStack[] };

type PackedInventory = Omit<CharacterInventory, 'character_id' | 'items'> & { items: PackedStack[] };

interface PackedMove {
  v: 1;
  /** The key lists of the answer's stacks. */
  k: string[][];
  c: PackedContainer;
  i: PackedInventory;
}

type PackedLootAll = PackedMove & { m: PackedStack[] };

class Packer {
  readonly keys: string[][] = [];
  readonly #index = new Map<string, number>();

  stack(s: InventoryStack): PackedStack {
    // JSON leaves out undefined values, so the first answer never carried them either.
    const entries = Object.entries(s).filter(([, v]) => v !== undefined);
    const names = entries.map(([k]) => k);
    const sig = names.join('\u0000');
    let i = this.#index.get(sig);
    if (i === undefined) {
      i = this.keys.push(names) - 1;
      this.#index.set(sig, i);
    }
    return [i, ...entries.map(([, v]) => v)];
  }

  /** The object without `idKey`, its other keys in their order, `items` packed in place. */
  holder<T extends { items: InventoryStack[] }, K extends keyof T>(o: T, idKey: K): Omit<T, K | 'items'> & { items: PackedStack[] } {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k !== idKey) out[k] = k === 'items' ? (v as InventoryStack[]).map((s) => this.stack(s)) : v;
    return out as Omit<T, K | 'items'> & { items: PackedStack[] };
  }
}

function unpacker(keys: string[][]) {
  const stack = ([i, ...values]: PackedStack): InventoryStack => {
    const names = keys[i];
    if (!names || names.length !== values.length) throw new Error(`stored stack names key list ${i}, which does not fit it`);
    return Object.fromEntries(names.map((k, j) => [k, values[j]])) as InventoryStack;
  };
  /** `{ [idKey]: id, ...the rest in stored order }` with its items unpacked. */
  const holder = <T>(idKey: string, id: string, p: { items: PackedStack[] }): T => {
    const out: Record<string, unknown> = { [idKey]: id };
    for (const [k, v] of Object.entries(p)) out[k] = k === 'items' ? (v as PackedStack[]).map(stack) : v;
    return out as T;
  };
  return { stack, holder };
}

/** A full answer (a row from before this codec) carries its container; a packed one does not. */
function isFullAnswer(stored: unknown): boolean {
  return typeof stored === 'object' && stored !== null && 'container' in stored;
}

function asPacked<T extends PackedMove>(stored: unknown): T {
  if (typeof stored !== 'object' || stored === null || (stored as { v?: unknown }).v !== 1) throw new Error('stored idempotency result has an unknown form');
  return stored as T;
}

export function packTransfer(r: TransferResponse): PackedMove {
  const p = new Packer();
  const c = p.holder(r.container, 'container_id');
  const i = p.holder(r.inventory, 'character_id');
  return { v: 1, k: p.keys, c, i };
}

export function unpackTransfer(stored: unknown, characterId: string, req: Pick<TransferRequest, 'container_id' | 'item_id' | 'quantity'>): TransferResponse {
  if (isFullAnswer(stored)) return stored as TransferResponse;
  const p = asPacked<PackedMove>(stored);
  const u = unpacker(p.k);
  return {
    container: u.holder<ContainerComponent>('container_id', req.container_id, p.c),
    inventory: u.holder<CharacterInventory>('character_id', characterId, p.i),
    moved: { item_id: req.item_id, quantity: req.quantity },
  };
}

export function packLootAll(r: LootAllResponse): PackedLootAll {
  const p = new Packer();
  const c = p.holder(r.container, 'container_id');
  const i = p.holder(r.inventory, 'character_id');
  const m = r.moved.map((s) => p.stack(s));
  return { v: 1, k: p.keys, c, i, m };
}

export function unpackLootAll(stored: unknown, characterId: string, containerId: string): LootAllResponse {
  if (isFullAnswer(stored)) return stored as LootAllResponse;
  const p = asPacked<PackedLootAll>(stored);
  const u = unpacker(p.k);
  const container = u.holder<ContainerComponent>('container_id', containerId, p.c);
  // What did not fit stayed: the container's items after the loot are exactly left_behind.
  return { container, inventory: u.holder<CharacterInventory>('character_id', characterId, p.i), moved: p.m.map(u.stack), left_behind: p.c.items.map(u.stack) };
}
