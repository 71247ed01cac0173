// The game master's use cases: read the audit trail, list and inspect a session's containers,
// close a session. Each goes to the module that owns the table: the audit trail and containers
// are the container system's (containers/), sessions are the sessions module's.
import type { AuditPage, GmContainer, GmContainerDetail, GmContainerList, SessionRecord } from '@distributed-dungeon/contracts';
import type { AppContext } from '../context.ts';
import { queryAudit, type AuditFilter, type AuditPosition } from '../containers/audit-log.ts';
import { ContainerNotFoundError } from '../containers/errors.ts';
import { toWire, type ContainerRecord } from '../containers/model.ts';
import { openTokenHolders } from '../containers/mutation-guard.ts';
import { getContainer, getContainersBySession } from '../containers/persistence.ts';
import { kindOf } from '../containers/reads.ts';
import { appError } from '../http/errors.ts';
import { SessionsService } from '../sessions/service.ts';

/** The newest entries shown with an inspected container. */
const RECENT_AUDIT = 20;

function gmContainer(c: ContainerRecord): GmContainer {
  return { ...toWire(c), kind: kindOf(c) };
}

/** Opaque to clients: the position of the last entry of a page. */
function encodeCursor(p: AuditPosition): string {
  return Buffer.from(JSON.stringify({ t: p.occurredAt.toISOString(), i: p.id })).toString('base64url');
}

function decodeCursor(cursor: string): AuditPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const p = parsed as { t?: unknown; i?: unknown } | null;
  const at = typeof p?.t === 'string' ? new Date(p.t) : null;
  // Within the years PostgreSQL's timestamptz takes (a forged cursor must be a 400, not a 500).
  const year = at?.getUTCFullYear() ?? NaN;
  if (!at || !(year >= 0 && year <= 9999) || !Number.isSafeInteger(p?.i)) {
    throw appError('request.invalid', 'cursor is not one this API gave out', { errors: [{ path: 'cursor', message: 'not a cursor from a previous page' }] });
  }
  return { occurredAt: at, id: p!.i as number };
}

export class GameMasterService {
  readonly #ctx: AppContext;
  readonly #sessions: SessionsService;
  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#sessions = new SessionsService(ctx);
  }

  async audit(filter: Omit<AuditFilter, 'after'> & { cursor?: string }): Promise<AuditPage> {
    const { cursor, ...rest } = filter;
    const page = await queryAudit(this.#ctx.db, { ...rest, ...(cursor ? { after: decodeCursor(cursor) } : {}) });
    return { items: page.entries as AuditPage['items'], next_cursor: page.next ? encodeCursor(page.next) : null };
  }

  async sessionContainers(sessionId: string): Promise<GmContainerList> {
    await this.#sessions.get(sessionId);
    const containers = await getContainersBySession(this.#ctx.db, sessionId);
    return { session_id: sessionId, items: containers.map(gmContainer) };
  }

  async container(containerId: string): Promise<GmContainerDetail> {
    const c = await getContainer(this.#ctx.db, containerId);
    if (!c) throw new ContainerNotFoundError(containerId);
    const [holders, audit] = await Promise.all([
      openTokenHolders(this.#ctx.db, containerId, new Date()),
      queryAudit(this.#ctx.db, { containerId, limit: RECENT_AUDIT }),
    ]);
    return {
      container: gmContainer(c),
      open_by: holders.map((h) => ({ character_id: h.characterId, expires_at: h.expiresAt.toISOString() })),
      recent_audit: audit.entries as GmContainerDetail['recent_audit'],
    };
  }

  async closeSession(sessionId: string, reason?: string): Promise<SessionRecord> {
    return (await this.#sessions.close(sessionId, reason ?? 'closed by the game master')).session;
  }
}
