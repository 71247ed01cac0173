import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'ddk_';

/** A new API key: 32 random bytes; only its hash is stored. */
export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 suffices for keys with 256 bits of entropy: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(PREFIX) && value.length >= PREFIX.length + 40 && value.length <= 128;
}
