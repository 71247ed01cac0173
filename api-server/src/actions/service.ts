import { randomUUID } from 'node:crypto';
import { Action, actionCapability, type ActionResult } from '@distributed-dungeon/contracts';
import type { AppContext } from '../context.ts';
import { appError, validationError } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';
import type { EarlyAnswer } from '../engine/game-engine.ts';
import { judgeGrounds } from '../registry/grounds.ts';
import * as registryRepo from '../registry/repository.ts';
import * as actionsRepo from './repository.ts';

/** Where `grounds` leaves the recorded answer it read, for `submit`. */
const EARLY = 'actions.earlyAnswer';

interface ReadEarly {
  characterId: string;
  clientActionId: string;
  early: EarlyAnswer;
}

export class ActionsService {
  readonly #ctx: AppContext;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /**
   * The token's grounds, judged as the shared check does, read in one round trip with the
   * recorded answer of the body's clientActionId (the SDK sends one with every action), which
   * would otherwise be a read of its own. The answer is left for `submit` in `res.locals`; the
   * engine's ticket is taken first, so the engine can tell whether the read can have missed an
   * action it applied meanwhile (then it reads again).
   */
  async grounds(p: CharacterPrincipal, body: unknown, locals: Record<string, unknown>): Promise<{ capabilities: readonly string[] }> {
    const ctx = this.#ctx;
    const claimed = (body as { clientActionId?: unknown } | undefined)?.clientActionId;
    const ticket = typeof claimed === 'string' ? ctx.engine.answerTicket?.(p.sessionId) : undefined;
    const clientActionId = ticket ? (claimed as string) : undefined;
    const { grounds, recorded } = await actionsRepo.groundsAndRecordedAction(ctx.db, p.characterId, clientActionId);
    const refusal = judgeGrounds(p, grounds);
    if (refusal) throw refusal;
    if (ticket && clientActionId !== undefined) locals[EARLY] = { characterId: p.characterId, clientActionId, early: { ticket, answer: recorded } } satisfies ReadEarly;
    return { capabilities: grounds!.capabilities };
  }

  /**
   * `principal.capabilities`: read with the token's grounds (which hold: registered, in
   * `principal.sessionId`); `locals`: what `grounds` left there.
   */
  async submit(principal: CharacterPrincipal & { capabilities?: readonly string[] }, body: unknown, locals: Record<string, unknown> = {}): Promise<ActionResult> {
    const ctx = this.#ctx;
    const parsed = Action.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error, 'action');
    const action = parsed.data;
    if (action.characterId !== principal.characterId) {
      throw appError('actions.impersonation', `the token is for ${principal.characterId}; the action names ${action.characterId}`);
    }
    const character = principal.capabilities ? { sessionId: principal.sessionId, capabilities: principal.capabilities } : await this.#registered(action.characterId);
    const needs = actionCapability(action.type);
    if (needs && !character.capabilities.includes(needs)) {
      throw appError('actions.capability_missing', `${action.type} needs the ${needs} capability`);
    }
    // The engine records the action, its log entry and its events in one transaction (on the
    // session's owner), so an answered action is applied exactly once and reported: a retry with
    // the same clientActionId gets this same answer back.
    const read = locals[EARLY] as ReadEarly | undefined;
    const early = read && read.characterId === action.characterId && read.clientActionId === action.clientActionId ? read.early : undefined;
    const decision = await ctx.engine.handleAction(character.sessionId, action, { actionId: randomUUID() }, early);
    const status = decision.accepted ? 'accepted' : 'rejected';
    if (!decision.replayed) ctx.metrics.actions.inc({ type: action.type, status });
    return {
      actionId: decision.actionId,
      accepted: decision.accepted,
      status,
      ...(action.clientActionId !== undefined ? { clientActionId: action.clientActionId } : {}),
      ...(decision.outcome !== undefined ? { outcome: decision.outcome } : {}),
      ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      ...(decision.version !== undefined ? { version: decision.version } : {}),
    };
  }

  /** The character's session and capabilities, read here when the authenticator did not. */
  async #registered(characterId: string): Promise<{ sessionId: string; capabilities: readonly string[] }> {
    const character = await registryRepo.getCharacter(this.#ctx.db, characterId);
    if (!character || character.status !== 'registered' || !character.sessionId) throw appError('auth.not_registered', `${characterId} is not registered`);
    return { sessionId: character.sessionId, capabilities: character.capabilities };
  }
}
