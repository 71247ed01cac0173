import type { CharacterBase } from '../character/base.ts';
import type { LocalView } from '../state/view.ts';
import type { Actor } from './actor.ts';
import { runHook } from './hook.ts';
import type { Looter } from './looter.ts';
import type { Logger } from './settings.ts';

interface DecisionLoopDeps {
  character: CharacterBase;
  view: LocalView;
  actor: Actor;
  looter: Looter;
  log: Logger;
  actIntervalMs: number;
  decisionTimeoutMs: number;
  /** False before start and while stopping: no decisions then. */
  isActive(): boolean;
}

/**
 * Asks the character's hooks what to do, one decision at a time: its combat turn when the game
 * prompts it, otherwise looting, talking and exploring at a steady pace.
 */
export class DecisionLoop {
  readonly #d: DecisionLoopDeps;
  #thinking = false;
  #thinkAgain = false;
  #lastExploreAt = 0;

  constructor(deps: DecisionLoopDeps) {
    this.#d = deps;
  }

  /** Cheap to call often: a call while a decision runs makes one more run after it. */
  think(): void {
    if (!this.#d.isActive()) return;
    if (this.#thinking) {
      this.#thinkAgain = true;
      return;
    }
    this.#thinking = true;
    void this.#decide()
      .catch((err) => this.#d.log.error({ err: String(err) }, 'decision failed'))
      .finally(() => {
        this.#thinking = false;
        if (this.#thinkAgain) {
          this.#thinkAgain = false;
          this.think();
        }
      });
  }

  #hook<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
    return runHook(name, fn, this.#d.decisionTimeoutMs, this.#d.log);
  }

  async #decide(): Promise<void> {
    const { character, view, actor, looter } = this.#d;
    const s = view.state;
    if (!s || s.status !== 'active' || !s.me?.alive || (s.pending?.length ?? 0) > 0) return;
    const caps = character.capabilities;
    if (s.combat) {
      if (!s.combat.myTurn || !caps.includes('combat')) return;
      await actor.act(await this.#hook('onCombatTurn', () => character.onCombatTurn(s)));
      return;
    }
    // Paced by what was done, not by what was considered: a character that chose to wait (for
    // its party, say) reacts at once to the event it was waiting for.
    if (Date.now() - this.#lastExploreAt < this.#d.actIntervalMs) return;
    const toLoot = await this.#hook('onLoot', () => character.onLoot(s));
    await looter.loot(Array.isArray(toLoot) ? toLoot : []);
    if (caps.includes('social') && (s.room?.npcs?.length ?? 0) > 0) {
      const said = await this.#hook('onSocial', () => character.onSocial(s));
      if (said) {
        this.#lastExploreAt = Date.now();
        return actor.act(said);
      }
    }
    if (!caps.includes('exploration')) return;
    const next = await this.#hook('onExplore', () => character.onExplore(s));
    if (next) this.#lastExploreAt = Date.now();
    await actor.act(next);
  }
}
