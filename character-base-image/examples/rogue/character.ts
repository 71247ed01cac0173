// Vex, a cautious rogue who searches every room and empties every corpse and chest it finds.
import { CharacterBase, CombatAI, ExplorationAI, lootableContainers, type CharacterConfig, type GameState } from '@distributed-dungeon/character-sdk';

export default class Rogue extends CharacterBase {
  constructor(config: CharacterConfig) {
    super(config);
    this.combatAI = new CombatAI({ targetPriority: 'weakest', fleeBelow: 0.25 });
    this.explorationAI = new ExplorationAI({ cautious: true, thorough: true, restBelow: 0.5 });
  }

  override async onCombatTurn(gameState: GameState) {
    return this.combatAI!.decideCombatAction(gameState);
  }

  /** The room's chest and every corpse here that is open to us: the runtime loots each once. */
  override async onLoot(gameState: GameState): Promise<string[]> {
    return lootableContainers(gameState);
  }
}
