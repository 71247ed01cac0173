import { createHash } from 'node:crypto';
import { characterChannels } from '@distributed-dungeon/contracts';

// A character's event-bus identity: a Redis ACL user that may only SUBSCRIBE to the channels of
// its own session and its private channel. Everything a character writes goes through the API.

export function busUsername(characterId: string): string {
  return `char:${characterId}`;
}

export function hashBusPassword(password: string): string {
  return createHash('sha256').update(password).digest('hex');
}

/**
 * The arguments of `ACL SETUSER` for a character, minimal by construction:
 * - `reset` clears passwords, keys, channels, selectors and commands left from an earlier
 *   registration (e.g. another session); `resetchannels` again because `reset` grants all
 *   channels when `acl-pubsub-default` is `allchannels`.
 * - `on #<sha256>` enables the user with a hashed password: the clear password is never sent
 *   to Redis, nor stored by the registry.
 * - `&<channel>` for each exact channel: no glob, so `session:s1` cannot reach `session:s10`.
 * - no `~key` pattern: no key access at all.
 * - `-@all +subscribe +unsubscribe +ping`: nothing else, so PUBLISH, PSUBSCRIBE, keys, CONFIG,
 *   ACL, ... are refused. AUTH and HELLO are always allowed by Redis.
 */
export function aclSetUserArgs(characterId: string, sessionId: string, passwordHash: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(passwordHash)) throw new Error('password hash must be a hex SHA-256');
  const channels = characterChannels(sessionId, characterId);
  for (const ch of channels) {
    // Glob characters in a channel grant would widen it; ids are validated upstream, this is a guard.
    if (/[*?[\]\\\s]/.test(ch)) throw new Error(`refusing channel grant with glob characters: ${ch}`);
  }
  return [
    busUsername(characterId),
    'reset',
    'resetchannels',
    'on',
    `#${passwordHash}`,
    ...channels.map((ch) => `&${ch}`),
    '-@all',
    '+subscribe',
    '+unsubscribe',
    '+ping',
  ];
}
