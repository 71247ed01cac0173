import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.ts';
import { versionedPipeline, versionKey } from './publisher.ts';

// The outbox relay: publishes `event_outbox` rows to Redis in id order and marks them published.
// One relay publishes at a time across all replicas (a transaction-scoped advisory lock), so the
// order of a session's events survives many replicas; a relay that dies mid-batch rolls back
// and the next one publishes the batch again — subscribers drop the repeats by envelope id.
// Redis being away only delays: rows wait in PostgreSQL until it is back.

/** The advisory lock key of the relay (any constant; "outbox" in ASCII). */
export const RELAY_LOCK = 0x6f7574626f78;

interface Row {
  id: string;
  session_id: string;
  channel: string;
  envelope: Record<string, unknown>;
  version: number | null;
}

/**
 * `upTo`: the last waiter registered before the batch was read (only those can it answer).
 * `whole`: the batch held every pending row the read could see (fewer than `batchSize`).
 */
type Drain = { kind: 'published'; lastId: number; upTo: number; whole: boolean } | { kind: 'empty'; upTo: number } | { kind: 'locked' };

interface Waiter {
  id: number;
  /** In order of registration: a batch read before a waiter came may lack its row (see #drainOnce). */
  serial: number;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

interface OutboxRelayOptions {
  db: Pool;
  redis: Redis;
  logger: Logger;
  onPublished?: (topic: string) => void;
  /** How often to look for rows nobody announced (written by a replica that died). */
  pollMs?: number;
  batchSize?: number;
  /** Published rows are deleted after this long. */
  retainMs?: number;
}

export class OutboxRelay {
  readonly #o: Required<Omit<OutboxRelayOptions, 'onPublished'>> & Pick<OutboxRelayOptions, 'onPublished'>;
  #waiters: Waiter[] = [];
  #serial = 0;
  #kicked = false;
  #wake: (() => void) | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Set while publishing fails (Redis away): waiters are not kept waiting then. */
  #failing = false;
  #lastCleanup = 0;

  constructor(opts: OutboxRelayOptions) {
    this.#o = { pollMs: 500, batchSize: 200, retainMs: 3_600_000, ...opts };
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  /** Something was committed: publish now rather than at the next poll. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Resolves once row `id` was published (by any replica), after `timeoutMs`, or at once while Redis is away. */
  delivered(id: number, timeoutMs: number): Promise<void> {
    this.kick();
    if (this.#failing || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const w: Waiter = { id, serial: ++this.#serial, resolve, timer: setTimeout(() => this.#settle((x) => x === w), timeoutMs) };
      w.timer.unref?.();
      this.#waiters.push(w);
    });
  }

  #settle(which: (w: Waiter) => boolean): void {
    const keep: Waiter[] = [];
    for (const w of this.#waiters) {
      if (which(w)) {
        clearTimeout(w.timer);
        w.resolve();
      } else keep.push(w);
    }
    this.#waiters = keep;
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      if (!this.#kicked) await this.#sleep(this.#o.pollMs);
      this.#kicked = false;
      try {
        // Each drain clears the kick first: a kick it leaves set came from a commit it may not have seen.
        const drain = () => {
          this.#kicked = false;
          return this.#drainOnce();
        };
        for (let r = await drain(); !this.#stopped; r = await drain()) {
          if (r.kind === 'published') {
            // A whole batch published every row committed before its read, so it answers every
            // waiter registered before it (each registers after its row committed), as an empty
            // read would; and unless something was committed since, no read is left to make.
            // That spares a round of three PostgreSQL round trips after nearly every batch.
            this.#settle((w) => w.serial <= r.upTo && (r.whole || w.id <= r.lastId));
            if (r.whole && !this.#kicked) break;
            continue;
          }
          if (r.kind === 'empty') {
            // Nothing is pending under the lock: whatever anyone waits for was published.
            this.#settle((w) => w.serial <= r.upTo);
            break;
          }
          // Another replica is publishing: try again shortly while someone here waits.
          if (this.#waiters.length === 0 && !this.#kicked) break;
          await this.#sleep(5);
        }
        if (this.#failing) this.#o.logger.info('outbox relay publishing again');
        this.#failing = false;
        failures = 0;
      } catch (err) {
        failures++;
        if (!this.#failing) this.#o.logger.warn({ err: (err as Error).message }, 'outbox relay cannot publish; events wait in the outbox');
        this.#failing = true;
        this.#settle(() => true);
        await this.#sleep(Math.min(100 * 2 ** Math.min(failures, 4), 1000));
        this.#kicked = true;
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }

  async #drainOnce(): Promise<Drain> {
    const client = await this.#o.db.connect();
    let broken = false;
    // The server vanishing mid-batch is reported here too; without a listener it would crash the process.
    const onError = (err: Error) => {
      broken = true;
      this.#o.logger.debug({ err: err.message }, 'outbox relay connection lost');
    };
    client.on('error', onError);
    try {
      // One round trip for the three (a simple query of constants): the relay runs this for every
      // batch. A relay paused mid-batch (SIGSTOP, a long GC) must not hold the lock for
      // everyone: PostgreSQL ends its transaction, the batch is published again by another.
      const opened = (await client.query(
        `BEGIN; SET LOCAL idle_in_transaction_session_timeout = '5s'; SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS ok`,
      )) as unknown as { rows: { ok?: boolean }[] }[];
      if (!opened.at(-1)?.rows[0]?.ok) {
        await client.query('ROLLBACK');
        return { kind: 'locked' };
      }
      // Ids are taken at insert and committed in any order: a batch read before a waiter's row
      // committed may hold higher ids without its row. It answers only the waiters registered
      // before it was read (each after its row committed); later ones wait for the next batch.
      const upTo = this.#serial;
      const { rows } = await client.query<Row>({
        name: 'outbox.relay-pending',
        text: `SELECT id, session_id, channel, envelope, version FROM event_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        values: [this.#o.batchSize],
      });
      if (rows.length === 0) {
        await this.#cleanup(client);
        await client.query('COMMIT');
        return { kind: 'empty', upTo };
      }
      await this.#publish(rows);
      const ids = rows.map((r) => r.id);
      await client.query({ name: 'outbox.relay-mark', text: 'UPDATE event_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', values: [ids] });
      // Here too, not only after an empty read: a busy relay may rarely make one.
      await this.#cleanup(client);
      await client.query('COMMIT');
      for (const r of rows) this.#o.onPublished?.(topicOf(r.channel));
      return { kind: 'published', lastId: Number(ids.at(-1)), upTo, whole: rows.length < this.#o.batchSize };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** One pipeline for the batch; any failed command fails the batch (it is published again). */
  async #publish(rows: Row[]): Promise<void> {
    const pipeline = versionedPipeline(this.#o.redis);
    for (const r of rows) {
      const json = JSON.stringify(r.envelope);
      if (r.version === null) pipeline.publish(r.channel, json);
      else pipeline.publishVersioned(versionKey(r.session_id), r.channel, json.slice(0, -1), String(r.version));
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed || results.length !== rows.length) throw failed?.[0] ?? new Error('redis pipeline returned no results');
  }

  async #cleanup(client: { query: Pool['query'] }): Promise<void> {
    const now = Date.now();
    if (now - this.#lastCleanup < 60_000) return;
    this.#lastCleanup = now;
    await client.query(`DELETE FROM event_outbox WHERE published_at < now() - make_interval(secs => $1)`, [this.#o.retainMs / 1000]);
  }
}

function topicOf(channel: string): string {
  return channel.startsWith('character:') ? 'character' : (channel.split(':').at(-1) ?? 'system');
}
