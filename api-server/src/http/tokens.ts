import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { CharacterTokenClaims } from '@distributed-dungeon/contracts';
import type { Config } from '../config/config.ts';
import { appError } from './errors.ts';

export interface CharacterPrincipal {
  characterId: string;
  sessionId: string;
  /** The credential generation the token was issued for; see registry/grounds.ts. */
  generation: number;
  expiresAt: Date;
}

/**
 * Character tokens: HS256 JWTs with issuer, audience, expiry and a `kid` header naming the key,
 * so keys can rotate (sign with the active key, verify with any configured one). A valid signature
 * is not enough on its own: the authenticators also check the token's grounds (registry/grounds.ts).
 */
export class TokenService {
  readonly #cfg: Config['jwt'];
  readonly #keys: Map<string, KeyObject>;
  constructor(cfg: Config['jwt']) {
    this.#cfg = cfg;
    // Key objects made once: given a string, jsonwebtoken first tries it as a PEM public key
    // (and throws) on every verify before taking it as a secret.
    this.#keys = new Map(cfg.keys.map((k) => [k.kid, createSecretKey(Buffer.from(k.secret))]));
  }

  sign(characterId: string, sessionId: string, generation: number, now = Date.now()): { token: string; expiresAt: Date } {
    const iat = Math.floor(now / 1000);
    const exp = iat + this.#cfg.ttlSeconds;
    const token = jwt.sign({ sub: characterId, sid: sessionId, gen: generation, iat, exp, jti: randomUUID() }, this.#keys.get(this.#cfg.activeKid)!, {
      algorithm: 'HS256',
      keyid: this.#cfg.activeKid,
      issuer: this.#cfg.issuer,
      audience: this.#cfg.audience,
    });
    return { token, expiresAt: new Date(exp * 1000) };
  }

  verify(token: string): CharacterPrincipal {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw appError('auth.invalid_token', 'not a JWT');
    const kid = decoded.header.kid;
    const secret = kid ? this.#keys.get(kid) : undefined;
    if (!secret) throw appError('auth.invalid_token', 'unknown signing key');
    let payload: unknown;
    try {
      // Pinning the algorithm refuses `alg: none` and algorithm-confusion tokens.
      payload = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: this.#cfg.issuer, audience: this.#cfg.audience });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw appError('auth.token_expired', `expired at ${err.expiredAt.toISOString()}`);
      throw appError('auth.invalid_token', err instanceof Error ? err.message : 'verification failed');
    }
    const claims = CharacterTokenClaims.safeParse(payload);
    if (!claims.success) throw appError('auth.invalid_token', 'missing or malformed claims');
    return { characterId: claims.data.sub, sessionId: claims.data.sid, generation: claims.data.gen, expiresAt: new Date(claims.data.exp * 1000) };
  }
}
