import { createHash } from 'node:crypto';

// Character ids are registry names ("thorin-ironbeard"), but the seed's `containers` table keeps
// owner_id/entity_id as UUID. A name-based UUID (RFC 9562 v5) maps one onto the other, stable
// across replicas and restarts; an id that already is a UUID is used as it is.
const NAMESPACE = 'b7e3c0de-5a1d-4c2e-9f00-d15d7d0a6e01';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

function uuidV5(name: string, namespace: string = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The UUID a character is known by in `containers.owner_id` / `entity_id`. */
export function characterUuid(characterId: string): string {
  return isUuid(characterId) ? characterId.toLowerCase() : uuidV5(`character:${characterId}`);
}
