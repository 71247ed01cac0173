/**
 * @distributed-dungeon/character-sdk — build a character for Distributed Dungeon.
 *
 * ```js
 * const { CharacterBase, CombatAI, ExplorationAI } = require('@distributed-dungeon/character-sdk');
 * // or: import { CharacterBase, CombatAI, ExplorationAI } from '@distributed-dungeon/character-sdk';
 * class MyFighter extends CharacterBase {
 *   constructor(config) {
 *     super(config);
 *     this.combatAI = new CombatAI({ aggressive: true });
 *     this.explorationAI = new ExplorationAI({ cautious: false });
 *   }
 *   async onCombatTurn(gameState) {
 *     return this.combatAI.decideCombatAction(gameState);
 *   }
 * }
 * module.exports = MyFighter; // or: export default MyFighter
 * ```
 * The runtime (`runtime/main`) loads that module from CHARACTER_MODULE and plays.
 */
export { CharacterBase, type CharacterConfig, type Capability, type HookResult } from './character/base.ts';
export { CombatAI, type CombatAIOptions } from './ai/combat.ts';
export { ExplorationAI, type ExplorationAIOptions, type ExplorationMemory } from './ai/exploration.ts';
export { SocialAI } from './ai/social.ts';
export { DecisionEngine, type Decision, type DecisionRule } from './ai/decision.ts';
export { LocalView, type ApplyOutcome, type LocalViewOptions } from './state/view.ts';
export { reduceEvent } from './state/reduce.ts';
export { DurableStore, atomicWrite, CorruptStateError, type DurableStoreOptions } from './state/store.ts';
export { RegistryClient, HttpError, type Credentials, type RegistryClientOptions } from './communication/registry.ts';
export { RedisEventSource, WebSocketEventSource, type EventSource } from './communication/events.ts';
export { startCharacterApi, type CharacterApi, type CharacterApiOptions } from './communication/api.ts';
export { backoffDelay, retry, type BackoffOptions, type RetryOptions } from './communication/backoff.ts';
export { CharacterRuntime, type RuntimeSettings, type SavedCharacter, type Logger } from './runtime/runtime.ts';
export { loadAbilitiesFile, loadCharacter, loadCharacterConfig, settingsFromEnv, ConfigError } from './runtime/config.ts';
export type * from './types.ts';
export { TURN_PROMPT } from './types.ts';
export { lootableContainers, type LootPolicy } from './character/loot.ts';
export { OpenedContainer, type ContainerPort } from './character/containers.ts';
export {
  averageDamage,
  betterWeapon,
  countOf,
  equipAction,
  equippedIn,
  inventoryItem,
  pickLockAction,
  unequipAction,
  unlockAction,
  useAction,
  weaponScore,
  type WeaponStats,
} from './character/items.ts';
export { practiceState, type PracticeMonster, type PracticeOptions } from './practice/state.ts';
/** The wire schema of an action, to check what a hook returns in a player's own tests. */
export { Action } from '@distributed-dungeon/contracts';
export { CharacterDatabase, DATABASE_FILE } from './state/database.ts';
