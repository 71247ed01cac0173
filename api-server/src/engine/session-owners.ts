import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';

// One owner per session: a lease row in PostgreSQL (migrations/*_outbox-owners-snapshots.sql).
// The owner holds the session in memory and runs its turn clocks; other replicas forward to it,
// or take the lease over once it has expired. The fencing token rises each time the lease
// changes hands, and every log entry is written under `fence()`, which holds the lease row
// shared until the entry commits: a replica that lost its lease (paused, partitioned) cannot
// write, however late it wakes up. Expiry is judged by PostgreSQL's clock, shared by all.

export class NotOwnerError extends Error {}

type Ownership = { mine: true; token: number } | { mine: false; ownerUrl: string | null };

interface SessionOwnersOptions {
  db: Pool;
  /** Where other replicas reach this one (its base URL). */
  url: () => string;
  ttlMs: number;
  replicaId?: string;
}

interface Held {
  token: number;
  /** Local monotonic time until which the lease is surely still ours (renewal margin taken off). */
  validUntil: number;
}

export class SessionOwners {
  readonly replicaId: string;
  readonly ttlMs: number;
  readonly #db: Pool;
  readonly #url: () => string;
  readonly #held = new Map<string, Held>();

  constructor(opts: SessionOwnersOptions) {
    this.#db = opts.db;
    this.#url = opts.url;
    this.ttlMs = opts.ttlMs;
    // Unique per process: a restarted replica is a new owner and takes a new token.
    this.replicaId = opts.replicaId ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Whether this replica holds the lease now, as far as it knows without asking. */
  holds(sessionId: string): boolean {
    const h = this.#held.get(sessionId);
    return h !== undefined && h.validUntil > performance.now();
  }

  heldSessions(): string[] {
    return [...this.#held.keys()];
  }

  /**
   * This replica's lease (renewed, or taken when the session has no live owner), or where the
   * live owner is. `changedHands` tells the caller its memory of the session may be stale.
   */
  async claim(sessionId: string): Promise<Ownership & { changedHands?: boolean }> {
    const h = this.#held.get(sessionId);
    if (h && h.validUntil > performance.now()) return { mine: true, token: h.token };
    const sent = performance.now();
    const { rows } = await this.#db.query<{ token: string }>(
      `INSERT INTO session_owners (session_id, owner_id, owner_url, token, expires_at)
       VALUES ($1, $2, $3, 1, now() + make_interval(secs => $4))
       ON CONFLICT (session_id) DO UPDATE
         SET owner_id = EXCLUDED.owner_id, owner_url = EXCLUDED.owner_url, expires_at = EXCLUDED.expires_at, updated_at = now(),
             token = CASE WHEN session_owners.owner_id = EXCLUDED.owner_id THEN session_owners.token ELSE session_owners.token + 1 END
         WHERE session_owners.owner_id = EXCLUDED.owner_id OR session_owners.expires_at < now()
       RETURNING token`,
      [sessionId, this.replicaId, this.#url(), this.ttlMs / 1000],
    );
    const got = rows[0];
    if (got) {
      const token = Number(got.token);
      this.#held.set(sessionId, { token, validUntil: sent + this.#margin() });
      return { mine: true, token, changedHands: h?.token !== token };
    }
    this.#held.delete(sessionId);
    const owner = await this.#db.query<{ owner_url: string }>('SELECT owner_url FROM session_owners WHERE session_id = $1', [sessionId]);
    return { mine: false, ownerUrl: owner.rows[0]?.owner_url ?? null };
  }

  /**
   * Inside the transaction that writes for the session: refuses (NotOwnerError) unless this
   * replica's token is the current one, and keeps the lease from changing hands until commit.
   * `idleTimeout` (e.g. '5s'): the transaction's idle_in_transaction_session_timeout, set in the
   * same statement (set_config local, as SET LOCAL) to spare the writer a round trip.
   */
  async fence(q: Queryable, sessionId: string, opts: { idleTimeout?: string } = {}): Promise<void> {
    const h = this.#held.get(sessionId);
    if (!h) throw new NotOwnerError(`session ${sessionId}: this replica holds no lease`);
    const idle = opts.idleTimeout === undefined ? '' : `, set_config('idle_in_transaction_session_timeout', $4, true)`;
    const { rows } = await q.query(
      `SELECT 1${idle} FROM session_owners WHERE session_id = $1 AND owner_id = $2 AND token = $3 AND expires_at > now() FOR SHARE`,
      [sessionId, this.replicaId, h.token, ...(opts.idleTimeout === undefined ? [] : [opts.idleTimeout])],
    );
    if (rows.length === 0) {
      this.#held.delete(sessionId);
      throw new NotOwnerError(`session ${sessionId}: the lease (token ${h.token}) is no longer this replica's`);
    }
  }

  /** This replica's owner id and token for a session, for a statement that fences itself (see `fence`). */
  fenceArgs(sessionId: string): { ownerId: string; token: number } {
    const h = this.#held.get(sessionId);
    if (!h) throw new NotOwnerError(`session ${sessionId}: this replica holds no lease`);
    return { ownerId: this.replicaId, token: h.token };
  }

  /** A fenced write found the lease gone. */
  lost(sessionId: string, token: number): NotOwnerError {
    this.#held.delete(sessionId);
    return new NotOwnerError(`session ${sessionId}: the lease (token ${token}) is no longer this replica's`);
  }

  /** Extends every lease held; returns the sessions whose lease was lost meanwhile. */
  async renew(): Promise<string[]> {
    const entries = [...this.#held.entries()];
    if (entries.length === 0) return [];
    const sent = performance.now();
    const { rows } = await this.#db.query<{ session_id: string }>(
      `UPDATE session_owners o SET expires_at = now() + make_interval(secs => $2), updated_at = now()
       FROM unnest($3::text[], $4::bigint[]) AS mine(session_id, token)
       WHERE o.session_id = mine.session_id AND o.token = mine.token AND o.owner_id = $1
       RETURNING o.session_id`,
      [this.replicaId, this.ttlMs / 1000, entries.map(([id]) => id), entries.map(([, h]) => h.token)],
    );
    const kept = new Set(rows.map((r) => r.session_id));
    const lost: string[] = [];
    for (const [id, h] of entries) {
      if (kept.has(id)) h.validUntil = sent + this.#margin();
      else {
        this.#held.delete(id);
        lost.push(id);
      }
    }
    return lost;
  }

  /** Open sessions whose owner stopped renewing: candidates to take over. */
  async orphaned(limit = 20): Promise<string[]> {
    const { rows } = await this.#db.query<{ session_id: string }>(
      `SELECT o.session_id FROM session_owners o JOIN sessions s ON s.id = o.session_id
       WHERE o.expires_at < now() AND s.status = 'open' ORDER BY o.expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.session_id);
  }

  /** Gives every lease up (graceful shutdown), so another replica takes over at once. */
  async release(): Promise<void> {
    const ids = [...this.#held.keys()];
    this.#held.clear();
    if (ids.length === 0) return;
    await this.#db.query(`UPDATE session_owners SET expires_at = now() - interval '1 millisecond' WHERE owner_id = $1 AND session_id = ANY($2)`, [this.replicaId, ids]);
  }

  forget(sessionId: string): void {
    this.#held.delete(sessionId);
  }

  /** A lease counts as ours for a third of its life less than it lasts, so renewal has time. */
  #margin(): number {
    return (this.ttlMs * 2) / 3;
  }
}
