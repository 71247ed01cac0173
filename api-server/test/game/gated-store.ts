import { StoreConflictError, type CommandEffects, type SessionStore, type StoredSession, type UnsavedEntry } from '../../src/game/dungeon-master.ts';

/** A store in memory whose writes wait for the test to let them through (or fail them). */
export function gatedStore() {
  const stored = new Map<string, StoredSession>();
  const writes: number[][] = [];
  const gates: { release: () => void; fail: (err: unknown) => void }[] = [];
  let loads = 0;
  let gated = false;
  const keep = (sid: string, items: readonly UnsavedEntry<CommandEffects>[]) => {
    const first = items[0]!;
    const s = stored.get(sid) ?? { worldId: first.state.worldId, seed: first.state.seed, entries: [] };
    for (const i of items) {
      // What a real store's primary key does: one entry per position.
      if (s.entries.some((e) => e.seq === i.entry.seq)) throw new StoreConflictError(`entry ${i.entry.seq} exists`);
    }
    s.entries.push(...items.map((i) => i.entry));
    stored.set(sid, s);
  };
  const store: SessionStore = {
    save: (sid, entry, state, effects) => keep(sid, [{ entry, state, effects }]),
    async saveMany(sid, items) {
      writes.push(items.map((i) => i.entry.seq));
      if (gated) await new Promise<void>((release, fail) => gates.push({ release, fail }));
      keep(sid, items);
    },
    load: async (sid) => {
      loads++;
      const s = stored.get(sid);
      return s ? structuredClone(s) : null;
    },
    retryKey: (action) => (action.clientActionId === undefined ? null : action.clientActionId),
    previous: async (sid, action) => {
      const hit = stored.get(sid)?.entries.find((e) => e.command.kind === 'action' && e.command.action.clientActionId === action.clientActionId);
      return hit ? { recordedSeq: hit.seq } : null;
    },
  };
  return {
    store,
    stored,
    writes,
    loads: () => loads,
    gate: (on: boolean) => (gated = on),
    /** The next write waiting at its gate, once it waits there. */
    next: async () => {
      while (gates.length === 0) await new Promise((r) => setImmediate(r));
      return gates.shift()!;
    },
  };
}

