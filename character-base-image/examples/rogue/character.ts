// Vex, a cautious rogue who searches every room and empties every corpse and chest it finds.
import { CharacterBase, CombatAI, ExplorationAI, type CharacterConfig, type GameState } from '@distributed-dungeon/character-sdk';

export default class Rogue extends CharacterBase {
  constructor(config: CharacterConfig) {
    super(config);
    this.combatAI = new CombatAI({ targetPriority: 'weakest', fleeBelow: 0.25 });
    this.explorationAI = new ExplorationAI({ cautious: true, thorough: true, restBelow: 0.5 });
  }

  override async onCombatTurn(gameState: GameState) {
    return this.combatAI!.decideCombatAction(gameState);
  }

  /** Every container heard of in this room (corpses, chests): the runtime loots each once. */
  override async onLoot(gameState: GameState): Promise<string[]> {
    return Object.entries(gameState.containers ?? {})
      .filter(([, c]) => c.roomId === gameState.me.roomId)
      .map(([id]) => id);
  }
}
