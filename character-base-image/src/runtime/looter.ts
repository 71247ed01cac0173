import { HttpError, type RegistryClient } from '../communication/registry.ts';
import type { Logger } from './settings.ts';
import type { CharacterPersistence } from './persistence.ts';

const LOOT_RETRY_MS = 10_000;
const MAX_LOOT_ATTEMPTS = 5;

/**
 * Loots the containers the character's `onLoot` hook names, once each: a container already
 * looted (remembered in the saved record, so across restarts) is skipped, one not yet ours or
 * busy is tried again later, one gone or locked is given up on.
 */
export class Looter {
  readonly #registry: RegistryClient;
  readonly #persistence: CharacterPersistence;
  readonly #log: Logger;
  readonly #retryAt = new Map<string, number>();
  readonly #attempts = new Map<string, number>();

  constructor(registry: RegistryClient, persistence: CharacterPersistence, log: Logger) {
    this.#registry = registry;
    this.#persistence = persistence;
    this.#log = log;
  }

  async loot(ids: readonly string[]): Promise<void> {
    const looted = this.#persistence.saved.looted;
    const now = Date.now();
    for (const id of ids) {
      if (looted.includes(id) || (this.#retryAt.get(id) ?? 0) > now) continue;
      try {
        const res = await this.#registry.lootContainer(id);
        looted.push(id);
        this.#retryAt.delete(id);
        this.#log.info({ containerId: id, moved: res.moved.map((m) => `${m.quantity}× ${m.item_name}`) }, 'looted');
        this.#persistence.schedule();
      } catch (err) {
        // Gone (decayed) or locked: give up on it. Not yet ours (grace), not here, or the
        // container budget is spent (429): try again a little later.
        const status = err instanceof HttpError ? err.status : 0;
        const attempts = (this.#attempts.get(id) ?? 0) + 1;
        this.#attempts.set(id, attempts);
        if (status === 404 || status === 423 || attempts >= MAX_LOOT_ATTEMPTS) looted.push(id);
        else this.#retryAt.set(id, now + LOOT_RETRY_MS);
        this.#log.warn({ containerId: id, status, err: String(err) }, 'looting failed');
        if (status === 429) return;
      }
    }
  }
}
