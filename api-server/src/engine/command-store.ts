import type { Action } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import * as actionsRepo from '../actions/repository.ts';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.ts';
import type { EventBus } from '../events/publisher-outbox.ts';
import type { GameEvent } from '../events/publisher.ts';
import type { CommandEffects, GameState, ItemIntent, LogEntry, SessionStore, UnsavedEntry } from '../game/index.ts';
import { closeSession } from '../sessions/repository.ts';
import type { ActionMeta } from './game-engine.ts';
import { writeCommands } from './command-sql.ts';
import { spillEvents, type FloorSpill, type ItemActor } from './item-spills.ts';
import { appendLogEntry, loadSessionLog, saveSnapshot } from './session-log.ts';
import type { SessionOwners } from './session-owners.ts';

// The Dungeon Master's store: one transaction per write holds everything its commands did —
// the fence on the session's lease, the log entries, the actions' records with their answers,
// the events in the outbox, a snapshot now and then, the session closed when it ended. A write
// is one command, or the consecutive commands that queued up while the last write ran (group
// commit). Either all of it is there or none of it: an action is applied if and only if it is
// reported.

interface CommandStoreDeps {
  db: Pool;
  bus: EventBus;
  /** Absent: one replica, no lease to check. */
  owners?: SessionOwners;
  logger: Logger;
  /** What the rules' events need before publishing (container ids of corpses and chests). */
  prepare: (sessionId: string, events: GameEvent[]) => Promise<GameEvent[]>;
  /** A snapshot every this many log entries. */
  snapshotEvery?: number;
  /** Applies the rules' item intents to the item tables, inside the command's transaction; says what spilled onto a floor. */
  applyItems?: (tx: PoolClient, sessionId: string, intents: readonly ItemIntent[], state: GameState, actor: ItemActor | null) => Promise<FloorSpill[]>;
}

const DEFAULT_SNAPSHOT_EVERY = 20;

/** One command made ready for the store. */
interface Prepared {
  entry: LogEntry;
  state: GameState;
  meta: ActionMeta | undefined;
  action: Action | null;
  record: actionsRepo.ActionRecord | null;
  events: GameEvent[];
  snapshot: boolean;
  closes: boolean;
  items: readonly ItemIntent[];
}

/**
 * Only a retry can have been recorded before: one with a clientActionId (its key), or a
 * forwarded call (its action id, which the forwarding replica sends again).
 */
function retryKey(action: Action, meta: unknown): string | null {
  const m = meta as ActionMeta | undefined;
  if (!m) return null;
  if (action.clientActionId !== undefined) return `client:${action.characterId}:${action.clientActionId}`;
  return m.forwarded ? `id:${m.actionId}` : null;
}

export function commandStore(d: CommandStoreDeps): SessionStore {
  const every = d.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;

  async function prepare(sessionId: string, { entry, state, effects }: UnsavedEntry<CommandEffects>): Promise<Prepared> {
    const prepared = await d.prepare(sessionId, effects.events);
    const meta = effects.meta as ActionMeta | undefined;
    const action = entry.command.kind === 'action' ? entry.command.action : null;
    const events = meta ? prepared.map((e) => ({ ...e, data: { ...e.data, actionId: meta.actionId } })) : prepared;
    let record: actionsRepo.ActionRecord | null = null;
    if (meta && action) {
      const versions = events.filter((e) => e.version !== undefined && e.characterId === undefined).map((e) => e.version!);
      record = {
        id: meta.actionId,
        sessionId,
        action,
        status: entry.accepted ? 'accepted' : 'rejected',
        outcome: { version: state.version, status: state.status },
        reason: effects.reason,
        version: versions.length > 0 ? Math.max(...versions) : undefined,
      };
    }
    const snapshot = entry.seq > 0 && entry.seq % every === 0;
    const closes = events.some((e) => e.type === 'system.session_closed');
    return { entry, state, meta, action, record, events, snapshot, closes, items: effects.items ?? [] };
  }

  /** Everything one command did, inside the write's transaction; its outbox rows' last id. */
  async function writeOne(tx: PoolClient, sessionId: string, p: Prepared): Promise<number | null> {
    await appendLogEntry(tx, sessionId, p.entry, p.state);
    // The items move with the entry that decided it: granted, equipped, drunk or unlocked
    // if and only if the log says so.
    let spilled: GameEvent[] = [];
    if (p.items.length > 0) {
      if (!d.applyItems) throw new Error('the rules asked for item changes and this store keeps no item tables');
      const actorId = p.action?.characterId;
      const actor = actorId !== undefined ? { id: actorId, name: p.state.characters[actorId]?.name ?? null } : null;
      spilled = spillEvents(p.state, await d.applyItems(tx, sessionId, p.items, p.state, actor));
    }
    if (p.record) await actionsRepo.insertAction(tx, p.record);
    if (p.snapshot) await saveSnapshot(tx, sessionId, p.entry.seq, p.state);
    if (p.closes) await closeSession(tx, sessionId);
    // What spilled onto a floor is announced with the entry that spilled it, and only then.
    return (await d.bus.stage(tx, sessionId, [...p.events, ...spilled])).lastId;
  }

  /** Nothing besides the log entry, the action's record, the events and a snapshot: writable in the one statement. */
  const common = (p: Prepared) => p.entry.seq > 0 && !p.closes && p.items.length === 0;

  async function write(sessionId: string, items: readonly UnsavedEntry<CommandEffects>[]): Promise<void> {
    const batch: Prepared[] = [];
    // In order: a corpse's container is made before the events of the next command are prepared.
    for (const item of items) batch.push(await prepare(sessionId, item));
    let lastId: number | null;
    const fence = d.owners ? d.owners.fenceArgs(sessionId) : null;
    /** Consecutive common commands in one statement (fenced: nothing is written unless the lease holds). */
    const statement = async (q: Pool | PoolClient, run: Prepared[]): Promise<number | null> => {
      // Of the snapshots due in the run only the newest is kept (each replaces the one before).
      const due = run.findLast((p) => p.snapshot);
      const snapshot = due ? { seq: due.entry.seq, state: due.state } : null;
      const written = await writeCommands(q, { sessionId, fence, commands: run.map((p) => ({ entry: p.entry, action: p.record, events: p.events })), snapshot });
      if (!written.fenced) throw d.owners!.lost(sessionId, fence!.token);
      return written.lastId;
    };
    if (batch.every(common)) {
      // The common case: one statement.
      lastId = await statement(d.db, batch);
    } else {
      lastId = await withTransaction(d.db, async (tx) => {
        // The fence holds the lease row: a writer paused mid-transaction must not keep the
        // next owner waiting, so PostgreSQL ends its transaction (and its write) instead. Set
        // with the fence when there is one: one round trip for both.
        if (d.owners) await d.owners.fence(tx, sessionId, { idleTimeout: '5s' });
        else await tx.query(`SET LOCAL idle_in_transaction_session_timeout = '5s'`);
        let last: number | null = null;
        // Each run of common commands still goes in one statement; the others one by one.
        for (let i = 0; i < batch.length; ) {
          let j = i;
          while (j < batch.length && common(batch[j]!)) j++;
          if (j > i) last = (await statement(tx, batch.slice(i, j))) ?? last;
          else last = (await writeOne(tx, sessionId, batch[j++]!)) ?? last;
          i = j;
        }
        return last;
      });
    }
    // Waiting for the relay here would hold the session's queue; an action's caller waits
    // after leaving it (`outboxId`: the batch's last row, which its own rows precede), the
    // clock's own commands need not wait at all.
    for (const p of batch) if (p.meta) p.meta.outboxId = lastId;
    d.bus.flush(lastId, { wait: false });
  }

  return {
    deliversEvents: true,
    load: (sessionId) => loadSessionLog(d.db, sessionId),
    retryKey,
    previous: async (_sessionId, action: Action, meta) => {
      if (retryKey(action, meta) === null) return null;
      const m = meta as ActionMeta;
      return actionsRepo.findRecordedAction(d.db, { actionId: m.actionId, characterId: action.characterId, clientActionId: action.clientActionId });
    },
    save: (sessionId, entry, state, effects) => write(sessionId, [{ entry, state, effects }]),
    saveMany: write,
  };
}
