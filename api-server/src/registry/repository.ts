import type { CharacterRecord, KeySpec } from '@distributed-dungeon/contracts';
import type { Queryable } from '../db/queryable.ts';

/**
 * Mints (or replaces) the key of `characterId`. Undefined, and nothing changed, when a live key of
 * that id belongs to another owner UID: that key is never taken over.
 */
export async function upsertApiKey(q: Queryable, characterId: string, keyHash: string, spec: KeySpec, ownerUid?: string): Promise<Date | undefined> {
  const res = await q.query<{ created_at: Date }>(
    `INSERT INTO api_keys (character_id, key_hash, spec, owner_uid) VALUES ($1, $2, $3, $4)
     ON CONFLICT (character_id) DO UPDATE SET key_hash = EXCLUDED.key_hash, spec = EXCLUDED.spec, owner_uid = EXCLUDED.owner_uid, created_at = now(), revoked_at = NULL
       WHERE api_keys.revoked_at IS NOT NULL OR api_keys.owner_uid IS NULL OR api_keys.owner_uid = EXCLUDED.owner_uid
     RETURNING created_at`,
    [characterId, keyHash, spec, ownerUid ?? null],
  );
  return res.rows[0]?.created_at;
}

/** Replaces the spec recorded with a live key; false when the character has no unrevoked key. */
export async function updateKeySpec(q: Queryable, characterId: string, spec: KeySpec): Promise<boolean> {
  const res = await q.query('UPDATE api_keys SET spec = $2 WHERE character_id = $1 AND revoked_at IS NULL', [characterId, spec]);
  return res.rowCount === 1;
}

/**
 * Marks the key revoked; false when the character has no key, or (with `ownerUid`) when its key
 * belongs to another owner UID.
 */
export async function revokeApiKey(q: Queryable, characterId: string, ownerUid?: string): Promise<boolean> {
  const res = await q.query(
    'UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE character_id = $1 AND ($2::text IS NULL OR owner_uid IS NULL OR owner_uid = $2)',
    [characterId, ownerUid ?? null],
  );
  return res.rowCount === 1;
}

/** The owner UID recorded with the key of `characterId` (null: none recorded), undefined: no key. */
export async function apiKeyOwner(q: Queryable, characterId: string): Promise<string | null | undefined> {
  const res = await q.query<{ owner_uid: string | null }>('SELECT owner_uid FROM api_keys WHERE character_id = $1', [characterId]);
  return res.rows[0] ? res.rows[0].owner_uid : undefined;
}

export interface ApiKeyRecord {
  characterId: string;
  revoked: boolean;
  /** Null for keys minted before specs were recorded. */
  spec: KeySpec | null;
}

/** The key with this hash; `lock` holds its row so a revocation waits for the registration using it. */
export async function findApiKey(q: Queryable, keyHash: string, opts: { lock?: boolean } = {}): Promise<ApiKeyRecord | undefined> {
  const res = await q.query<{ character_id: string; revoked_at: Date | null; spec: KeySpec | null }>(
    `SELECT character_id, revoked_at, spec FROM api_keys WHERE key_hash = $1${opts.lock ? ' FOR SHARE' : ''}`,
    [keyHash],
  );
  const row = res.rows[0];
  return row ? { characterId: row.character_id, revoked: row.revoked_at !== null, spec: row.spec } : undefined;
}

interface CharacterRow {
  character_id: string;
  name: string;
  class: CharacterRecord['class'];
  level: number;
  container_endpoint: string;
  capabilities: CharacterRecord['capabilities'];
  version: string;
  session_id: string | null;
  status: CharacterRecord['status'];
  registered_at: Date;
  last_heartbeat_at: Date | null;
}

function toRecord(r: CharacterRow): CharacterRecord {
  return {
    characterId: r.character_id,
    name: r.name,
    class: r.class,
    level: r.level,
    containerEndpoint: r.container_endpoint,
    capabilities: r.capabilities,
    version: r.version,
    sessionId: r.session_id,
    status: r.status,
    registeredAt: r.registered_at.toISOString(),
    lastHeartbeatAt: r.last_heartbeat_at?.toISOString() ?? null,
  };
}

const COLUMNS = 'character_id, name, class, level, container_endpoint, capabilities, version, session_id, status, registered_at, last_heartbeat_at';

export async function getCharacter(q: Queryable, characterId: string, opts: { forUpdate?: boolean } = {}): Promise<CharacterRecord | undefined> {
  const res = await q.query<CharacterRow>(`SELECT ${COLUMNS} FROM characters WHERE character_id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [characterId]);
  return res.rows[0] ? toRecord(res.rows[0]) : undefined;
}

export async function listCharacters(q: Queryable, filter: { sessionId?: string; status?: CharacterRecord['status'] }): Promise<CharacterRecord[]> {
  const res = await q.query<CharacterRow>(
    `SELECT ${COLUMNS} FROM characters
      WHERE ($1::text IS NULL OR session_id = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY character_id`,
    [filter.sessionId ?? null, filter.status ?? null],
  );
  return res.rows.map(toRecord);
}

export async function touchHeartbeat(q: Queryable, characterId: string): Promise<{ sessionId: string | null; at: Date } | undefined> {
  const res = await q.query<{ session_id: string | null; last_heartbeat_at: Date }>(
    "UPDATE characters SET last_heartbeat_at = now() WHERE character_id = $1 AND status = 'registered' RETURNING session_id, last_heartbeat_at",
    [characterId],
  );
  const row = res.rows[0];
  return row ? { sessionId: row.session_id, at: row.last_heartbeat_at } : undefined;
}

type LeftReason = 'deregistered' | 'revoked' | 'heartbeat-expired';

/**
 * Ends the character's registration and its credential generation. Returns the session it left
 * when it was registered, null when it was not: only the caller that flips the status tells the
 * session, so a deregistration racing an expiry announces one departure.
 */
export async function markDeregistered(q: Queryable, characterId: string, reason: LeftReason): Promise<{ sessionId: string | null } | null> {
  const res = await q.query<{ session_id: string | null; was: string }>(
    `WITH before AS (SELECT character_id, status FROM characters WHERE character_id = $1 FOR UPDATE)
     UPDATE characters c SET status = 'deregistered', bus_password_hash = NULL, updated_at = now(),
            credential_generation = c.credential_generation + 1,
            left_reason = CASE WHEN before.status = 'registered' THEN $2 ELSE c.left_reason END
       FROM before WHERE c.character_id = before.character_id
     RETURNING CASE WHEN before.status = 'registered' THEN c.session_id END AS session_id, before.status AS was`,
    [characterId, reason],
  );
  const row = res.rows[0];
  return row && row.was === 'registered' ? { sessionId: row.session_id } : null;
}

/**
 * Deregisters up to `limit` registered characters whose last heartbeat is older than
 * `timeoutMs`, returning them. Rows another replica is expiring are skipped, not waited for.
 */
export async function expireSilent(q: Queryable, timeoutMs: number, limit = 100): Promise<{ characterId: string; sessionId: string | null }[]> {
  const res = await q.query<{ character_id: string; session_id: string | null }>(
    `UPDATE characters c SET status = 'deregistered', bus_password_hash = NULL, updated_at = now(),
            credential_generation = c.credential_generation + 1, left_reason = 'heartbeat-expired'
      WHERE c.character_id IN (
              SELECT character_id FROM characters
               WHERE status = 'registered' AND coalesce(last_heartbeat_at, registered_at) < now() - make_interval(secs => $1::double precision / 1000)
               ORDER BY last_heartbeat_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING c.character_id, c.session_id`,
    [timeoutMs, limit],
  );
  return res.rows.map((r) => ({ characterId: r.character_id, sessionId: r.session_id }));
}

/** Registered characters with their bus password hashes, to recreate ACL users after a Redis restart. */
export async function listBusUsers(q: Queryable): Promise<{ characterId: string; sessionId: string; passwordHash: string }[]> {
  const res = await q.query<{ character_id: string; session_id: string; bus_password_hash: string }>(
    "SELECT character_id, session_id, bus_password_hash FROM characters WHERE status = 'registered' AND session_id IS NOT NULL AND bus_password_hash IS NOT NULL",
  );
  return res.rows.map((r) => ({ characterId: r.character_id, sessionId: r.session_id, passwordHash: r.bus_password_hash }));
}
