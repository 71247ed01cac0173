import { CombatAI } from '../ai/combat.ts';
import { ExplorationAI } from '../ai/exploration.ts';
import { SocialAI } from '../ai/social.ts';
import type { EquipmentSlot, LootAllResponse } from '@distributed-dungeon/contracts';
import type { ActionDraft, GameEvent, GameState } from '../types.ts';
import type { CharacterDatabase } from '../state/database.ts';
import { OpenedContainer, type ContainerPort } from './containers.ts';
import { equipAction, pickLockAction, unequipAction, unlockAction, useAction } from './items.ts';

// The class players extend. Every hook has a sensible default, so a character that overrides
// only `onCombatTurn` (the seed's example) still explores and talks.

export type Capability = 'combat' | 'exploration' | 'social';

export interface CharacterConfig {
  /** The registry id; the runtime fills it from CHARACTER_ID when missing. */
  characterId?: string;
  name: string;
  class: string;
  level: number;
  capabilities?: Capability[];
  /** The character's own version (semver), sent at registration. */
  version?: string;
  /** The session the Character resource asks for (`spec.session`); the operator writes it here. */
  session?: string;
  /**
   * The abilities and spells picked (contracts' catalogue): the Character's spec.abilities as the
   * operator writes them, else the image's abilities.json. Absent: the class's standard set.
   */
  abilities?: string[];
  [key: string]: unknown;
}

export type HookResult = ActionDraft | null | undefined;

export class CharacterBase {
  readonly config: CharacterConfig;
  combatAI: CombatAI | undefined;
  explorationAI: ExplorationAI | undefined;
  socialAI: SocialAI | undefined;
  /** Anything the character wants to remember: saved under the data directory with the rest. */
  memory: Record<string, unknown> = {};
  /**
   * The character's own SQLite database under the data directory, for memory that outgrows
   * `memory` (monsters seen, fights, maps). Opened by the runtime before the first hook runs;
   * null when the character runs without one (unit tests, practice).
   */
  db: CharacterDatabase | null = null;
  /**
   * The item-container API (open, transfer, loot-all, close) with this character's token. Set by
   * the runtime once it runs; null in unit tests and practice, where the container methods throw.
   */
  containers: ContainerPort | null = null;

  constructor(config: CharacterConfig) {
    if (!config || typeof config !== 'object') throw new TypeError('CharacterBase needs a config object (character.json)');
    this.config = { ...config };
  }

  get id(): string {
    return this.config.characterId ?? '';
  }

  get name(): string {
    return this.config.name;
  }

  get capabilities(): Capability[] {
    return this.config.capabilities ?? ['combat', 'exploration', 'social'];
  }

  /** The abilities and spells picked; undefined when the character picked none (the class's standard set). */
  get abilities(): string[] | undefined {
    return this.config.abilities;
  }

  // Item actions: return one from a hook (in a fight it is the turn's action).

  /** Wear or wield an item from the inventory (a weapon, armour, a shield, a backpack). */
  equip(itemId: string): ActionDraft {
    return equipAction(itemId);
  }

  /** Take off what is in a slot; a backpack keeps its contents. */
  unequip(slot: EquipmentSlot): ActionDraft {
    return unequipAction(slot);
  }

  /** Use an item: drink a potion. */
  use(itemId: string): ActionDraft {
    return useAction(itemId);
  }

  /** Unlock a locked container with a key from the inventory. */
  unlock(containerId: string, keyItemId: string): ActionDraft {
    return unlockAction(containerId, keyItemId);
  }

  /** Pick a container's lock (a check against its difficulty; for those who can). */
  pickLock(containerId: string): ActionDraft {
    return pickLockAction(containerId);
  }

  // Containers: calls the character makes itself, from any hook (not turn actions).

  /** Opens a container (a chest, a corpse, a worn backpack): move items with the handle, then close it. */
  async openContainer(containerId: string): Promise<OpenedContainer> {
    const port = this.#containers();
    return new OpenedContainer(port, await port.openContainer(containerId));
  }

  /** Opens a container, runs `use` with it, and closes it whatever happened. */
  async withContainer<T>(containerId: string, use: (container: OpenedContainer) => Promise<T>): Promise<T> {
    const container = await this.openContainer(containerId);
    try {
      return await use(container);
    } finally {
      await container.close().catch(() => undefined);
    }
  }

  /** Takes everything that fits from a container (open, loot-all, close). */
  async lootAll(containerId: string): Promise<LootAllResponse> {
    return this.withContainer(containerId, (c) => c.lootAll());
  }

  #containers(): ContainerPort {
    if (!this.containers) throw new Error('no item-container API here: the runtime sets it once the character is registered');
    return this.containers;
  }

  /** Our turn in a fight. Anything but an action (or a throw, or too long) means: defend. */
  async onCombatTurn(gameState: GameState): Promise<HookResult> {
    this.combatAI ??= new CombatAI();
    return this.combatAI.decideCombatAction(gameState);
  }

  /** Out of combat, about once a tick: where to go, search, rest. Null: do nothing now. */
  async onExplore(gameState: GameState): Promise<HookResult> {
    this.explorationAI ??= new ExplorationAI();
    return this.explorationAI.decideExploration(gameState);
  }

  /** Out of combat with someone to talk to, before exploring. Null: nothing to say. */
  async onSocial(gameState: GameState): Promise<HookResult> {
    this.socialAI ??= new SocialAI();
    return this.socialAI.decideSocial(gameState);
  }

  /**
   * Item containers (corpses, chests) this character may want to empty, by container id. The
   * default loots nothing; looters return ids from `gameState.containers`.
   */
  async onLoot(_gameState: GameState): Promise<string[]> {
    return [];
  }

  /** Every event as it arrives (after the local view was updated). */
  async onEvent(_event: GameEvent, _gameState: GameState | null): Promise<void> {}

  /** What is saved to /data: `memory` and the AIs' memories. */
  exportMemory(): Record<string, unknown> {
    return {
      memory: this.memory,
      ...(this.explorationAI ? { exploration: this.explorationAI.memory } : {}),
      ...(this.socialAI ? { social: this.socialAI.memory } : {}),
    };
  }

  importMemory(saved: Record<string, unknown> | undefined): void {
    if (!saved) return;
    if (saved.memory && typeof saved.memory === 'object') this.memory = saved.memory as Record<string, unknown>;
    if (saved.exploration) (this.explorationAI ??= new ExplorationAI()).memory = saved.exploration as ExplorationAI['memory'];
    if (saved.social) (this.socialAI ??= new SocialAI()).memory = saved.social as SocialAI['memory'];
  }
}
