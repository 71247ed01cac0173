import { describe, expect, it } from 'vitest';
import { CLERIC, FIGHTER, tinyWorld, WIZARD } from '../../test/game/fixtures.ts';
import { gatedStore } from '../../test/game/gated-store.ts';
import { commandConcerns, concerns, DungeonMaster } from './dungeon-master.ts';
import type { Command, LogEntry } from './log.ts';
import type { GameState, ItemInputs } from './state.ts';

// A newcomer's things are read from the item tables beside the commands queued ahead of its
// join, unless one of those concerns it: the joins of a filling session then wait for no read
// in the session's queue and go to the store in one write.

/** The item tables as the engine reads them: each read is numbered (in the potion count), in order of asking. */
function itemTables() {
  const reads: string[] = [];
  const itemInputs = async (_sessionId: string, characterId: string): Promise<ItemInputs> => {
    reads.push(characterId);
    return { equipped: {}, inventory: [{ item_id: 'healing-potion', name: 'Healing potion', quantity: reads.length }] };
  };
  return { reads, itemInputs };
}

/** A session 's' with nobody in it yet, over a gated store and numbered item reads. */
async function started() {
  const t = gatedStore();
  const tables = itemTables();
  const dm = new DungeonMaster({ worlds: new Map([['tiny', tinyWorld()]]), defaultWorldId: 'tiny', seedFor: () => 5, store: t.store, itemInputs: tables.itemInputs });
  await dm.createSession('tiny', 's');
  return { t, tables, dm };
}

const idle = () => new Promise((r) => setImmediate(r));

/** The potion count (the read's number) of a join's inputs in the log. */
const readNumber = (e: LogEntry | undefined) => (e?.command.kind === 'join' ? e.command.inputs?.inventory[0]?.quantity : undefined);

describe('DungeonMaster: a joining newcomer reads its things ahead of its turn', () => {
  it('reads while the writes ahead are in flight, and the joins that queued up go in one write', async () => {
    const { t, tables, dm } = await started();
    t.gate(true);
    const first = dm.join('s', FIGHTER);
    const firstWrite = await t.next();
    const rest = [dm.join('s', WIZARD), dm.join('s', CLERIC)];
    await idle();
    // Both read while the first join's write waits at its gate, and both are applied.
    expect(tables.reads).toEqual(['thorin', 'elara', 'mira']);
    expect(dm.session('s')!.log.length).toBe(4);
    firstWrite.release();
    await first;
    (await t.next()).release();
    await Promise.all(rest);
    expect(t.writes.slice(-2)).toEqual([[1], [2, 3]]);
    expect(t.stored.get('s')!.entries.map(readNumber)).toEqual([undefined, 1, 2, 3]);
    await dm.close();
  });

  it("waits for the store to take an unsaved command of the newcomer's own (its leave) before reading", async () => {
    const { t, tables, dm } = await started();
    await dm.join('s', FIGHTER);
    await dm.join('s', WIZARD);
    t.gate(true);
    const left = dm.leave('s', 'thorin');
    const leaveWrite = await t.next();
    const back = dm.join('s', FIGHTER);
    await idle();
    expect(tables.reads).toEqual(['thorin', 'elara']);
    leaveWrite.release();
    await left;
    await idle();
    expect(tables.reads).toEqual(['thorin', 'elara', 'thorin']);
    (await t.next()).release();
    await back;
    expect(readNumber(t.stored.get('s')!.entries.at(-1))).toBe(3);
    await dm.close();
  });

  it('reads again in its turn when a command of the newcomer was applied after its read began', async () => {
    const { t, tables, dm } = await started();
    // Joined, gone and back, all asked at once: the third call's read ahead saw the tables as
    // they were before the first two, so its inputs come from a read made after both were stored.
    const calls = [dm.join('s', FIGHTER), dm.leave('s', 'thorin'), dm.join('s', FIGHTER)];
    await Promise.all(calls);
    const joins = t.stored.get('s')!.entries.filter((e) => e.command.kind === 'join');
    expect(joins.map(readNumber)).toEqual([1, 3]);
    expect(tables.reads).toEqual(['thorin', 'thorin', 'thorin']);
    await dm.close();
  });
});

describe('which unsaved commands concern a character', () => {
  const entry = (command: Command) => ({ entry: { seq: 1, command, version: 1, accepted: true, events: [] }, state: {} as GameState, effects: { events: [] } });
  const action = (characterId: string): Command => ({ kind: 'action', action: { type: 'exploration.look', characterId } });

  it('its own join, leave, turn timeout and action, and the end of the session', () => {
    expect(commandConcerns({ kind: 'join', character: FIGHTER }, 'thorin')).toBe(true);
    expect(commandConcerns({ kind: 'leave', characterId: 'thorin' }, 'thorin')).toBe(true);
    expect(commandConcerns({ kind: 'timeout', characterId: 'thorin' }, 'thorin')).toBe(true);
    expect(commandConcerns(action('thorin'), 'thorin')).toBe(true);
    expect(commandConcerns({ kind: 'end', reason: 'over' }, 'thorin')).toBe(true);
  });

  it("not another character's, nor the session's creation", () => {
    expect(commandConcerns({ kind: 'join', character: WIZARD }, 'thorin')).toBe(false);
    expect(commandConcerns({ kind: 'leave', characterId: 'elara' }, 'thorin')).toBe(false);
    expect(commandConcerns(action('elara'), 'thorin')).toBe(false);
    expect(commandConcerns({ kind: 'create', sessionId: 's', seed: 1 }, 'thorin')).toBe(false);
  });

  it("another's command with an item intent for the character concerns it", () => {
    const grant = { ...entry(action('elara')), effects: { events: [], items: [{ kind: 'grant' as const, characterId: 'thorin', items: [], source: 'test' }] } };
    expect(concerns(grant, 'thorin')).toBe(true);
    expect(concerns(entry(action('elara')), 'thorin')).toBe(false);
  });
});
