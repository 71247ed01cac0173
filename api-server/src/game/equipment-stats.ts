import type { EquipmentSlot } from '@distributed-dungeon/contracts';
import { catalogueEntry, type CatalogueItem } from './catalogue.ts';
import { CLASSES, proficiency } from './classes.ts';
import type { CharacterState, ItemInputs } from './state.ts';

/**
 * The weapon, attack bonus and armour class a character has with this equipment: the only
 * numbers of its things the session state keeps (the things themselves are in the item tables).
 */
export function equippedStats(c: Pick<CharacterState, 'class' | 'level'>, equipped: ItemInputs['equipped'], items: readonly CatalogueItem[]) {
  const def = CLASSES[c.class];
  const at = (slot: EquipmentSlot) => {
    const id = equipped[slot];
    return id === undefined ? undefined : catalogueEntry(items, id);
  };
  const weapon = at('weapon');
  const armor = at('armor');
  const shield = at('shield');
  const w = weapon?.kind === 'weapon' ? weapon : null;
  return {
    attackBonus: def.ability + proficiency(c.level) + (w?.attackBonus ?? 0),
    weapon: w ? { name: w.name, damage: `${w.damage}+${def.ability}` } : { name: def.weapon.name, damage: `${def.weapon.damage}+${def.ability}` },
    ac: def.ac + (armor?.kind === 'armor' ? armor.ac : 0) + (shield?.kind === 'shield' ? shield.ac : 0),
  };
}
