import type { WorldItem } from './world.ts';

// Character classes and spells. Numbers follow the spirit of 5e, kept small: a level-5 party can
// clear the bundled world with some luck and some healing.

export type ClassName = 'fighter' | 'wizard' | 'rogue' | 'cleric' | 'ranger' | 'bard';

interface ClassDef {
  hitDie: number;
  baseHp: number;
  ac: number;
  /** Ability modifier added to attacks and weapon damage. */
  ability: number;
  weapon: { name: string; damage: string };
  initiativeBonus: number;
  /** Added to d20 when spotting traps, searching and fleeing. */
  perception: number;
  /** Mana at level 1 and per further level; 0 for non-casters. */
  mana: { base: number; perLevel: number };
  spells: string[];
  startingItems: WorldItem[];
}

export const CLASSES: Record<ClassName, ClassDef> = {
  fighter: {
    hitDie: 10, baseHp: 12, ac: 17, ability: 3, weapon: { name: 'longsword', damage: '1d8' }, initiativeBonus: 1, perception: 1,
    mana: { base: 0, perLevel: 0 }, spells: [],
    startingItems: [{ item_id: 'longsword', name: 'Longsword', quantity: 1, weight: 3 }, { item_id: 'healing-potion', name: 'Healing potion', quantity: 1 }],
  },
  wizard: {
    hitDie: 6, baseHp: 8, ac: 12, ability: 3, weapon: { name: 'quarterstaff', damage: '1d6' }, initiativeBonus: 2, perception: 3,
    mana: { base: 6, perLevel: 2 }, spells: ['fire-bolt', 'magic-missile'],
    startingItems: [{ item_id: 'spellbook', name: 'Spellbook', quantity: 1, weight: 3 }],
  },
  rogue: {
    hitDie: 8, baseHp: 10, ac: 15, ability: 4, weapon: { name: 'shortsword', damage: '1d6' }, initiativeBonus: 4, perception: 6,
    mana: { base: 0, perLevel: 0 }, spells: [],
    startingItems: [{ item_id: 'shortsword', name: 'Shortsword', quantity: 1, weight: 2 }, { item_id: 'thieves-tools', name: "Thieves' tools", quantity: 1 }],
  },
  cleric: {
    hitDie: 8, baseHp: 10, ac: 16, ability: 3, weapon: { name: 'mace', damage: '1d6' }, initiativeBonus: 0, perception: 3,
    mana: { base: 6, perLevel: 2 }, spells: ['sacred-flame', 'heal'],
    startingItems: [{ item_id: 'holy-symbol', name: 'Holy symbol', quantity: 1 }],
  },
  ranger: {
    hitDie: 10, baseHp: 11, ac: 15, ability: 3, weapon: { name: 'longbow', damage: '1d8' }, initiativeBonus: 3, perception: 5,
    mana: { base: 2, perLevel: 1 }, spells: ['heal'],
    startingItems: [{ item_id: 'longbow', name: 'Longbow', quantity: 1, weight: 2 }, { item_id: 'arrows', name: 'Arrows', quantity: 20 }],
  },
  bard: {
    hitDie: 8, baseHp: 9, ac: 14, ability: 3, weapon: { name: 'rapier', damage: '1d8' }, initiativeBonus: 2, perception: 3,
    mana: { base: 4, perLevel: 2 }, spells: ['vicious-mockery', 'heal'],
    startingItems: [{ item_id: 'lute', name: 'Lute', quantity: 1, weight: 2 }],
  },
};

interface SpellDef {
  /** Mana spent; 0 for cantrips. */
  cost: number;
  kind: 'damage' | 'heal';
  dice: string;
  /** Damage spells: auto-hit ones skip the attack roll (magic missile). */
  autoHit: boolean;
  /** Dice added per 4 levels above 1 (cantrips grow with the caster). */
  scales: boolean;
}

export const SPELLS: Record<string, SpellDef> = {
  'magic-missile': { cost: 2, kind: 'damage', dice: '3d4+3', autoHit: true, scales: false },
  'fire-bolt': { cost: 0, kind: 'damage', dice: '1d10', autoHit: false, scales: true },
  'sacred-flame': { cost: 0, kind: 'damage', dice: '1d8', autoHit: false, scales: true },
  'vicious-mockery': { cost: 0, kind: 'damage', dice: '1d6', autoHit: false, scales: true },
  heal: { cost: 2, kind: 'heal', dice: '1d8+3', autoHit: true, scales: false },
};

export function proficiency(level: number): number {
  return 2 + Math.floor((level - 1) / 4);
}

export function maxHpFor(cls: ClassName, level: number): number {
  const def = CLASSES[cls];
  // Average hit die per level after the first, as 5e's fixed option.
  return def.baseHp + (level - 1) * (Math.floor(def.hitDie / 2) + 1);
}

export function maxManaFor(cls: ClassName, level: number): number {
  const { base, perLevel } = CLASSES[cls].mana;
  return base === 0 ? 0 : base + (level - 1) * perLevel;
}

/** "1d10" at level 5 → "2d10" (cantrip scaling at 5, 11, 17). */
export function scaledDice(spell: SpellDef, level: number): string {
  if (!spell.scales) return spell.dice;
  const extra = level >= 17 ? 3 : level >= 11 ? 2 : level >= 5 ? 1 : 0;
  const m = /^(\d*)d(\d+)(.*)$/.exec(spell.dice);
  if (!m) return spell.dice;
  return `${(m[1] ? Number(m[1]) : 1) + extra}d${m[2]}${m[3]}`;
}
