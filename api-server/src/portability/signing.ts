import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { Queryable } from '../db/queryable.ts';

export interface PlatformKey {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * This platform's Ed25519 signing key. Made at run time on first use and kept in PostgreSQL, so
 * every replica and every restart signs with the same key; two replicas racing to make it keep
 * whichever was inserted first.
 */
export async function platformKey(db: Queryable): Promise<PlatformKey> {
  const found = await db.query<{ private_key: string; public_key: string }>('SELECT private_key, public_key FROM platform_signing_key WHERE id = 1');
  if (found.rows[0]) return { privateKeyPem: found.rows[0].private_key, publicKeyPem: found.rows[0].public_key };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await db.query('INSERT INTO platform_signing_key (id, private_key, public_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  ]);
  return platformKey(db);
}

export function signPayload(key: PlatformKey, payload: string): string {
  return sign(null, Buffer.from(payload), createPrivateKey(key.privateKeyPem)).toString('base64url');
}

/** False for a wrong signature, and for a key or signature that cannot even be read. */
export function verifyPayload(publicKeyPem: string, payload: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(payload), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64url'));
  } catch {
    // An unreadable key or signature is as good as a wrong one: the archive is refused.
    return false;
  }
}

/** Whether `pem` is an Ed25519 public key this platform can verify with. */
export function isEd25519PublicKey(pem: string): boolean {
  try {
    return createPublicKey(pem).asymmetricKeyType === 'ed25519';
  } catch {
    // Not a key at all.
    return false;
  }
}
