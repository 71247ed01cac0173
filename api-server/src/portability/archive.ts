import { createHash } from 'node:crypto';
import { ArchivePayload } from '@distributed-dungeon/contracts';

// Encoding the archive's payload (base64url of its JSON, so the bytes signed are the bytes
// carried, with no canonical-JSON step to get wrong) and naming issuer keys.

/** Room for a JSON state and a SQLite copy of a few MB. */
export const ARCHIVE_BODY_LIMIT = '8mb';

export function encodePayload(p: ArchivePayload): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

/** The payload inside an archive, or why it is not one. */
export function decodePayload(encoded: string): { ok: true; payload: ArchivePayload } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'payload is not base64url JSON' };
  }
  const parsed = ArchivePayload.safeParse(json);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `payload.${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, payload: parsed.data };
}

/** A short, stable name for a public key: the first 32 hex digits of its SHA-256. */
export function fingerprint(publicKeyPem: string): string {
  return createHash('sha256').update(publicKeyPem.trim()).digest('hex').slice(0, 32);
}
