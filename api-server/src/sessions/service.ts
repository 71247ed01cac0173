import { randomBytes } from 'node:crypto';
import type { CreateSessionRequest, SessionRecord, SessionState } from '@distributed-dungeon/contracts';
import type { AppContext } from '../context.ts';
import { appError } from '../http/errors.ts';
import * as repo from './repository.ts';
import type { Queryable } from '../db/queryable.ts';

function newSessionId(): string {
  return `s-${randomBytes(5).toString('hex')}`;
}

/** Inserts a session and tells the engine; used by the admin API and by the registry. */
export async function createSessionRow(q: Queryable, ctx: AppContext, init: { id?: string; name?: string; worldId?: string; capacity?: number }): Promise<repo.NewSession | undefined> {
  const id = init.id ?? newSessionId();
  const session: repo.NewSession = {
    id,
    name: init.name ?? `Session ${id}`,
    worldId: init.worldId ?? ctx.config.sessions.defaultWorldId,
    capacity: init.capacity ?? ctx.config.sessions.capacity,
  };
  return (await repo.insertSession(q, session)) ? session : undefined;
}

/** How many sessions are active, for the metrics gauge (the composition root reads no table itself). */
export function countActiveSessions(q: Queryable): Promise<number> {
  return repo.countActiveSessions(q);
}

export class SessionsService {
  readonly #ctx: AppContext;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async create(req: CreateSessionRequest): Promise<SessionRecord> {
    // Checked before the row is written: a session whose world the engine cannot open would be
    // left behind half-made (the 500 the schemathesis fuzz found).
    const worldId = req.worldId ?? this.#ctx.config.sessions.defaultWorldId;
    if (this.#ctx.engine.hasWorld && !this.#ctx.engine.hasWorld(worldId)) {
      throw appError('sessions.unknown_world', `no world "${worldId}"`, { errors: [{ path: 'worldId', message: `no world "${worldId}"` }] });
    }
    const created = await createSessionRow(this.#ctx.db, this.#ctx, req);
    if (!created) throw appError('sessions.exists', `session ${req.id} already exists`);
    await this.#ctx.engine.createSession(created.worldId, created.id);
    await this.#ctx.events.publish(created.id, { type: 'system.session_created', data: { sessionId: created.id, worldId: created.worldId } });
    return (await this.get(created.id))!;
  }

  /**
   * The game master ends a session: the engine ends its game (every member leaves it, so the
   * rules refuse whatever it still sends and the container API no longer places it in a room;
   * the outcome is `closed`), closes it for registration and tells everyone on the session's
   * channels with `system.session_closed`, all with one log entry. Closing a closed session
   * changes nothing and tells no one again.
   */
  async close(id: string, reason: string): Promise<{ session: SessionRecord; closed: boolean }> {
    const before = await this.get(id);
    // The game ends first: should the engine be away, the session stays open and a retry does
    // it all again, rather than a closed session whose game still takes actions.
    if (before.status === 'open') await this.#ctx.engine.end(id, reason);
    // Closed already by the engine's entry; an engine without a game leaves this to us.
    const closed = await repo.closeSession(this.#ctx.db, id);
    if (closed) {
      await this.#ctx.events.publish(id, { type: 'system.session_closed', data: { sessionId: id, reason, closedBy: 'game_master', members: before.members } });
    }
    return { session: await this.get(id), closed };
  }

  list(status?: 'open' | 'closed'): Promise<SessionRecord[]> {
    return repo.listSessions(this.#ctx.db, { status });
  }

  async get(id: string): Promise<SessionRecord> {
    const s = await repo.getSession(this.#ctx.db, id);
    if (!s) throw appError('sessions.not_found', `no session ${id}`);
    return s;
  }

  async state(id: string, characterId?: string): Promise<SessionState> {
    const session = await this.get(id);
    const gameState = await this.#ctx.engine.getState(id, characterId);
    // The engine numbers its own state: its version is the one the events carry. An engine
    // without versions gets the newest one published.
    const version = typeof gameState.version === 'number' ? gameState.version : await this.#ctx.events.currentVersion(id);
    return { session, gameState: { ...gameState, version } };
  }
}
