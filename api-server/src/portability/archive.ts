import { createHash } from 'node:crypto';
import { ARCHIVE_FORMAT_V1, ArchivePayload, ArchivePayloadV1 } from '@distributed-dungeon/contracts';

// Encoding the archive's payload (base64url of its JSON, so the bytes signed are the bytes
// carried, with no canonical-JSON step to get wrong) and naming issuer keys.

/** Room for a JSON state and a SQLite copy of a few MB. */
export const ARCHIVE_BODY_LIMIT = '8mb';

export function encodePayload(p: ArchivePayload): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

/**
 * The payload inside an archive of a format this platform reads (the caller checked the name),
 * or why it is not one. A first-format payload carried no equipment: it had none to carry, as
 * its exports refused a character that wore anything.
 */
export function decodePayload(format: string, encoded: string): { ok: true; payload: ArchivePayload } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'payload is not base64url JSON' };
  }
  const parsed = format === ARCHIVE_FORMAT_V1 ? ArchivePayloadV1.safeParse(json) : ArchivePayload.safeParse(json);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `${['payload', ...i.path].join('.')}: ${i.message}`).join('; ') };
  return { ok: true, payload: { equipment: [], containers: [], ...parsed.data } };
}

/** A short, stable name for a public key: the first 32 hex digits of its SHA-256. */
export function fingerprint(publicKeyPem: string): string {
  return createHash('sha256').update(publicKeyPem.trim()).digest('hex').slice(0, 32);
}
