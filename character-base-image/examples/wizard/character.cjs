// Elara, a careful wizard: ranged spells from behind the others, cautious steps. Plain
// JavaScript (CommonJS, exactly as in the seed) to show the SDK needs no TypeScript.
const { CharacterBase, CombatAI, ExplorationAI, lootableContainers } = require('@distributed-dungeon/character-sdk');

class MyWizard extends CharacterBase {
  constructor(config) {
    super(config);
    this.combatAI = new CombatAI({ preferSpells: true, defensive: true, fleeBelow: 0.2, targetPriority: 'weakest' });
    this.explorationAI = new ExplorationAI({ cautious: true, restBelow: 0.6 });
  }

  async onCombatTurn(gameState) {
    return this.combatAI.decideCombatAction(gameState);
  }

  async onExplore(gameState) {
    // A wizard without mana rests before walking into the next fight.
    const me = gameState.me;
    if (me.maxMana > 0 && me.mana < 2 && me.restsLeft > 0) return { type: 'rest' };
    return this.explorationAI.decideExploration(gameState);
  }

  async onLoot(gameState) {
    // Only what its own spells felled.
    return lootableContainers(gameState, { corpses: 'mine', chests: false });
  }

  async onEvent(event) {
    if (event.type === 'social.npc_reply' && event.data.characterId === this.id) this.memory.lastHeard = event.data.text;
  }
}

module.exports = MyWizard;
