// Vex, a cautious rogue who searches every room and empties every corpse and chest it finds. A
// locked chest it opens with a key it found, or picks (a few tries each) when it has none.
import { CharacterBase, CombatAI, ExplorationAI, lootableContainers, type CharacterConfig, type GameEvent, type GameState } from '@distributed-dungeon/character-sdk';

/** Tries at one lock before Vex gives up on it. */
const PICK_TRIES = 3;

export default class Rogue extends CharacterBase {
  constructor(config: CharacterConfig) {
    super(config);
    this.combatAI = new CombatAI({ targetPriority: 'weakest', fleeBelow: 0.25 });
    this.explorationAI = new ExplorationAI({ cautious: true, thorough: true, restBelow: 0.5 });
  }

  override async onCombatTurn(gameState: GameState) {
    return this.combatAI!.decideCombatAction(gameState);
  }

  override async onExplore(gameState: GameState) {
    return this.openLock(gameState) ?? this.explorationAI!.decideExploration(gameState);
  }

  /** The room's locked chest: a key first (any `*-key` it carries that it has not tried here), else its picks. */
  openLock(gameState: GameState) {
    const chest = gameState.room?.container;
    if (!chest?.container_id || chest.lock_state !== 'locked' || this.#opened().includes(chest.container_id)) return null;
    const tried = ((this.memory.keysTried ??= {}) as Record<string, string[]>)[chest.container_id] ??= [];
    const key = gameState.me.inventory.find((i) => i.item_id.endsWith('-key') && !tried.includes(i.item_id));
    if (key) {
      tried.push(key.item_id);
      return this.unlock(chest.container_id, key.item_id);
    }
    const picks = (this.memory.pickTries ??= {}) as Record<string, number>;
    if (!this.abilities?.includes('lock-picking') || (picks[chest.container_id] ?? 0) >= PICK_TRIES) return null;
    picks[chest.container_id] = (picks[chest.container_id] ?? 0) + 1;
    return this.pickLock(chest.container_id);
  }

  /** The room's chest and every corpse here that is open to us, and a chest it opened here: the runtime loots each once. */
  override async onLoot(gameState: GameState): Promise<string[]> {
    const chest = gameState.room?.container?.container_id;
    const opened = chest && this.#opened().includes(chest) ? [chest] : [];
    return [...new Set([...lootableContainers(gameState), ...opened])];
  }

  /** Remembers the locks it opened (with a key or its picks), so it neither tries them again nor leaves them full. */
  override async onEvent(event: GameEvent) {
    const d = event.data as { characterId?: string; containerId?: string; success?: boolean };
    const opened = event.type === 'container.unlocked' || (event.type === 'container.pick_lock' && d.success === true);
    if (opened && d.characterId === this.id && d.containerId && !this.#opened().includes(d.containerId)) this.#opened().push(d.containerId);
  }

  #opened(): string[] {
    return (this.memory.opened ??= []) as string[];
  }
}
