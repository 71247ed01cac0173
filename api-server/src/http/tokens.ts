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
/** How many verified tokens are remembered (a character sends its one token with every request). */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenService {
  readonly #cfg: Config['jwt'];
  readonly #keys: Map<string, KeyObject>;
  /**
   * Tokens whose signature and claims were verified, by their text. The keys are fixed for the
   * service's life, so a token's verdict can only change by expiry, checked again on each use;
   * revocation is the grounds check's, made on every request whatever this says. Verifying was
   * an HMAC and three JSON parses per request.
   */
  readonly #verified = new Map<string, CharacterPrincipal>();
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

  verify(token: string, now = Date.now()): CharacterPrincipal {
    const known = this.#verified.get(token);
    if (known) {
      // As jsonwebtoken judges `exp`: expired from its second on.
      if (now >= known.expiresAt.getTime()) {
        this.#verified.delete(token);
        throw appError('auth.token_expired', `expired at ${known.expiresAt.toISOString()}`);
      }
      return { ...known };
    }
    const principal = this.#verifyFully(token, now);
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(token, principal);
    return { ...principal };
  }

  #verifyFully(token: string, now: number): CharacterPrincipal {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw appError('auth.invalid_token', 'not a JWT');
    const kid = decoded.header.kid;
    const secret = kid ? this.#keys.get(kid) : undefined;
    if (!secret) throw appError('auth.invalid_token', 'unknown signing key');
    let payload: unknown;
    try {
      // Pinning the algorithm refuses `alg: none` and algorithm-confusion tokens.
      payload = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: this.#cfg.issuer, audience: this.#cfg.audience, clockTimestamp: Math.floor(now / 1000) });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw appError('auth.token_expired', `expired at ${err.expiredAt.toISOString()}`);
      throw appError('auth.invalid_token', err instanceof Error ? err.message : 'verification failed');
    }
    const claims = CharacterTokenClaims.safeParse(payload);
    if (!claims.success) throw appError('auth.invalid_token', 'missing or malformed claims');
    return { characterId: claims.data.sub, sessionId: claims.data.sid, generation: claims.data.gen, expiresAt: new Date(claims.data.exp * 1000) };
  }
}
