import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { appError } from '../http/errors.ts';
import * as repo from './repository.ts';

export interface HumanPrincipal {
  kind: repo.HumanKind;
  /** The one character a player may see and play; null for a game master. */
  characterId: string | null;
  csrfToken: string;
  expiresAt: Date;
}

export interface HumanAuthOptions {
  /** How long a cookie session lasts (short: a stolen cookie is worth little for long). */
  sessionTtlSeconds: number;
  /** How long an unused sign-in link stays valid. */
  linkTtlSeconds: number;
}

export const DEFAULT_HUMAN_AUTH: HumanAuthOptions = { sessionTtlSeconds: 2 * 3600, linkTtlSeconds: 30 * 86_400 };

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const linkInvalid = () =>
  appError('humans.link_invalid', 'it was used already, replaced by a newer one, or revoked; read the Secret again');

/** Game-master and player cookie sessions; only hashes of the secrets are stored. */
export class HumanAuth {
  readonly #ctx: AppContext;
  readonly #opts: HumanAuthOptions;
  constructor(ctx: AppContext, opts: HumanAuthOptions = DEFAULT_HUMAN_AUTH) {
    this.#ctx = ctx;
    this.#opts = opts;
  }

  get sessionTtlSeconds(): number {
    return this.#opts.sessionTtlSeconds;
  }

  async signInGameMaster(adminToken: string): Promise<{ sessionSecret: string; principal: HumanPrincipal }> {
    if (!sameSecret(adminToken, this.#ctx.config.adminToken)) throw appError('auth.invalid_admin_token');
    return this.#open('game_master', null);
  }

  /** For the operator (admin API): a fresh one-time link for a Character whose key it minted. */
  async mintPlayerLink(characterId: string): Promise<{ code: string; expiresAt: Date }> {
    if (!(await repo.characterKeyActive(this.#ctx.db, characterId))) throw appError('registry.key_not_found', `no live API key for ${characterId}; mint one first`);
    const code = secret();
    const expiresAt = new Date(Date.now() + this.#opts.linkTtlSeconds * 1000);
    await repo.replaceLink(this.#ctx.db, characterId, hash(code), expiresAt);
    return { code, expiresAt };
  }

  async redeemPlayerLink(code: string): Promise<{ sessionSecret: string; principal: HumanPrincipal }> {
    const characterId = await repo.redeemLink(this.#ctx.db, hash(code));
    if (!characterId || !(await repo.characterKeyActive(this.#ctx.db, characterId))) throw linkInvalid();
    return this.#open('player', characterId);
  }

  /** The human behind a session cookie, or undefined when it is unknown, expired or revoked. */
  async resolve(sessionSecret: string): Promise<HumanPrincipal | undefined> {
    const row = await repo.findSession(this.#ctx.db, hash(sessionSecret));
    if (!row) return undefined;
    if (row.kind === 'player' && !(await repo.characterKeyActive(this.#ctx.db, row.characterId!))) return undefined;
    return row;
  }

  async signOut(sessionSecret: string): Promise<void> {
    await repo.deleteSession(this.#ctx.db, hash(sessionSecret));
  }

  csrfMatches(principal: HumanPrincipal, header: string | undefined): boolean {
    return typeof header === 'string' && header.length > 0 && sameSecret(header, principal.csrfToken);
  }

  /**
   * The bearer credential the existing routes understand, for this human: the admin token for a
   * game master, a fresh character token for a player whose character is registered in a session.
   */
  async bearerFor(principal: HumanPrincipal): Promise<string | undefined> {
    if (principal.kind === 'game_master') return this.#ctx.config.adminToken;
    const reg = await repo.registrationOf(this.#ctx.db, principal.characterId!);
    return reg ? this.#ctx.tokens.sign(principal.characterId!, reg.sessionId, reg.generation).token : undefined;
  }

  async #open(kind: repo.HumanKind, characterId: string | null): Promise<{ sessionSecret: string; principal: HumanPrincipal }> {
    await repo.deleteExpired(this.#ctx.db);
    const sessionSecret = secret();
    const principal: HumanPrincipal = { kind, characterId, csrfToken: secret(), expiresAt: new Date(Date.now() + this.#opts.sessionTtlSeconds * 1000) };
    await repo.insertSession(this.#ctx.db, hash(sessionSecret), principal);
    return { sessionSecret, principal };
  }
}
