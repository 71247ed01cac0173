import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadCharacter, loadCharacterConfig } from '../runtime/config.ts';
import { practiceFight, type PracticeFightResult } from './practice-fight.ts';
import { loadRules, loadWorld, RulesMissingError } from './rules.ts';
import { UsageError } from './usage-error.ts';

export interface OfflineTestArgs {
  module: string;
  seed?: string;
  config?: string;
  world?: string;
  steps?: string;
}

/**
 * `dungeon test <module>`: one seeded fight offline with the game's real rules, told as it
 * happens, then the result. Exit 0 when the character played it without a problem (won or
 * lost: both are results), 1 when a hook threw or an action was refused.
 */
export async function offlineTest(args: OfflineTestArgs, say: (line: string) => void): Promise<{ code: number; result: PracticeFightResult }> {
  const modulePath = path.resolve(args.module);
  const found = await stat(modulePath).catch(() => null);
  if (!found?.isFile()) throw new UsageError(`no character module at ${modulePath} (dungeon test character.ts)`);
  const seed = args.seed === undefined ? randomInt(1, 1_000_000) : Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 4_294_967_295) throw new UsageError(`--seed must be a whole number from 0 to 4294967295, got "${args.seed}"`);
  const maxSteps = args.steps === undefined ? 300 : Number(args.steps);
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 100_000) throw new UsageError(`--steps must be a whole number from 1 to 100000, got "${args.steps}"`);
  const configDir = path.resolve(args.config ?? path.dirname(modulePath));
  const config = await loadCharacterConfig(configDir).catch((err: unknown) => {
    if (err instanceof ConfigError) throw new ConfigError(`${err.message} (put a character.json with name, class and level next to the module, or pass --config DIR; dungeon init makes one)`);
    throw err;
  });

  let rulesAndWorld;
  try {
    const { rules, worlds } = await loadRules();
    rulesAndWorld = { rules, world: await loadWorld(rules, worlds, args.world ?? 'crypt-of-dawn') };
  } catch (err) {
    if (err instanceof RulesMissingError) throw new UsageError(err.message);
    throw err;
  }
  const character = await loadCharacter(modulePath, config);
  say(`dungeon test: ${config.name} (${config.class} ${config.level}) from ${path.relative(process.cwd(), modulePath) || modulePath}, world ${args.world ?? 'crypt-of-dawn'}, seed ${seed}`);
  const result = await practiceFight({ ...rulesAndWorld, character, config, seed, maxSteps, onLine: say });
  const verdict = { won: 'won the fight', lost: 'fell in the fight', fled: 'left the fight alive', unfinished: 'did not finish the fight', 'no-fight': 'met no fight' }[result.result];
  say('');
  say(`result: ${config.name} ${verdict} — ${result.hp}/${result.maxHp} hp, ${result.rounds} round(s), ${result.actions} action(s)`);
  if (result.problems.length > 0) {
    say(`problems (${result.problems.length}):`);
    for (const p of result.problems) say(`  - ${p}`);
  }
  say(`same fight again: dungeon test ${args.module} --seed ${seed}`);
  return { code: result.problems.length > 0 || result.result === 'no-fight' || result.result === 'unfinished' ? 1 : 0, result };
}
