import type { CharacterGameView, EquipmentSlot, ItemStack } from '@distributed-dungeon/contracts';

// What the character carries in `dungeon test`. On a platform the item tables hold it and the
// engine hands the rules what they read (the inputs) and applies what they ask for (the item
// intents); offline this small ledger plays that part, so the starting kit, finds, potions and
// equipment behave as in a session. It has no room containers (so no locks to open) and no
// capacity or weight limits: those are the platform's container rules.

/** The item intents of the rules that change what a character holds (unlocks need containers). */
export type PracticeIntent =
  | { kind: 'grant'; characterId: string; items: { item_id: string; name: string; quantity: number }[] }
  | { kind: 'consume'; characterId: string; itemId: string; quantity: number }
  | { kind: 'equip'; characterId: string; itemId: string; slot: EquipmentSlot }
  | { kind: 'unequip'; characterId: string; slot: EquipmentSlot }
  | { kind: 'unlock' }
  | { kind: 'pick_failed' };

/** What the rules read before an item action: as the engine's ItemInputs. */
export interface PracticeInputs {
  equipped: Partial<Record<EquipmentSlot, string>>;
  inventory: ItemStack[];
}

/** What the character's view shows it carrying and wearing. */
export type PracticeView = Pick<CharacterGameView['me'], 'inventory' | 'equipment'>;

export class PracticeItems {
  readonly #inventory: ItemStack[] = [];
  readonly #equipment: Partial<Record<EquipmentSlot, ItemStack>> = {};

  apply(intents: readonly PracticeIntent[] | undefined): void {
    for (const intent of intents ?? []) {
      switch (intent.kind) {
        case 'grant':
          for (const item of intent.items) this.#add(item.item_id, item.name, item.quantity);
          break;
        case 'consume':
          this.#take(intent.itemId, intent.quantity);
          break;
        case 'equip': {
          const stack = this.#inventory.find((s) => s.item_id === intent.itemId);
          if (!stack) break;
          this.#take(intent.itemId, 1);
          this.#equipment[intent.slot] = { item_id: intent.itemId, name: stack.name, quantity: 1 };
          break;
        }
        case 'unequip': {
          const worn = this.#equipment[intent.slot];
          if (!worn) break;
          delete this.#equipment[intent.slot];
          this.#add(worn.item_id, worn.name, 1);
          break;
        }
        case 'unlock':
        case 'pick_failed':
          break;
      }
    }
  }

  inputs(): PracticeInputs {
    const equipped: PracticeInputs['equipped'] = {};
    for (const [slot, stack] of Object.entries(this.#equipment)) if (stack) equipped[slot as EquipmentSlot] = stack.item_id;
    return { equipped, inventory: this.#inventory.map((s) => ({ ...s })) };
  }

  view(): PracticeView {
    return { inventory: this.#inventory.map((s) => ({ ...s })), equipment: structuredClone(this.#equipment) };
  }

  #add(itemId: string, name: string, quantity: number): void {
    const stack = this.#inventory.find((s) => s.item_id === itemId);
    if (stack) stack.quantity += quantity;
    else this.#inventory.push({ item_id: itemId, name, quantity });
  }

  #take(itemId: string, quantity: number): void {
    const stack = this.#inventory.find((s) => s.item_id === itemId);
    if (!stack) return;
    stack.quantity -= quantity;
    if (stack.quantity <= 0) this.#inventory.splice(this.#inventory.indexOf(stack), 1);
  }
}
