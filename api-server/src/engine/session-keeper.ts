import type { Logger } from 'pino';
import type { SessionOwners } from './session-owners.ts';

// Keeps this replica's session leases alive and adopts orphans: every third of the lease's life
// it renews what it holds (dropping from memory, clocks included, what it lost) and takes over
// open sessions whose owner stopped renewing — so a session's turn clocks keep running after
// its owner died even when no request comes for it.

interface SessionKeeperDeps {
  owners: SessionOwners;
  logger: Logger;
  forget: (sessionId: string) => void;
  takeOver: (sessionId: string) => Promise<void>;
}

export class SessionKeeper {
  readonly #d: SessionKeeperDeps;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;
  #stopped = false;

  constructor(deps: SessionKeeperDeps) {
    this.#d = deps;
  }

  start(): void {
    const every = Math.max(100, Math.floor(this.#d.owners.ttlMs / 3));
    const tick = () => {
      if (this.#stopped) return;
      this.#round = this.#once().finally(() => {
        this.#round = null;
        if (!this.#stopped) this.#schedule(tick, every);
      });
    };
    this.#schedule(tick, every);
  }

  #schedule(tick: () => void, ms: number): void {
    this.#timer = setTimeout(tick, ms);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#round;
  }

  async #once(): Promise<void> {
    const { owners, logger } = this.#d;
    try {
      for (const id of await owners.renew()) {
        logger.warn({ sessionId: id }, 'lost the lease of a session; another replica owns it now');
        this.#d.forget(id);
      }
      for (const id of await owners.orphaned()) {
        if (this.#stopped) return;
        await this.#d.takeOver(id).catch((err: unknown) => logger.warn({ err, sessionId: id }, 'could not take the session over'));
      }
    } catch (err) {
      // PostgreSQL away: the leases run out on their own and the fence refuses late writes.
      logger.warn({ err: (err as Error).message }, 'session leases could not be renewed');
    }
  }
}
