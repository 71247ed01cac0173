import { access, readFile } from 'node:fs/promises';
import type { Action, CharacterGameView, GameEvent } from '@distributed-dungeon/contracts';
import type { PracticeInputs, PracticeIntent, PracticeView } from './practice-items.ts';

// The game's real rules for `dungeon test`. A packed SDK carries them in dist/rules/ (bundled
// from api-server/src/game by build/bundle-rules.mjs at pack time); run from this repository's
// sources they are read from the api-server's sources directly. Only the part of their public
// entry (api-server/src/game/index.ts) the offline fight uses is typed here, so the SDK's own
// types never name the api-server's.

/** A session's state: plain JSON, opaque to the SDK apart from whether it is still going. */
export interface RulesState {
  status: string;
  version: number;
}

export interface RulesResult {
  state: RulesState;
  events: GameEvent[];
  accepted: boolean;
  reason?: string;
  message?: string;
  /** What the rules ask of the item tables (the practice ledger applies them). */
  items?: PracticeIntent[];
}

export interface Rules {
  parseWorld(input: unknown, source?: string): unknown;
  createSession(world: unknown, sessionId: string, seed: number): RulesResult;
  joinCharacter(state: RulesState, c: { characterId: string; name: string; class: string; level: number }, rng: undefined, inputs: PracticeInputs): RulesResult;
  applyAction(state: RulesState, action: Action, rng: undefined, inputs: PracticeInputs): RulesResult;
  applyTimeout(state: RulesState, characterId: string): RulesResult;
  characterView(state: RulesState, characterId: string, items: PracticeView): CharacterGameView;
}

const BUNDLED = new URL('../rules/game.js', import.meta.url);
const BUNDLED_WORLDS = new URL('../rules/worlds/', import.meta.url);
const SOURCE = new URL('../../../api-server/src/game/index.ts', import.meta.url);
const SOURCE_WORLDS = new URL('../../../api-server/worlds/', import.meta.url);

const exists = (u: URL) =>
  access(u).then(
    () => true,
    () => false,
  );

export class RulesMissingError extends Error {}

/** The rules and the folder of their worlds: the bundled copy, else the repository's sources. */
export async function loadRules(): Promise<{ rules: Rules; worlds: URL; from: 'bundled' | 'source' }> {
  if (await exists(BUNDLED)) return { rules: (await import(BUNDLED.href)) as Rules, worlds: BUNDLED_WORLDS, from: 'bundled' };
  if (import.meta.url.endsWith('.ts') && (await exists(SOURCE))) return { rules: (await import(SOURCE.href)) as Rules, worlds: SOURCE_WORLDS, from: 'source' };
  throw new RulesMissingError(
    `this copy of the SDK has no rules bundled (${BUNDLED.pathname} is missing): install the SDK from a tarball made with npm pack (its prepack bundles them), or run npm pack again`,
  );
}

/** A bundled world by id (`crypt-of-dawn`), validated by the rules' own parser. */
export async function loadWorld(rules: Rules, worlds: URL, id: string): Promise<unknown> {
  if (!/^[a-z0-9][-a-z0-9]{0,62}$/.test(id)) throw new RulesMissingError(`--world must be a world id such as crypt-of-dawn, got "${id}"`);
  const file = new URL(`${id}.json`, worlds);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new RulesMissingError(`no world "${id}" comes with the rules (${worlds.pathname}); the SDK bundles crypt-of-dawn`);
  });
  return rules.parseWorld(JSON.parse(text), file.pathname);
}
