import type { Queryable } from '../db/queryable.ts';

export type HumanKind = 'game_master' | 'player';

interface HumanSessionRow {
  kind: HumanKind;
  characterId: string | null;
  csrfToken: string;
  expiresAt: Date;
}

export async function insertSession(q: Queryable, idHash: string, s: HumanSessionRow): Promise<void> {
  await q.query('INSERT INTO human_sessions (id_hash, kind, character_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    idHash,
    s.kind,
    s.characterId,
    s.csrfToken,
    s.expiresAt,
  ]);
}

export async function findSession(q: Queryable, idHash: string): Promise<HumanSessionRow | undefined> {
  const { rows } = await q.query<{ kind: HumanKind; character_id: string | null; csrf_token: string; expires_at: Date }>(
    'SELECT kind, character_id, csrf_token, expires_at FROM human_sessions WHERE id_hash = $1 AND expires_at > now()',
    [idHash],
  );
  const r = rows[0];
  return r ? { kind: r.kind, characterId: r.character_id, csrfToken: r.csrf_token, expiresAt: r.expires_at } : undefined;
}

export async function deleteSession(q: Queryable, idHash: string): Promise<void> {
  await q.query('DELETE FROM human_sessions WHERE id_hash = $1', [idHash]);
}

/** Expired rows are swept when someone signs in, so the tables stay small without a timer. */
export async function deleteExpired(q: Queryable): Promise<void> {
  await q.query('DELETE FROM human_sessions WHERE expires_at <= now()');
  await q.query('DELETE FROM player_links WHERE expires_at <= now()');
}

/** A new link replaces every unused one of the character: only the newest Secret signs in. */
export async function replaceLink(q: Queryable, characterId: string, codeHash: string, expiresAt: Date): Promise<void> {
  await q.query('DELETE FROM player_links WHERE character_id = $1 AND used_at IS NULL', [characterId]);
  await q.query('INSERT INTO player_links (code_hash, character_id, expires_at) VALUES ($1, $2, $3)', [codeHash, characterId, expiresAt]);
}

/** Spends a link: the conditional UPDATE lets exactly one of two racing redemptions win. */
export async function redeemLink(q: Queryable, codeHash: string): Promise<string | undefined> {
  const { rows } = await q.query<{ character_id: string }>(
    'UPDATE player_links SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING character_id',
    [codeHash],
  );
  return rows[0]?.character_id;
}

/** A character may be played while its API key is live: revoking the Character ends its players' sessions. */
export async function characterKeyActive(q: Queryable, characterId: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM api_keys WHERE character_id = $1 AND revoked_at IS NULL', [characterId]);
  return rows.length > 0;
}

export async function registrationOf(q: Queryable, characterId: string): Promise<{ sessionId: string; generation: number } | undefined> {
  const { rows } = await q.query<{ session_id: string; credential_generation: number }>(
    "SELECT session_id, credential_generation FROM characters WHERE character_id = $1 AND status = 'registered' AND session_id IS NOT NULL",
    [characterId],
  );
  return rows[0] ? { sessionId: rows[0].session_id, generation: rows[0].credential_generation } : undefined;
}
