import {
  characterChannels,
  type CharacterRecord,
  type HeartbeatResponse,
  type MintKeyResponse,
  type RegistrationRequest,
  type RegistrationResponse,
  type TokenRefreshResponse,
} from '@distributed-dungeon/contracts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { appError } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';
import { decideSession } from '../sessions/assignment.ts';
import * as sessionsRepo from '../sessions/repository.ts';
import { createSessionRow } from '../sessions/service.ts';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-keys.ts';
import * as repo from './repository.ts';

/** The registry's use cases: the only credential authority of the platform. */
export class RegistryService {
  readonly #ctx: AppContext;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async mintKey(characterId: string): Promise<MintKeyResponse> {
    const apiKey = generateApiKey();
    const createdAt = await repo.upsertApiKey(this.#ctx.db, characterId, hashApiKey(apiKey));
    this.#ctx.logger.info({ characterId }, 'api key minted');
    return { characterId, apiKey, createdAt: createdAt.toISOString() };
  }

  async revokeKey(characterId: string): Promise<void> {
    if (!(await repo.revokeApiKey(this.#ctx.db, characterId))) throw appError('registry.key_not_found', `no API key for ${characterId}`);
    this.#ctx.logger.info({ characterId }, 'api key revoked');
  }

  /** The character an API key belongs to; 401 when it is unknown or revoked. */
  async authenticateKey(rawKey: string): Promise<string> {
    if (!looksLikeApiKey(rawKey)) throw appError('registry.key_invalid');
    const found = await repo.findApiKey(this.#ctx.db, hashApiKey(rawKey));
    if (!found) throw appError('registry.key_invalid');
    if (found.revoked) throw appError('registry.key_revoked', `the key of ${found.characterId} was revoked`);
    return found.characterId;
  }

  async register(keyOwner: string, req: RegistrationRequest): Promise<RegistrationResponse> {
    const ctx = this.#ctx;
    if (keyOwner !== req.characterId) throw appError('registry.key_mismatch', `the key belongs to ${keyOwner}, not ${req.characterId}`);

    const { record, bus, created, previousSession } = await withTransaction(ctx.db, async (tx) => {
      await sessionsRepo.lockAssignment(tx);
      const before = await repo.getCharacter(tx, req.characterId, { forUpdate: true });
      const previous = before?.status === 'registered' ? before.sessionId : null;
      const decision = decideSession({
        requested: req.sessionId,
        current: previous,
        sessions: await sessionsRepo.assignmentCandidates(tx, req.characterId),
      });
      let sessionId: string;
      let newSession: sessionsRepo.NewSession | undefined;
      if (decision.kind === 'join') sessionId = decision.sessionId;
      else {
        newSession = await createSessionRow(tx, ctx, { id: decision.sessionId });
        if (!newSession) throw new Error(`session ${decision.sessionId} appeared while the assignment lock was held`);
        sessionId = newSession.id;
      }
      // The ACL user is made inside the transaction: if Redis is away nothing is committed.
      const creds = await ctx.busUsers.create(req.characterId, sessionId);
      const saved = await repo.upsertRegistration(tx, req, sessionId, creds.passwordHash);
      return { record: saved, bus: creds, created: newSession, previousSession: previous };
    });
    const sessionId = record.sessionId!;

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
    });
    await ctx.events.publish(sessionId, {
      type: 'system.character_joined',
      data: { characterId: req.characterId, name: req.name, class: req.class, level: req.level },
    });
    for (const e of joined.events) await ctx.events.publish(sessionId, e);

    const token = ctx.tokens.sign(req.characterId, sessionId);
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

  /** A fresh token for a still-registered character (the old one must still be valid). */
  async refreshToken(principal: CharacterPrincipal): Promise<TokenRefreshResponse> {
    const character = await this.#registered(principal.characterId);
    const token = this.#ctx.tokens.sign(character.characterId, character.sessionId!);
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
    await repo.markDeregistered(ctx.db, characterId);
    if (character.status === 'registered' && character.sessionId) await this.#leave(character.sessionId, characterId, 'deregistered');
    ctx.logger.info({ characterId }, 'character deregistered');
  }

  list(sessionId?: string): Promise<CharacterRecord[]> {
    return repo.listCharacters(this.#ctx.db, { sessionId });
  }

  async get(characterId: string): Promise<CharacterRecord> {
    const c = await repo.getCharacter(this.#ctx.db, characterId);
    if (!c) throw appError('registry.character_not_found', `no character ${characterId}`);
    return c;
  }

  /** The registered character behind a token; 401 once it deregistered. */
  async #registered(characterId: string): Promise<CharacterRecord> {
    const c = await repo.getCharacter(this.#ctx.db, characterId);
    if (!c || c.status !== 'registered' || !c.sessionId) throw appError('auth.not_registered', `${characterId} is not registered`);
    return c;
  }

  async #leave(sessionId: string, characterId: string, reason: string): Promise<void> {
    const events = await this.#ctx.engine.leave(sessionId, characterId);
    await this.#ctx.events.publish(sessionId, { type: 'system.character_left', data: { characterId, reason } });
    for (const e of events) await this.#ctx.events.publish(sessionId, e);
  }
}
