import { randomUUID } from 'node:crypto';
import { Action, actionCapability, type ActionResult } from '@distributed-dungeon/contracts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { appError, validationError } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';
import * as registryRepo from '../registry/repository.ts';
import * as repo from './repository.ts';

export class ActionsService {
  readonly #ctx: AppContext;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async submit(principal: CharacterPrincipal, body: unknown): Promise<ActionResult> {
    const ctx = this.#ctx;
    const parsed = Action.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error, 'action');
    const action = parsed.data;
    if (action.characterId !== principal.characterId) {
      throw appError('actions.impersonation', `the token is for ${principal.characterId}; the action names ${action.characterId}`);
    }
    const character = await registryRepo.getCharacter(ctx.db, action.characterId);
    if (!character || character.status !== 'registered' || !character.sessionId) throw appError('auth.not_registered', `${action.characterId} is not registered`);
    const needs = actionCapability(action.type);
    if (needs && !character.capabilities.includes(needs)) {
      throw appError('actions.capability_missing', `${action.type} needs the ${needs} capability`);
    }
    const sessionId = character.sessionId;
    const decision = await ctx.engine.handleAction(sessionId, action);
    const actionId = randomUUID();
    const status = decision.accepted ? 'accepted' : 'rejected';
    // Recorded and published together: if the bus is away the record is rolled back (→ 503),
    // so no action is stored that nobody heard of.
    let version: number | undefined;
    await withTransaction(ctx.db, async (tx) => {
      await repo.insertAction(tx, { id: actionId, sessionId, action, status, outcome: decision.outcome });
      for (const event of decision.events) {
        const published = await ctx.events.publish(sessionId, { ...event, data: { ...event.data, actionId } });
        version = published.version;
      }
    });
    ctx.metrics.actions.inc({ type: action.type, status });
    return {
      actionId,
      accepted: decision.accepted,
      status,
      ...(action.clientActionId !== undefined ? { clientActionId: action.clientActionId } : {}),
      ...(decision.outcome !== undefined ? { outcome: decision.outcome } : {}),
      ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      ...(version !== undefined ? { version } : {}),
    };
  }
}
