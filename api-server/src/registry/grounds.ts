import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Queryable } from '../db/queryable.ts';
import { appError, type AppError } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';

// A character token is signed for a registration, not for a character: it holds only while the
// key it came from is unrevoked, the character is still registered, in the token's session, and
// no later registration has started a new credential generation. Every authenticated request and
// every open WebSocket is judged against these grounds, so revoking, deregistering, expiring or
// moving a character ends what its old tokens can do at once, on every replica.

export interface Grounds {
  status: 'registered' | 'deregistered';
  sessionId: string | null;
  generation: number;
  keyRevoked: boolean;
  /** Why the character stopped being registered, when it did. */
  leftReason: string | null;
  /** What the registration may do (read with the grounds, so an action needs no second look-up). */
  capabilities: readonly string[];
}

/** The refusal for a token whose grounds are gone, or undefined while they hold. Pure. */
export function judgeGrounds(p: Pick<CharacterPrincipal, 'characterId' | 'sessionId' | 'generation'>, g: Grounds | undefined): AppError | undefined {
  if (!g) return appError('auth.not_registered', `${p.characterId} is not registered`);
  if (g.keyRevoked) return appError('registry.key_revoked', `the key of ${p.characterId} was revoked`);
  if (g.status !== 'registered') return appError('auth.not_registered', `${p.characterId} is not registered (${g.leftReason ?? 'deregistered'}); register again`);
  if (g.generation !== p.generation || g.sessionId !== p.sessionId) {
    return appError('auth.token_superseded', `the token was issued for an earlier registration of ${p.characterId}; use the token of its latest registration`);
  }
  return undefined;
}

/** A grounds row's columns, over `characters c LEFT JOIN api_keys k ON k.character_id = c.character_id`. */
export const GROUNDS_COLUMNS = `c.character_id, c.status, c.session_id, c.credential_generation, c.left_reason, c.capabilities,
            (k.character_id IS NULL OR k.revoked_at IS NOT NULL) AS key_revoked`;

export interface GroundsRow {
  character_id: string;
  status: Grounds['status'];
  session_id: string | null;
  credential_generation: number;
  key_revoked: boolean;
  left_reason: string | null;
  capabilities: string[];
}

/** The grounds of each of `characterIds` that the registry knows, in one query. */
export async function loadGrounds(q: Queryable, characterIds: string[]): Promise<Map<string, Grounds>> {
  const res = await q.query<GroundsRow>(
    `SELECT ${GROUNDS_COLUMNS}
       FROM characters c
       LEFT JOIN api_keys k ON k.character_id = c.character_id
      WHERE c.character_id = ANY($1::text[])`,
    [characterIds],
  );
  return new Map(res.rows.map((r) => [r.character_id, groundsOf(r)]));
}

export function groundsOf(r: GroundsRow): Grounds {
  return { status: r.status, sessionId: r.session_id, generation: r.credential_generation, keyRevoked: r.key_revoked, leftReason: r.left_reason, capabilities: r.capabilities };
}

/** Throws the refusal when the token's grounds are gone; else returns them. */
export async function assertGrounds(q: Queryable, p: CharacterPrincipal): Promise<Grounds> {
  const g = (await loadGrounds(q, [p.characterId])).get(p.characterId);
  const refusal = judgeGrounds(p, g);
  if (refusal) throw refusal;
  return g!;
}

/**
 * Redis channel on which a replica says "the grounds of this character changed" (payload: the
 * character id), so every replica's WebSocket gateway re-judges that character's sockets now
 * rather than at its next sweep. Character ACL users cannot subscribe to it.
 */
export const GROUNDS_CHANNEL = 'dungeon:internal:grounds';

/** Best effort: a lost notice is caught by the gateway's periodic sweep. */
export async function announceGroundsChanged(redis: Redis, logger: Logger, characterId: string): Promise<void> {
  try {
    await redis.publish(GROUNDS_CHANNEL, characterId);
  } catch (err) {
    logger.warn({ err, characterId }, 'could not announce a change of credential grounds; gateways find it at their next sweep');
  }
}
