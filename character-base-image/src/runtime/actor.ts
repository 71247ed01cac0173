import { randomUUID } from 'node:crypto';
import { Action } from '@distributed-dungeon/contracts';
import type { HookResult } from '../character/base.ts';
import { HttpError, type RegistryClient } from '../communication/registry.ts';
import type { LocalView } from '../state/view.ts';
import type { ActionDraft } from '../types.ts';
import type { Logger } from './settings.ts';

/** At most one state refresh per this long after refused actions. */
const REFUSAL_RESYNC_MS = 1_000;

interface ActorDeps {
  characterId: string;
  registry: RegistryClient;
  view: LocalView;
  log: Logger;
  resync(reason: string): void;
  registerAgain(): Promise<void>;
  isStopping(): boolean;
}

/**
 * Sends what a hook decided as an action: validated against the wire schema first (player code
 * may return anything), applied optimistically to the local view, then confirmed or rolled back
 * by the game's answer.
 */
export class Actor {
  readonly #d: ActorDeps;
  #sent = 0;
  #lastRefusalResync = 0;

  constructor(deps: ActorDeps) {
    this.#d = deps;
  }

  get actionsSent(): number {
    return this.#sent;
  }

  async act(draft: HookResult): Promise<void> {
    const { characterId, registry, view, log } = this.#d;
    if (!draft || this.#d.isStopping()) return;
    const clientActionId = randomUUID();
    const parsed = Action.safeParse({ ...draft, characterId, clientActionId });
    if (!parsed.success) {
      log.warn({ action: draft, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'the character returned an invalid action');
      return;
    }
    const action = parsed.data;
    view.applyOptimistic(clientActionId, action as ActionDraft);
    this.#sent++;
    try {
      const result = await registry.sendAction(action);
      if (!result.accepted) {
        view.rejectAction(clientActionId);
        log.info({ type: action.type, reason: result.reason }, 'action refused');
        // A refusal means our picture of the game differs from the game's (a target already dead,
        // a turn already over): fetch the authoritative state rather than insist on the same move.
        this.#resyncAfterRefusal(String(result.reason ?? 'refused'));
      } else {
        view.confirmAction(clientActionId, result.version);
        log.debug({ type: action.type, version: result.version }, 'action accepted');
      }
    } catch (err) {
      view.rejectAction(clientActionId);
      log.warn({ type: action.type, err: String(err) }, 'action failed');
      if (err instanceof HttpError && (err.status === 401 || err.status === 403)) await this.#d.registerAgain().catch(() => undefined);
    }
  }

  #resyncAfterRefusal(reason: string): void {
    const now = Date.now();
    if (now - this.#lastRefusalResync < REFUSAL_RESYNC_MS) return;
    this.#lastRefusalResync = now;
    this.#d.resync(`action refused: ${reason}`);
  }
}
