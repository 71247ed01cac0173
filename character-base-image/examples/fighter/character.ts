// Thorin, an aggressive melee fighter: the seed's example, in TypeScript.
import { CharacterBase, CombatAI, ExplorationAI, lootableContainers, type CharacterConfig, type GameState } from '@distributed-dungeon/character-sdk';

export default class MyFighter extends CharacterBase {
  constructor(config: CharacterConfig) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: true, targetPriority: 'boss' });
    this.explorationAI = new ExplorationAI({ cautious: false, restBelow: 0.4 });
  }

  override async onCombatTurn(gameState: GameState) {
    return this.combatAI!.decideCombatAction(gameState);
  }

  /** Trophies: the corpses of what it killed itself (ours during the grace period). */
  override async onLoot(gameState: GameState): Promise<string[]> {
    return lootableContainers(gameState, { corpses: 'mine', chests: false });
  }
}
