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

/** Why `c` may not cast `spell`, naming it; undefined when it may. */
export function spellRefusal(c: CharacterState, spell: string): { reason: 'unknown_spell'; message: string } | undefined {
  if (SPELLS[spell] && c.spells.includes(spell)) return undefined;
  if (SPELLS[spell] && CLASSES[c.class as ClassName]?.spells.includes(spell)) {
    const picked = c.spells.length ? c.spells.join(', ') : 'none';
    return { reason: 'unknown_spell', message: `${c.name} did not pick the spell "${spell}" (picked: ${picked})` };
  }
  return { reason: 'unknown_spell', message: `${c.name} does not know "${spell}"` };
}
