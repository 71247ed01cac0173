import { z } from 'zod';
import type { EquipmentSlot } from '@distributed-dungeon/contracts';
import { isDice } from './dice.ts';

// The world's item catalogue: what each item is (weapon, armour, shield, potion, key, wearable
// container, treasure), what it weighs and how many stack in a slot. Items not in the catalogue
// are plain things (weight and stack size from where they appear, stacking 1 by default).

const Id = z.string().regex(/^[a-z0-9][-a-z0-9_]{0,62}$/, 'an id of lowercase letters, digits, "-" and "_"');
const Dice = z.string().refine(isDice, 'a dice expression such as 1d6+1');

const common = {
  id: Id,
  name: z.string().min(1).max(100),
  /** Weight of one unit (counts against weight limits). */
  weight: z.number().nonnegative().max(1000).default(0),
  /** Units per inventory slot. */
  max_stack: z.int().min(1).max(1000).default(1),
  description: z.string().max(500).default(''),
};

export const CatalogueItem = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('weapon'), damage: Dice, attackBonus: z.int().min(-5).max(10).default(0) }).strict(),
  /** `ac`: added to the wearer's armour class. */
  z.object({ ...common, kind: z.literal('armor'), ac: z.int().min(0).max(10) }).strict(),
  z.object({ ...common, kind: z.literal('shield'), ac: z.int().min(0).max(5) }).strict(),
  z
    .object({ ...common, kind: z.literal('potion'), heal: Dice.optional(), mana: z.int().min(1).max(100).optional() })
    .strict()
    .refine((p) => p.heal !== undefined || p.mana !== undefined, { message: 'a potion needs "heal" or "mana"', path: ['heal'] }),
  /** `opens`: the rooms whose locked container this key opens. */
  z.object({ ...common, kind: z.literal('key'), opens: z.array(Id).min(1).max(20) }).strict(),
  /** A backpack or pouch: worn on the back or belt, it is a container of its own (seed 004). */
  z
    .object({
      ...common,
      kind: z.literal('container'),
      slot: z.enum(['back', 'belt']),
      capacity_slots: z.int().min(1).max(20),
      weight_limit: z.int().min(0).max(10000).optional(),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('gold') }).strict(),
  z.object({ ...common, kind: z.literal('misc') }).strict(),
]);
export type CatalogueItem = z.infer<typeof CatalogueItem>;
export type CatalogueInput = z.input<typeof CatalogueItem>;

/** The slot an item goes into when equipped; null: it cannot be equipped. */
export function slotOf(item: CatalogueItem): EquipmentSlot | null {
  switch (item.kind) {
    case 'weapon':
      return 'weapon';
    case 'armor':
      return 'armor';
    case 'shield':
      return 'shield';
    case 'container':
      return item.slot;
    default:
      return null;
  }
}

export function catalogueEntry(items: readonly CatalogueItem[], itemId: string): CatalogueItem | undefined {
  return items.find((i) => i.id === itemId);
}

/** Seed 004's wearable-container metadata for a backpack or pouch stack. */
export function stackMetadata(item: CatalogueItem | undefined): Record<string, unknown> {
  if (!item) return {};
  const meta: Record<string, unknown> = { kind: item.kind };
  if (item.kind === 'container') {
    meta.container_capacity = item.capacity_slots;
    if (item.weight_limit !== undefined) meta.container_weight_limit = item.weight_limit;
  }
  return meta;
}
