import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { aclSetUserArgs, busUsername, hashBusPassword } from './acl.ts';

interface BusCredentials {
  username: string;
  password: string;
  passwordHash: string;
}

/** Manages the per-character Redis ACL users. */
export class BusUsers {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /** Creates (or replaces) the user with a fresh password; the password is returned once. */
  async create(characterId: string, sessionId: string): Promise<BusCredentials> {
    const password = randomBytes(24).toString('base64url');
    const passwordHash = hashBusPassword(password);
    await this.apply(characterId, sessionId, passwordHash);
    return { username: busUsername(characterId), password, passwordHash };
  }

  /** (Re)applies a user from its stored hash, e.g. after Redis restarted and lost its ACLs. */
  async apply(characterId: string, sessionId: string, passwordHash: string): Promise<void> {
    await this.#redis.call('ACL', 'SETUSER', ...aclSetUserArgs(characterId, sessionId, passwordHash));
  }

  /** Deletes the user; Redis closes its open connections. */
  async remove(characterId: string): Promise<void> {
    await this.#redis.call('ACL', 'DELUSER', busUsername(characterId));
  }
}
