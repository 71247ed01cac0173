import type { Action } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import * as actionsRepo from '../actions/repository.ts';
import { withTransaction, type Pool, type PoolClient } from '../db/pool.ts';
import type { EventBus } from '../events/publisher-outbox.ts';
import type { GameEvent } from '../events/publisher.ts';
import type { GameState, ItemIntent, SessionStore } from '../game/index.ts';
import { closeSession } from '../sessions/repository.ts';
import type { ActionMeta } from './game-engine.ts';
import { writeCommand } from './command-sql.ts';
import { spillEvents, type FloorSpill, type ItemActor } from './item-spills.ts';
import { appendLogEntry, loadSessionLog, saveSnapshot } from './session-log.ts';
import type { SessionOwners } from './session-owners.ts';

// The Dungeon Master's store: one transaction per command holds everything the command did —
// the fence on the session's lease, the log entry, the action's record with its answer, the
// events in the outbox, a snapshot now and then, the session closed when it ended. Either all
// of it is there or none of it: an action is applied if and only if it is reported.

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

export function commandStore(d: CommandStoreDeps): SessionStore {
  const every = d.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  return {
    deliversEvents: true,
    load: (sessionId) => loadSessionLog(d.db, sessionId),
    previous: async (_sessionId, action: Action, meta) => {
      const m = meta as ActionMeta | undefined;
      // Only a retry can have been recorded before: one with a clientActionId, or a forwarded call.
      if (!m || (action.clientActionId === undefined && !m.forwarded)) return null;
      return actionsRepo.findRecordedAction(d.db, { actionId: m.actionId, characterId: action.characterId, clientActionId: action.clientActionId });
    },
    async save(sessionId, entry, state, effects) {
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
      const items = effects.items ?? [];
      let staged: { lastId: number | null };
      if (entry.seq > 0 && !snapshot && !closes && items.length === 0) {
        // The common case: one statement.
        const fence = d.owners ? d.owners.fenceArgs(sessionId) : null;
        const written = await writeCommand(d.db, { sessionId, entry, fence, action: record, events });
        if (!written.fenced) throw d.owners!.lost(sessionId, fence!.token);
        staged = written;
      } else {
        staged = await withTransaction(d.db, async (tx) => {
          // The fence holds the lease row: a writer paused mid-transaction must not keep the
          // next owner waiting, so PostgreSQL ends its transaction (and its write) instead.
          await tx.query(`SET LOCAL idle_in_transaction_session_timeout = '5s'`);
          await d.owners?.fence(tx, sessionId);
          await appendLogEntry(tx, sessionId, entry, state);
          // The items move with the entry that decided it: granted, equipped, drunk or unlocked
          // if and only if the log says so.
          let spilled: GameEvent[] = [];
          if (items.length > 0) {
            if (!d.applyItems) throw new Error('the rules asked for item changes and this store keeps no item tables');
            const actorId = action?.characterId;
            const actor = actorId !== undefined ? { id: actorId, name: state.characters[actorId]?.name ?? null } : null;
            spilled = spillEvents(state, await d.applyItems(tx, sessionId, items, state, actor));
          }
          if (record) await actionsRepo.insertAction(tx, record);
          if (snapshot) await saveSnapshot(tx, sessionId, entry.seq, state);
          if (closes) await closeSession(tx, sessionId);
          // What spilled onto a floor is announced with the entry that spilled it, and only then.
          return d.bus.stage(tx, sessionId, [...events, ...spilled]);
        });
      }
      // Waiting for the relay here would hold the session's queue; an action's caller waits
      // after leaving it (`outboxId`), the clock's own commands need not wait at all.
      if (meta) meta.outboxId = staged.lastId;
      d.bus.flush(staged.lastId, { wait: false });
    },
  };
}
