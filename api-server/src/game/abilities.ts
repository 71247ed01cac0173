import { CLASSES, SPELLS, type ClassName } from './classes.ts';
import type { CharacterState } from './state.ts';

// The Dungeon Master's side of abilities (contracts/src/abilities.ts): a character casts only the
// spells it picked. The registry has already refused a choice that breaks the class and level
// rules; what reaches the game is a valid choice, or none (the class's standard set).

/**
 * The spells a joining character knows: its class's spells, narrowed to the ones it picked when
 * it picked any. Kept in the character's state (`spells`), so a replay of the log, whose join
 * entry carries the picks, knows the same.
 */
export function knownSpells(input: { class: ClassName; abilities?: readonly string[] | undefined }): string[] {
  const standard = CLASSES[input.class].spells;
  if (input.abilities === undefined) return [...standard];
  const picked = new Set(input.abilities);
  return standard.filter((s) => picked.has(s));
}

/** Abilities that are not spells, by class: what a character has when it picked nothing. */
const STANDARD_ABILITIES: Partial<Record<ClassName, readonly string[]>> = { rogue: ['lock-picking'] };

/** The joining character's picked abilities other than spells (kept in its state as `abilities`). */
export function knownAbilities(input: { class: ClassName; abilities?: readonly string[] | undefined }): string[] {
  const standard = STANDARD_ABILITIES[input.class] ?? [];
  if (input.abilities === undefined) return [...standard];
  const picked = new Set(input.abilities);
  return standard.filter((a) => picked.has(a));
}

/** Whether `c` has the (non-spell) ability; a state from before picks has its class's standard set. */
export function hasAbility(c: CharacterState, ability: string): boolean {
  return (c.abilities ?? STANDARD_ABILITIES[c.class as ClassName] ?? []).includes(ability);
}

/** Why `c` may not cast `spell`, naming it; undefined when it may. */
export function spellRefusal(c: CharacterState, spell: string): { reason: 'unknown_spell'; message: string } | undefined {
  if (SPELLS[spell] && c.spells.includes(spell)) return undefined;
  if (SPELLS[spell] && CLASSES[c.class as ClassName]?.spells.includes(spell)) {
    const picked = c.spells.length ? c.spells.join(', ') : 'none';
    return { reason: 'unknown_spell', message: `${c.name} did not pick the spell "${spell}" (picked: ${picked})` };
  }
  return { reason: 'unknown_spell', message: `${c.name} does not know "${spell}"` };
}
