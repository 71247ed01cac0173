// InventoryMutationGuard (seed 004): mutation tokens and idempotency, both in PostgreSQL so they
// hold across api-server replicas and restarts. Serialisation itself comes from the row locks
// the service takes in the same transaction.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './db.ts';
import { IdempotencyKeyReusedError, InvalidMutationTokenError } from './errors.ts';

export const DEFAULT_TOKEN_TTL_SECONDS = 10 * 60;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function requestHash(parts: Record<string, unknown>): string {
  const keys = Object.keys(parts).sort();
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, parts[k]])))
    .digest('hex');
}

export async function issueToken(
  db: Queryable,
  containerId: string,
  characterId: string,
  now: Date,
  ttlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await db.query(
    `INSERT INTO container_mutation_tokens (token_hash, container_id, character_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [hashToken(token), containerId, characterId, expiresAt, now],
  );
  return { token, expiresAt };
}

/**
 * Throws unless the token was issued to this character for this container, is open and unexpired.
 * The token's row is share-locked: a transfer checks it before it locks the container (so the
 * container row is held for less), and a close waits for the transfer that checked it to end.
 */
export async function verifyToken(db: Queryable, token: string, containerId: string, characterId: string, now: Date): Promise<void> {
  const { rows } = await db.query<{ ok: boolean }>({
    name: 'containers.verify-token',
    text: `SELECT (closed_at IS NULL AND expires_at > $4) AS ok FROM container_mutation_tokens
            WHERE token_hash = $1 AND container_id = $2 AND character_id = $3 FOR SHARE`,
    values: [hashToken(token), containerId, characterId, now],
  });
  if (!rows[0]) throw new InvalidMutationTokenError('mutation_token was not issued to you for this container');
  if (!rows[0].ok) throw new InvalidMutationTokenError();
}

/** Closes the token; false when there was no open token to close. */
export async function closeToken(db: Queryable, token: string, containerId: string, characterId: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE container_mutation_tokens SET closed_at = $4
      WHERE token_hash = $1 AND container_id = $2 AND character_id = $3 AND closed_at IS NULL`,
    [hashToken(token), containerId, characterId, now],
  );
  return (rowCount ?? 0) > 0;
}

export async function purgeExpiredTokens(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM container_mutation_tokens WHERE expires_at < $1`, [now]);
  return rowCount ?? 0;
}

/** `result` is what the first request stored (stored-result.ts turns it back into its answer). */
type IdempotencyClaim = { kind: 'claimed' } | { kind: 'replay'; result: unknown };

/** A mutation token to check in the claim's own round trip (see claimIdempotencyKey). */
interface TokenCheck {
  token: string;
  containerId: string;
}

/**
 * Claims (character, key) inside the caller's transaction. A concurrent request with the same
 * key blocks on the unique index until the first commits, then gets the stored result; if the
 * first rolls back (it failed), the second proceeds as if it were first.
 *
 * With `check`, the mutation token is verified (and share-locked, as verifyToken does) by the
 * same statement, so a transfer spends one round trip on both before it locks the container. A
 * replay answers what the first request stored whatever the token is now, as without `check`.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  characterId: string,
  key: string,
  operation: string,
  hash: string,
  now: Date,
  check?: TokenCheck,
): Promise<IdempotencyClaim> {
  let claimed: boolean;
  if (check) {
    const { rows } = await db.query<{ claimed: boolean; token_ok: boolean | null }>({
      name: 'containers.claim-key-check-token',
      text: `WITH claim AS (
               INSERT INTO container_mutations (character_id, idempotency_key, operation, request_hash, result, created_at)
               VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (character_id, idempotency_key) DO NOTHING RETURNING 1),
             tok AS (
               SELECT (closed_at IS NULL AND expires_at > $5) AS ok FROM container_mutation_tokens
                WHERE token_hash = $6 AND container_id = $7 AND character_id = $1 FOR SHARE)
             SELECT EXISTS (SELECT 1 FROM claim) AS claimed, (SELECT ok FROM tok) AS token_ok`,
      values: [characterId, key, operation, hash, now, hashToken(check.token), check.containerId],
    });
    const r = rows[0]!;
    claimed = r.claimed;
    if (claimed && r.token_ok === null) throw new InvalidMutationTokenError('mutation_token was not issued to you for this container');
    if (claimed && !r.token_ok) throw new InvalidMutationTokenError();
  } else {
    const inserted = await db.query({
      name: 'containers.claim-key',
      text: `INSERT INTO container_mutations (character_id, idempotency_key, operation, request_hash, result, created_at)
       VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (character_id, idempotency_key) DO NOTHING`,
      values: [characterId, key, operation, hash, now],
    });
    claimed = (inserted.rowCount ?? 0) > 0;
  }
  if (claimed) return { kind: 'claimed' };
  const { rows } = await db.query<{ operation: string; request_hash: string; result: string | null }>(
    `SELECT operation, request_hash, result FROM container_mutations WHERE character_id = $1 AND idempotency_key = $2`,
    [characterId, key],
  );
  const row = rows[0];
  if (!row || row.operation !== operation || row.request_hash !== hash) throw new IdempotencyKeyReusedError();
  return { kind: 'replay', result: row.result === null ? null : (JSON.parse(row.result) as unknown) };
}

/** Who holds an open, unexpired token on the container (the game master's inspection). */
export async function openTokenHolders(db: Queryable, containerId: string, now: Date): Promise<{ characterId: string; expiresAt: Date }[]> {
  const { rows } = await db.query<{ character_id: string; expires_at: Date }>(
    `SELECT character_id, expires_at FROM container_mutation_tokens
      WHERE container_id = $1 AND closed_at IS NULL AND expires_at > $2 ORDER BY expires_at`,
    [containerId, now],
  );
  return rows.map((r) => ({ characterId: r.character_id, expiresAt: r.expires_at }));
}
