import {
  characterChannels,
  type CharacterRecord,
  type HeartbeatResponse,
  type KeyOwner,
  type KeySpec,
  type MintKeyResponse,
  type RegistrationRequest,
  type RegistrationResponse,
  type TokenRefreshResponse,
} from '@distributed-dungeon/contracts';
import type { AppContext } from '../context.ts';
import type { JoinResult } from '../engine/game-engine.ts';
import { randomBytes } from 'node:crypto';
import { type TransactionEnd, withTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { busUsername, hashBusPassword } from '../events/acl.ts';
import { appError } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';
import { decideSession } from '../sessions/assignment.ts';
import * as sessionsRepo from '../sessions/repository.ts';
import { createSessionRow } from '../sessions/service.ts';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-keys.ts';
import { announceGroundsChanged } from './grounds.ts';
import * as repo from './repository.ts';
import { busUserState, claimSeat, seatCandidates } from './seats.ts';
import { specMismatches } from './spec-match.ts';
import { assertAbilities } from './abilities-check.ts';

/** Looks for a seat at most this often (each loss is to a registration that took one). */
const SEAT_ATTEMPTS = 20;

interface Seated {
  sessionId: string;
  generation: number;
  created?: sessionsRepo.NewSession;
  previousSession: string | null;
}

/** The registry's use cases: the only credential authority of the platform. */
export class RegistryService {
  readonly #ctx: AppContext;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async mintKey(characterId: string, spec: KeySpec, owner?: KeyOwner): Promise<MintKeyResponse> {
    assertAbilities(spec, 'spec.abilities');
    const apiKey = generateApiKey();
    const createdAt = await repo.upsertApiKey(this.#ctx.db, characterId, hashApiKey(apiKey), spec, owner?.uid);
    if (!createdAt) throw appError('registry.character_id_taken', `${characterId} has a live key of another Character (not ${owner?.namespace}/${owner?.name}, uid ${owner?.uid})`);
    this.#ctx.logger.info({ characterId, ownerUid: owner?.uid }, 'api key minted');
    return { characterId, apiKey, createdAt: createdAt.toISOString() };
  }

  /** The Character's spec changed: later registrations must match the new one; the key stays. */
  async updateKeySpec(characterId: string, spec: KeySpec): Promise<void> {
    assertAbilities(spec, 'spec.abilities');
    if (!(await repo.updateKeySpec(this.#ctx.db, characterId, spec))) throw appError('registry.key_not_found', `no live API key for ${characterId}`);
    this.#ctx.logger.info({ characterId }, 'api key spec updated');
  }

  /**
   * Revokes the key and everything issued under it: the registration ends (its seat is freed, the
   * session told), the event-bus user goes, and every token and WebSocket of it stops working.
   */
  async revokeKey(characterId: string, ownerUid?: string): Promise<void> {
    const ctx = this.#ctx;
    // A Character may revoke only its own key: one that was refused an id (held by another UID)
    // must not, when it is deleted, end the holder's key, registration and event-bus user.
    const owner = ownerUid === undefined ? undefined : await repo.apiKeyOwner(ctx.db, characterId);
    if (owner && owner !== ownerUid) throw appError('registry.character_id_taken', `the key of ${characterId} belongs to another Character`);
    // First, so that with Redis away nothing changes and the caller's retry starts clean.
    await ctx.busUsers.remove(characterId);
    const left = await withTransaction(ctx.db, async (tx) => {
      if (!(await repo.revokeApiKey(tx, characterId, ownerUid))) throw appError('registry.key_not_found', `no API key for ${characterId}`);
      return repo.markDeregistered(tx, characterId, 'revoked');
    });
    // A registration that took the key just before the revocation may have made a user again.
    await ctx.busUsers.remove(characterId).catch((err: unknown) => ctx.logger.warn({ err, characterId }, 'event-bus user removal after revocation failed'));
    if (left?.sessionId) await this.#leave(left.sessionId, characterId, 'revoked');
    await announceGroundsChanged(ctx.redis, ctx.logger, characterId);
    ctx.logger.info({ characterId }, 'api key revoked');
  }

  /** The character an API key belongs to; 401 when it is unknown or revoked. */
  async authenticateKey(rawKey: string): Promise<string> {
    return (await this.authenticateKeyRecord(rawKey)).characterId;
  }

  /** The unrevoked key's record (its character and the spec recorded at minting), in one lookup. */
  async authenticateKeyRecord(rawKey: string): Promise<repo.ApiKeyRecord> {
    if (!looksLikeApiKey(rawKey)) throw appError('registry.key_invalid');
    const found = await repo.findApiKey(this.#ctx.db, hashApiKey(rawKey));
    if (!found) throw appError('registry.key_invalid');
    if (found.revoked) throw appError('registry.key_revoked', `the key of ${found.characterId} was revoked`);
    return found;
  }

  async register(rawKey: string, req: RegistrationRequest): Promise<RegistrationResponse> {
    const ctx = this.#ctx;
    assertAbilities(req);
    // The bus password is made before the transaction; its ACL user is set after the commit
    // (below), so no database lock is held across a Redis round trip.
    const busPassword = randomBytes(24).toString('base64url');
    const busPasswordHash = hashBusPassword(busPassword);
    const { sessionId, generation, created, previousSession } = await this.#seat(rawKey, req, busPasswordHash);
    // The bus user and the notice that closes the sockets of the previous registration (another
    // session, or an older generation) go out together: two commands, one round trip.
    await Promise.all([ctx.busUsers.apply(req.characterId, sessionId, busPasswordHash), announceGroundsChanged(ctx.redis, ctx.logger, req.characterId)]);
    const bus = { username: busUsername(req.characterId), password: busPassword };
    // The read back that confirms the bus user runs beside the join: neither needs the other, and
    // the answer waits for both.
    const [joined] = await Promise.all([this.#enter(req, sessionId, created, previousSession), this.#confirmBusUser(req.characterId, generation)]);

    const token = ctx.tokens.sign(req.characterId, sessionId, generation);
    ctx.metrics.registrations.inc();
    ctx.logger.info({ characterId: req.characterId, sessionId }, 'character registered');
    return {
      sessionId,
      characterToken: token.token,
      tokenExpiresAt: token.expiresAt.toISOString(),
      gameState: joined.gameState,
      eventChannels: characterChannels(sessionId, req.characterId),
      eventBus: { url: ctx.config.eventBus.publicUrl, username: bus.username, password: bus.password },
      websocketUrl: ctx.config.ws.path,
    };
  }

  /** A fresh token for the same registration (the authenticator has checked the old one's grounds). */
  async refreshToken(principal: CharacterPrincipal): Promise<TokenRefreshResponse> {
    const character = await this.#registered(principal.characterId);
    const token = this.#ctx.tokens.sign(character.characterId, character.sessionId!, principal.generation);
    return { characterToken: token.token, tokenExpiresAt: token.expiresAt.toISOString() };
  }

  async heartbeat(principal: CharacterPrincipal, characterId: string): Promise<HeartbeatResponse> {
    if (principal.characterId !== characterId) throw appError('auth.forbidden', 'a character may only send its own heartbeat');
    const beat = await repo.touchHeartbeat(this.#ctx.db, characterId);
    if (!beat?.sessionId) throw appError('auth.not_registered', `${characterId} is not registered`);
    return {
      characterId,
      sessionId: beat.sessionId,
      lastHeartbeatAt: beat.at.toISOString(),
      tokenExpiresIn: Math.max(0, Math.floor((principal.expiresAt.getTime() - Date.now()) / 1000)),
    };
  }

  /** Removes the ACL user (closing its bus connections), marks the character gone, tells the session. */
  async deregister(characterId: string): Promise<void> {
    const ctx = this.#ctx;
    const character = await repo.getCharacter(ctx.db, characterId);
    if (!character) throw appError('registry.character_not_found', `no character ${characterId}`);
    await ctx.busUsers.remove(characterId);
    const left = await repo.markDeregistered(ctx.db, characterId, 'deregistered');
    if (left?.sessionId) await this.#leave(left.sessionId, characterId, 'deregistered');
    await announceGroundsChanged(ctx.redis, ctx.logger, characterId);
    ctx.logger.info({ characterId }, 'character deregistered');
  }

  /**
   * Deregisters the characters whose heartbeats stopped, freeing their seats with a
   * `system.character_left` (reason `heartbeat-expired`). Safe on every replica at once: each
   * character is expired by exactly one. Returns the ids expired.
   */
  async expireSilent(): Promise<string[]> {
    const ctx = this.#ctx;
    const gone = await repo.expireSilent(ctx.db, ctx.config.registry.heartbeatTimeoutMs);
    for (const { characterId, sessionId } of gone) {
      try {
        await ctx.busUsers.remove(characterId);
      } catch (err) {
        // Its password hash is gone from the database, so no resync recreates it.
        ctx.logger.warn({ err, characterId }, 'event-bus user of an expired character not removed');
      }
      try {
        if (sessionId) await this.#leave(sessionId, characterId, 'heartbeat-expired');
      } catch (err) {
        ctx.logger.error({ err, characterId, sessionId }, 'expired character could not be taken out of its session');
      }
      await announceGroundsChanged(ctx.redis, ctx.logger, characterId);
      ctx.logger.info({ characterId, sessionId, timeoutMs: ctx.config.registry.heartbeatTimeoutMs }, 'character expired: no heartbeat');
    }
    return gone.map((g) => g.characterId);
  }

  list(sessionId?: string): Promise<CharacterRecord[]> {
    return repo.listCharacters(this.#ctx.db, { sessionId });
  }

  async get(characterId: string): Promise<CharacterRecord> {
    const c = await repo.getCharacter(this.#ctx.db, characterId);
    if (!c) throw appError('registry.character_not_found', `no character ${characterId}`);
    return c;
  }

  /**
   * The registration's transaction: the key and the character checked under their locks, and a
   * seat claimed. A claim that lost the last seat to a concurrent one has ended its transaction
   * (it commits with the claim), so the whole of it runs again, checks included.
   */
  async #seat(rawKey: string, req: RegistrationRequest, busPasswordHash: string): Promise<Seated> {
    const ctx = this.#ctx;
    for (let attempt = 0; attempt < SEAT_ATTEMPTS; attempt++) {
      const seated = await withTransaction(
        ctx.db,
        async (tx, end) => {
          // Read again under a lock: a revocation waits for this registration, or this one sees it.
          const key = await repo.findApiKey(tx, hashApiKey(rawKey), { lock: true });
          if (!key) throw appError('registry.key_invalid');
          if (key.revoked) throw appError('registry.key_revoked', `the key of ${key.characterId} was revoked`);
          if (key.characterId !== req.characterId) throw appError('registry.key_mismatch', `the key belongs to ${key.characterId}, not ${req.characterId}`);
          if (!key.spec) throw appError('registry.key_without_spec', `the key of ${req.characterId} predates recorded specs; have it minted again (delete the Character's credentials Secret)`);
          const before = await repo.getCharacter(tx, req.characterId, { forUpdate: true });
          const mismatches = specMismatches(key.spec, req, before?.sessionId ?? null);
          if (mismatches.length) {
            throw appError('registry.spec_mismatch', mismatches.map((m) => `${m.path}: ${m.message}`).join('; '), { errors: mismatches });
          }
          const previous = before?.status === 'registered' ? before.sessionId : null;
          const requested = req.sessionId ?? key.spec.session;
          return this.#takeSeat(tx, end, req, { requested, previous, busPasswordHash });
        },
        // Only the database is touched inside, so a lost deadlock race may simply run again.
        { retryConflicts: true },
      );
      if (seated) return seated;
    }
    throw appError('sessions.no_room', 'every session with room filled up while this registration looked for a seat; try again');
  }

  /**
   * Picks a session from the member counts (no lock) and claims a seat in it with one conditional
   * statement, which ends the transaction; undefined when that claim lost the last seat to a
   * concurrent one. Only opening a new session takes the assignment lock, so the bound on sessions
   * the registry opens stays exact; while another registration holds it, this one waits for the
   * session that one opens and decides again.
   */
  async #takeSeat(
    tx: Queryable,
    end: TransactionEnd,
    req: RegistrationRequest,
    opts: { requested: string | undefined; previous: string | null; busPasswordHash: string },
  ): Promise<Seated | undefined> {
    const ctx = this.#ctx;
    let locked = false;
    for (let attempt = 0; attempt < SEAT_ATTEMPTS; attempt++) {
      const decision = decideSession({
        requested: opts.requested,
        current: opts.previous,
        sessions: await seatCandidates(tx, opts.previous, opts.requested),
        maxOpen: ctx.config.sessions.autoCreateMax,
      });
      if (decision.kind === 'refuse') {
        if (decision.reason === 'requested-missing') {
          throw appError('sessions.not_found', `no session ${opts.requested}: only the game master creates sessions (POST /api/sessions); leave the session out to be assigned one`);
        }
        throw appError('sessions.no_room', `every open session is full and ${ctx.config.sessions.autoCreateMax} are open, the most the registry opens by itself (SESSIONS_AUTO_CREATE_MAX); the game master may open more (POST /api/sessions)`);
      }
      let created: sessionsRepo.NewSession | undefined;
      let sessionId: string;
      if (decision.kind === 'join') sessionId = decision.sessionId;
      else if (!locked) {
        // Decide again under the lock: another registration may just have opened one.
        locked = await sessionsRepo.tryLockAssignment(tx);
        if (!locked) await sessionsRepo.awaitAssignment(tx);
        continue;
      } else {
        created = await createSessionRow(tx, ctx, {});
        if (!created) throw new Error('a generated session id was already taken');
        sessionId = created.id;
      }
      const seat = await claimSeat(end, req, sessionId, opts.previous, opts.busPasswordHash);
      return seat && { sessionId, generation: seat.generation, created, previousSession: opts.previous };
    }
    return undefined;
  }

  /**
   * Into the game: the session the registry opened, out of the one the character left, into the
   * seat's session. Answered once this session's announcement of the arrival was published.
   */
  async #enter(
    req: RegistrationRequest,
    sessionId: string,
    created: sessionsRepo.NewSession | undefined,
    previousSession: string | null,
  ): Promise<JoinResult> {
    const ctx = this.#ctx;
    if (created) {
      await ctx.engine.createSession(created.worldId, created.id);
      await ctx.events.publish(created.id, { type: 'system.session_created', data: { sessionId: created.id, worldId: created.worldId } });
    }
    if (previousSession && previousSession !== sessionId) await this.#leave(previousSession, req.characterId, 'moved');
    const joined = await ctx.engine.join(sessionId, {
      characterId: req.characterId,
      name: req.name,
      class: req.class,
      level: req.level,
      capabilities: req.capabilities,
      ...(req.abilities ? { abilities: req.abilities } : {}),
    });
    // The game announces the arrival itself (system.character_joined, versioned, with the
    // character's numbers and room, in the join's log entry): the registry adds no second copy,
    // and answers once that announcement was published. It waits for its session's rows only:
    // waiting for every session's made each registration chase the others' joins.
    await ctx.events.publishMany(sessionId, joined.events);
    await ctx.events.flushWritten(sessionId);
    return joined;
  }

  /**
   * Confirms the character's event-bus user, set after the commit. A newer registration, a
   * revocation or an expiry may have committed meanwhile and written its own user first; reading
   * the row after the write tells, and then the user is made to match the row again under its lock
   * (the writers of that row wait), so the last write always follows the newest registration.
   */
  async #confirmBusUser(characterId: string, generation: number): Promise<void> {
    const ctx = this.#ctx;
    const now = await busUserState(ctx.db, characterId);
    if (now?.registered && now.generation === generation) return;
    await withTransaction(ctx.db, async (tx) => {
      const s = await busUserState(tx, characterId, { lock: true });
      if (s?.registered && s.sessionId && s.passwordHash) await ctx.busUsers.apply(characterId, s.sessionId, s.passwordHash);
      else await ctx.busUsers.remove(characterId);
    });
  }

  /** The registered character behind a token; 401 once it deregistered. */
  async #registered(characterId: string): Promise<CharacterRecord> {
    const c = await repo.getCharacter(this.#ctx.db, characterId);
    if (!c || c.status !== 'registered' || !c.sessionId) throw appError('auth.not_registered', `${characterId} is not registered`);
    return c;
  }

  /** One source of `system.character_left`: the engine's (with the reason), published by it or handed back. */
  async #leave(sessionId: string, characterId: string, reason: string): Promise<void> {
    const events = await this.#ctx.engine.leave(sessionId, characterId, reason);
    await this.#ctx.events.publishMany(sessionId, events);
  }
}
