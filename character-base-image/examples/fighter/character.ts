// Thorin, an aggressive melee fighter: the seed's example, in TypeScript. It loots what it killed
// and the chests it passes, and wields the best weapon it carries.
import { betterWeapon, CharacterBase, CombatAI, ExplorationAI, lootableContainers, type CharacterConfig, type GameState, type WeaponStats } from '@distributed-dungeon/character-sdk';

/** What Thorin knows of the weapons of the bundled world (crypt-of-dawn's item catalogue). */
const WEAPONS: Record<string, WeaponStats> = {
  longsword: { damage: '1d8' },
  shortsword: { damage: '1d6' },
  scimitar: { damage: '1d6' },
  'rusty-sword': { damage: '1d6', attackBonus: -1 },
  'rusty-spear': { damage: '1d6', attackBonus: -1 },
  'silvered-dagger': { damage: '1d4', attackBonus: 1 },
  'runed-longsword': { damage: '1d10', attackBonus: 1 },
};

export default class MyFighter extends CharacterBase {
  constructor(config: CharacterConfig) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: true, targetPriority: 'boss' });
    this.explorationAI = new ExplorationAI({ cautious: false, restBelow: 0.4 });
  }

  override async onCombatTurn(gameState: GameState) {
    return this.combatAI!.decideCombatAction(gameState);
  }

  /** Between fights: a better blade first (equipping in a fight would cost a swing). */
  override async onExplore(gameState: GameState) {
    const upgrade = betterWeapon(gameState, WEAPONS);
    if (upgrade) return this.equip(upgrade.item_id);
    return this.explorationAI!.decideExploration(gameState);
  }

  /** Trophies: the corpses of what it killed itself (ours during the grace period), and open chests. */
  override async onLoot(gameState: GameState): Promise<string[]> {
    return lootableContainers(gameState, { corpses: 'mine', chests: true });
  }
}
