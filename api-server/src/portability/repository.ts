import type { Queryable } from '../db/queryable.ts';
import type { CharacterArchive as Archive } from '@distributed-dungeon/contracts';

// The portability tables (migration 1795290000000_portability): trusted issuers, the characters
// that left, the archives taken in. This file is their one owner.

export interface TrustedIssuer {
  fingerprint: string;
  name: string;
  publicKey: string;
}

export async function trustIssuer(db: Queryable, i: TrustedIssuer): Promise<void> {
  await db.query(
    `INSERT INTO trusted_issuers (fingerprint, name, public_key) VALUES ($1, $2, $3)
     ON CONFLICT (fingerprint) DO UPDATE SET name = EXCLUDED.name`,
    [i.fingerprint, i.name, i.publicKey],
  );
}

export async function distrustIssuer(db: Queryable, fingerprint: string): Promise<boolean> {
  return ((await db.query('DELETE FROM trusted_issuers WHERE fingerprint = $1', [fingerprint])).rowCount ?? 0) > 0;
}

export async function trustedIssuer(db: Queryable, fingerprint: string): Promise<TrustedIssuer | undefined> {
  const { rows } = await db.query<{ fingerprint: string; name: string; public_key: string }>(
    'SELECT fingerprint, name, public_key FROM trusted_issuers WHERE fingerprint = $1',
    [fingerprint],
  );
  return rows[0] ? { fingerprint: rows[0].fingerprint, name: rows[0].name, publicKey: rows[0].public_key } : undefined;
}

export async function listTrustedIssuers(db: Queryable): Promise<TrustedIssuer[]> {
  const { rows } = await db.query<{ fingerprint: string; name: string; public_key: string }>('SELECT fingerprint, name, public_key FROM trusted_issuers ORDER BY name');
  return rows.map((r) => ({ fingerprint: r.fingerprint, name: r.name, publicKey: r.public_key }));
}

/** Records the departure with its archive; false when the character had already left. */
export async function recordExport(db: Queryable, exportId: string, characterId: string, archive: Archive): Promise<boolean> {
  const res = await db.query('INSERT INTO character_exports (export_id, character_id, archive) VALUES ($1, $2, $3) ON CONFLICT (character_id) DO NOTHING', [
    exportId,
    characterId,
    JSON.stringify(archive),
  ]);
  return (res.rowCount ?? 0) > 0;
}

export async function exportOf(db: Queryable, characterId: string): Promise<{ exportId: string; exportedAt: Date; archive: Archive } | undefined> {
  const { rows } = await db.query<{ export_id: string; exported_at: Date; archive: Archive }>(
    'SELECT export_id, exported_at, archive FROM character_exports WHERE character_id = $1',
    [characterId],
  );
  return rows[0] ? { exportId: rows[0].export_id, exportedAt: rows[0].exported_at, archive: rows[0].archive } : undefined;
}

/** Records an archive as taken in; false when it already was. */
export async function recordImport(db: Queryable, exportId: string, issuerFingerprint: string, characterId: string): Promise<boolean> {
  const res = await db.query(
    'INSERT INTO character_imports (export_id, issuer_fingerprint, character_id) VALUES ($1, $2, $3) ON CONFLICT (export_id) DO NOTHING',
    [exportId, issuerFingerprint, characterId],
  );
  return (res.rowCount ?? 0) > 0;
}
