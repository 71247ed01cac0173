import { Action } from '@distributed-dungeon/contracts';
import type { CharacterBase, CharacterConfig, HookResult } from '../character/base.ts';
import type { GameState } from '../types.ts';
import { describeEvent } from './fight-log.ts';
import { PracticeItems } from './practice-items.ts';
import type { Rules, RulesState } from './rules.ts';

// `dungeon test`: one seeded fight, offline, with the game's real rules. The character's hooks
// decide as they would in a session (the rules' character view is what the runtime hands them);
// the rules answer with their events, which are told as lines. Same seed, same module: same fight.

export interface PracticeFightOptions {
  rules: Rules;
  world: unknown;
  character: CharacterBase;
  config: CharacterConfig;
  seed: number;
  /** Actions before giving up (a character that never finds or finishes a fight). */
  maxSteps?: number;
  onLine?: (line: string) => void;
}

export interface PracticeFightResult {
  /**
   * `won`: the first fight ended with the character standing where it was fought; `lost`: the
   * character fell; `fled`: it left the fight alive; `unfinished`: the fight was still on when the
   * run stopped (too many refused actions, or --steps); `no-fight`: it never met one.
   */
  result: 'won' | 'lost' | 'fled' | 'unfinished' | 'no-fight';
  rounds: number;
  hp: number;
  maxHp: number;
  actions: number;
  /** Hook failures and actions the rules refused or the wire schema rejected: a player's bugs. */
  problems: string[];
  lines: string[];
}

const CHARACTER_ID_FALLBACK = 'practice-character';

export async function practiceFight(o: PracticeFightOptions): Promise<PracticeFightResult> {
  const { rules, character, config } = o;
  const id = config.characterId ?? CHARACTER_ID_FALLBACK;
  const lines: string[] = [];
  const problems: string[] = [];
  const names = new Map<string, string>([[id, config.name]]);
  const tell = (line: string) => {
    lines.push(line);
    o.onLine?.(line);
  };
  // What the character carries: the platform's item tables, played offline by a ledger.
  const items = new PracticeItems();
  const apply = (r: { state: RulesState; events: { type: string; data: Record<string, unknown> }[]; items?: Parameters<PracticeItems['apply']>[0] }) => {
    for (const e of r.events) for (const line of describeEvent(e, names)) tell(line);
    items.apply(r.items);
    return r.state;
  };
  const viewOf = (s: RulesState) => rules.characterView(s, id, items.view());

  let state = apply(rules.createSession(o.world, `practice-${o.seed}`, o.seed));
  const joined = rules.joinCharacter(state, { characterId: id, name: config.name, class: config.class, level: config.level }, undefined, items.inputs());
  if (!joined.accepted) throw new Error(`the rules refused ${config.name}: ${joined.message ?? joined.reason} (check "class" and "level" in character.json)`);
  state = apply(joined);

  let inFight = false;
  let fightRoom: string | null = null;
  let rounds = 0;
  let actions = 0;
  let refusedInARow = 0;
  let outcome: PracticeFightResult['result'] | null = null;
  const maxSteps = o.maxSteps ?? 300;

  for (let step = 0; step < maxSteps && state.status === 'active'; step++) {
    const view = viewOf(state) as GameState;
    if (!view.me.alive) break;
    if (view.combat) {
      inFight = true;
      fightRoom ??= view.combat.roomId;
      rounds = Math.max(rounds, view.combat.round);
    } else if (inFight) {
      break;
    }
    const hook = view.combat ? 'onCombatTurn' : (view.room.npcs?.length ?? 0) > 0 && character.capabilities.includes('social') && step % 2 === 1 ? 'onSocial' : 'onExplore';
    if (view.combat && !view.combat.myTurn) {
      problems.push(`the rules left ${config.name} in a fight without its turn (round ${view.combat.round})`);
      break;
    }
    let draft: HookResult = null;
    try {
      draft = await character[hook](view);
    } catch (err) {
      problems.push(`${hook} threw: ${(err as Error)?.message ?? String(err)}`);
      tell(`   ⚠ ${hook} threw: ${(err as Error)?.message ?? String(err)}${view.combat ? ' — the game makes it defend' : ''}`);
    }
    if (!draft) {
      if (view.combat) {
        state = apply(rules.applyTimeout(state, id));
        actions++;
        continue;
      }
      if (hook === 'onSocial') continue;
      tell(`   ${config.name} has nothing more to do (onExplore returned nothing) before any fight`);
      break;
    }
    const parsed = Action.safeParse({ ...draft, characterId: id, clientActionId: `practice-${step}` });
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'action'}: ${i.message}`).join('; ');
      problems.push(`${hook} returned an action the game does not accept: ${JSON.stringify(draft)} (${why})`);
      tell(`   ⚠ ${hook} returned an invalid action ${JSON.stringify(draft)}: ${why}`);
      if (view.combat) state = apply(rules.applyTimeout(state, id));
      if (++refusedInARow >= 5) break;
      continue;
    }
    const r = rules.applyAction(state, parsed.data, undefined, items.inputs());
    actions++;
    if (!r.accepted) {
      problems.push(`${parsed.data.type} refused: ${r.message ?? r.reason}`);
      tell(`   ⚠ the game refuses ${parsed.data.type}: ${r.message ?? r.reason}`);
      if (view.combat) state = apply(rules.applyTimeout(state, id));
      if (++refusedInARow >= 5) {
        tell('   five refusals in a row: stopping');
        break;
      }
      continue;
    }
    refusedInARow = 0;
    state = apply(r);
  }

  const me = viewOf(state).me;
  if (!me.alive) outcome = 'lost';
  else if (!inFight) outcome = 'no-fight';
  else if (state.status === 'active' && viewOf(state).combat) outcome = 'unfinished';
  // Out of the fight and alive: it won where the fight was, or it fled from there.
  else outcome = me.roomId === fightRoom || state.status !== 'active' ? 'won' : 'fled';
  return { result: outcome, rounds, hp: me.hp, maxHp: me.maxHp, actions, problems, lines };
}
