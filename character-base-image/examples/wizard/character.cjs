// Elara, a careful wizard: ranged spells from behind the others, cautious steps, a potion when
// low. Plain JavaScript (CommonJS, exactly as in the seed) to show the SDK needs no TypeScript.
const { CharacterBase, CombatAI, ExplorationAI, inventoryItem, lootableContainers } = require('@distributed-dungeon/character-sdk');

/** Below this share of hit points Elara drinks a healing potion, in a fight or out of one. */
const DRINK_BELOW = 0.4;

class MyWizard extends CharacterBase {
  constructor(config) {
    super(config);
    this.combatAI = new CombatAI({ preferSpells: true, defensive: true, fleeBelow: 0.2, targetPriority: 'weakest' });
    this.explorationAI = new ExplorationAI({ cautious: true, restBelow: 0.6 });
  }

  /** A healing potion when hurt (drinking is the turn), a mana potion when out of spells. */
  potion(gameState, { inCombat }) {
    const me = gameState.me;
    if (me.hp < me.maxHp * DRINK_BELOW && inventoryItem(gameState, 'healing-potion')) return this.use('healing-potion');
    if (me.maxMana > 0 && me.mana < 2 && inventoryItem(gameState, 'mana-potion') && (inCombat || me.restsLeft === 0)) return this.use('mana-potion');
    return null;
  }

  async onCombatTurn(gameState) {
    return this.potion(gameState, { inCombat: true }) ?? this.combatAI.decideCombatAction(gameState);
  }

  async onExplore(gameState) {
    const drink = this.potion(gameState, { inCombat: false });
    if (drink) return drink;
    // A wizard without mana rests before walking into the next fight.
    const me = gameState.me;
    if (me.maxMana > 0 && me.mana < 2 && me.restsLeft > 0) return { type: 'rest' };
    return this.explorationAI.decideExploration(gameState);
  }

  async onLoot(gameState) {
    // What its own spells felled, and the chests it passes (potions are kept in chests).
    return lootableContainers(gameState, { corpses: 'mine', chests: true });
  }

  async onEvent(event) {
    if (event.type === 'social.npc_reply' && event.data.characterId === this.id) this.memory.lastHeard = event.data.text;
  }
}

module.exports = MyWizard;
