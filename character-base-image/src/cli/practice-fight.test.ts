import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CharacterBase, type CharacterConfig } from '../character/base.ts';
import { CombatAI } from '../ai/combat.ts';
import { offlineTest } from './offline-test.ts';
import { practiceFight } from './practice-fight.ts';
import { loadRules, loadWorld } from './rules.ts';

const thorin: CharacterConfig = { characterId: 'thorin', name: 'Thorin Ironbeard', class: 'fighter', level: 5 };

class Aggressive extends CharacterBase {
  override async onCombatTurn(s: Parameters<CharacterBase['onCombatTurn']>[0]) {
    return new CombatAI({ aggressive: true }).decideCombatAction(s);
  }
}

async function fight(seed: number, character: CharacterBase = new Aggressive(thorin)) {
  const { rules, worlds } = await loadRules();
  return practiceFight({ rules, world: await loadWorld(rules, worlds, 'crypt-of-dawn'), character, config: thorin, seed });
}

describe('dungeon test: a seeded fight with the real rules', () => {
  it('plays the first fight of the crypt to its end, the same way for the same seed', async () => {
    const a = await fight(7);
    const b = await fight(7);
    expect(a.lines).toEqual(b.lines);
    expect(a.lines.some((l) => /^⚔ fight in [A-Z][^:]*: .+\(\d+ hp, AC \d+/.test(l))).toBe(true);
    expect(a.lines.some((l) => l.startsWith('🏁 the fight ends'))).toBe(true);
    expect(['won', 'lost', 'fled']).toContain(a.result);
    expect(a.problems).toEqual([]);
    expect(a.rounds).toBeGreaterThan(0);
  });

  it('plays another fight for another seed', async () => {
    expect((await fight(7)).lines).not.toEqual((await fight(8)).lines);
  });

  it('names an action the game does not accept and does not count the fight as finished', async () => {
    class Broken extends CharacterBase {
      override async onCombatTurn() {
        return { type: 'combat.attack', target: 42 } as never;
      }
    }
    const r = await fight(7, new Broken(thorin));
    expect(r.result === 'unfinished' || r.result === 'lost').toBe(true);
    expect(r.problems[0]).toMatch(/onCombatTurn returned an action the game does not accept: .*target/);
  });
});

describe('dungeon test: what the character carries', () => {
  it('starts with its class kit, drinks its one potion, and cannot drink it twice', async () => {
    const carried: string[][] = [];
    class Drinker extends CharacterBase {
      override async onCombatTurn(s: Parameters<CharacterBase['onCombatTurn']>[0]) {
        carried.push(s.me.inventory.map((i) => `${i.item_id}×${i.quantity}`));
        return carried.length <= 2 ? { type: 'item.use' as const, itemId: 'healing-potion' } : new CombatAI({ aggressive: true }).decideCombatAction(s);
      }
    }
    const r = await fight(7, new Drinker(thorin));
    expect(carried[0]).toEqual(['longsword×1', 'healing-potion×1']);
    expect(carried[1]).toEqual(['longsword×1']);
    expect(r.lines.some((l) => l.includes('Thorin Ironbeard uses Healing potion'))).toBe(true);
    expect(r.problems[0]).toMatch(/item\.use refused: .*carries no "healing-potion"/);
  });

  it('equips what it carries: the view shows the slot and the rules roll with it', async () => {
    let seen: unknown;
    class Wielder extends CharacterBase {
      override async onCombatTurn(s: Parameters<CharacterBase['onCombatTurn']>[0]) {
        if (!s.me.equipment?.weapon) return { type: 'item.equip' as const, itemId: 'longsword' };
        seen ??= s.me.equipment;
        return new CombatAI({ aggressive: true }).decideCombatAction(s);
      }
    }
    const r = await fight(7, new Wielder(thorin));
    expect(seen).toEqual({ weapon: { item_id: 'longsword', name: 'Longsword', quantity: 1 } });
    expect(r.lines.some((l) => /Thorin Ironbeard equips Longsword/.test(l))).toBe(true);
    expect(r.problems).toEqual([]);
  });
});

describe('dungeon test: what it says when it cannot start', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('asks for a character.json when there is none beside the module', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dungeon-test-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'character.mjs'), 'export default {}');
    await expect(offlineTest({ module: path.join(dir, 'character.mjs'), seed: '1' }, () => undefined)).rejects.toThrow(/character\.json.*--config DIR/);
  });

  it('refuses a seed that is not a number', async () => {
    await expect(offlineTest({ module: new URL('../../examples/fighter/character.ts', import.meta.url).pathname, seed: 'abc' }, () => undefined)).rejects.toThrow(/--seed must be a whole number/);
  });
});
