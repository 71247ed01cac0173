import type { EventEnvelope } from '@distributed-dungeon/contracts';
import type { Pool } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { addressed, type EventPublisher, type EventSink, type GameEvent } from './publisher.ts';
import type { OutboxRelay } from './publisher-relay.ts';

// Applied if and only if reported: an event is a row of `event_outbox`, written in the
// transaction of the change it reports, and published later by the relay. A rolled-back
// change leaves no row; a committed one is published even if Redis was away at the time.

export interface Staged {
  envelopes: EventEnvelope[];
  /** The highest outbox id written (null when there was nothing to write). */
  lastId: number | null;
}

/** The outbox rows of some events, as the five arrays `unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::int[])` takes. */
export function outboxColumns(sessionId: string, events: readonly GameEvent[]): { columns: unknown[][]; envelopes: EventEnvelope[] } {
  const rows = events.map((e) => addressed(sessionId, e));
  return {
    columns: [rows.map((r) => r.envelope.id), rows.map(() => sessionId), rows.map((r) => r.channel), rows.map((r) => JSON.stringify(r.envelope)), rows.map((r) => r.version ?? null)],
    envelopes: rows.map((r) => (r.version === undefined ? r.envelope : { ...r.envelope, version: r.version })),
  };
}

const OUTBOX_INSERT = `INSERT INTO event_outbox (event_id, session_id, channel, envelope, version)`;

/** Writes events into the outbox as part of the caller's transaction (one statement for all). */
async function stageEvents(q: Queryable, sessionId: string, events: readonly GameEvent[]): Promise<Staged> {
  if (events.length === 0) return { envelopes: [], lastId: null };
  const { columns, envelopes } = outboxColumns(sessionId, events);
  const res = await q.query<{ id: string }>(`${OUTBOX_INSERT} SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::int[]) RETURNING id`, columns);
  const lastId = Math.max(...res.rows.map((r) => Number(r.id)));
  return { envelopes, lastId };
}

/** The event bus as the api-server uses it: every event through the outbox. */
export interface EventBus extends EventSink {
  /** Writes events inside the caller's transaction; call `flush` once it committed. */
  stage(q: Queryable, sessionId: string, events: readonly GameEvent[]): Promise<Staged>;
  /**
   * After the commit: has the relay publish now and waits (briefly, not while Redis is away)
   * until it did; with `wait: false` only the first.
   */
  flush(lastId: number | null, opts?: { wait?: boolean }): Promise<void>;
  /**
   * `flush` for events of `sessionId` someone else staged and committed (the engine's join, in
   * its own transaction): waits until that session's rows still pending now were published, not
   * every session's (those written after the caller's would keep it chasing the relay).
   */
  flushWritten(sessionId: string): Promise<void>;
  /** The newest engine version published for a session (0 when none was yet). */
  currentVersion(sessionId: string): Promise<number>;
}

export class OutboxEventBus implements EventBus {
  readonly #db: Pool;
  readonly #relay: OutboxRelay;
  readonly #direct: EventPublisher;
  readonly #waitMs: number;

  constructor(opts: { db: Pool; relay: OutboxRelay; direct: EventPublisher; waitMs?: number }) {
    this.#db = opts.db;
    this.#relay = opts.relay;
    this.#direct = opts.direct;
    this.#waitMs = opts.waitMs ?? 2000;
  }

  /** One event on its own (a notice of the registry): its own statement. */
  async publish(sessionId: string, event: GameEvent): Promise<EventEnvelope> {
    return (await this.publishMany(sessionId, [event]))[0]!;
  }

  /** Several at once (a room's copies of one event): one insert, one wait for the relay. */
  async publishMany(sessionId: string, events: readonly GameEvent[]): Promise<EventEnvelope[]> {
    const staged = await stageEvents(this.#db, sessionId, events);
    await this.flush(staged.lastId);
    return staged.envelopes;
  }

  stage(q: Queryable, sessionId: string, events: readonly GameEvent[]): Promise<Staged> {
    return stageEvents(q, sessionId, events);
  }

  async flush(lastId: number | null, opts: { wait?: boolean } = {}): Promise<void> {
    if (lastId === null) return;
    if (opts.wait === false) {
      this.#relay.kick();
      return;
    }
    // Waiting keeps "answered after it was published" while Redis is up; the row is safe either way.
    await this.#relay.delivered(lastId, this.#waitMs);
  }

  async flushWritten(sessionId: string): Promise<void> {
    // Only pending rows are looked at (the partial index of the relay's own query): the caller's
    // rows, committed before this, are among them unless already published. The relay publishes
    // in id order, so the session's newest pending row covers all of the caller's.
    const { rows } = await this.#db.query<{ id: string | null }>({
      name: 'outbox.session-pending',
      text: `SELECT max(id) AS id FROM event_outbox WHERE published_at IS NULL AND session_id = $1`,
      values: [sessionId],
    });
    await this.flush(rows[0]?.id == null ? null : Number(rows[0].id));
  }

  currentVersion(sessionId: string): Promise<number> {
    return this.#direct.currentVersion(sessionId);
  }
}
