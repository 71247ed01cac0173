// The files `dungeon init` writes: a character a player can run, test and ship as it is.
import { ABILITY_CATALOGUE, ABILITY_KINDS, abilitiesOpenTo, picksAllowed } from '@distributed-dungeon/contracts';

export const CLASSES = ['fighter', 'wizard', 'rogue', 'cleric', 'ranger', 'bard'] as const;
export type ScaffoldClass = (typeof CLASSES)[number];

export interface ScaffoldOptions {
  /** Kubernetes-style name: the folder's, the Character's and the characterId. */
  name: string;
  displayName: string;
  class: ScaffoldClass;
  level: number;
  language: 'ts' | 'js';
  sdkVersion: string;
}

const SPELLS: Record<ScaffoldClass, string[]> = {
  fighter: [],
  wizard: ['fire-bolt', 'magic-missile'],
  rogue: [],
  cleric: ['sacred-flame', 'heal'],
  ranger: ['heal'],
  bard: ['vicious-mockery', 'heal'],
};

const AGGRESSIVE: Record<ScaffoldClass, boolean> = { fighter: true, wizard: false, rogue: true, cleric: false, ranger: false, bard: false };

function moduleSource(o: ScaffoldOptions): string {
  const cls = o.displayName.replace(/[^A-Za-z0-9]/g, '') || 'MyCharacter';
  const body = `  constructor(config) {
    super(config);
    this.combatAI = new CombatAI({ aggressive: ${AGGRESSIVE[o.class]}${SPELLS[o.class].length ? ', preferSpells: true' : ''} });
    this.explorationAI = new ExplorationAI({ cautious: ${!AGGRESSIVE[o.class]} });
  }

  // Your turn in a fight: return an action (combat.attack, combat.cast, combat.defend, combat.flee).
  async onCombatTurn(gameState) {
    return this.combatAI.decideCombatAction(gameState);
  }

  // Out of combat: the corpses and chests here to empty.
  async onLoot(gameState) {
    return lootableContainers(gameState, { corpses: 'all', chests: true });
  }
`;
  if (o.language === 'js') {
    return `// ${o.displayName}: a ${o.class} for Distributed Dungeon (CommonJS).
const { CharacterBase, CombatAI, ExplorationAI, lootableContainers } = require('@distributed-dungeon/character-sdk');

class ${cls} extends CharacterBase {
${body}}

module.exports = ${cls};
`;
  }
  const typed = body
    .replace('constructor(config)', 'constructor(config: CharacterConfig)')
    .replace('async onCombatTurn(gameState)', 'override async onCombatTurn(gameState: GameState)')
    .replace('async onLoot(gameState)', 'override async onLoot(gameState: GameState): Promise<string[]>')
    .replace('return this.combatAI.decide', 'return this.combatAI!.decide');
  return `// ${o.displayName}: a ${o.class} for Distributed Dungeon.
import { CharacterBase, CombatAI, ExplorationAI, lootableContainers, type CharacterConfig, type GameState } from '@distributed-dungeon/character-sdk';

export default class ${cls} extends CharacterBase {
${typed}}
`;
}

function testSource(o: ScaffoldOptions, moduleFile: string): string {
  return `// \`npm test\` (node --test): the character loads and answers a combat turn with a valid action.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Action, loadCharacter, practiceState } from '@distributed-dungeon/character-sdk';

const config = JSON.parse(readFileSync(new URL('./character.json', import.meta.url), 'utf8'));

test('${o.displayName.replace(/'/g, "\\'")} answers its combat turn', async () => {
  const character = await loadCharacter(fileURLToPath(new URL('./${moduleFile}', import.meta.url)), config);
  const state = practiceState(config, { monsters: [{ name: 'goblin', hp: 7, ac: 13 }] });
  const action = await character.onCombatTurn(state);
  assert.ok(action, 'a combat turn must be answered');
  assert.match(action.type, /^combat\\./);
  const checked = Action.safeParse({ ...action, characterId: config.characterId });
  assert.ok(checked.success, checked.success ? '' : checked.error.message);
});
`;
}

/**
 * A valid first choice of abilities for the class and level (contracts' catalogue): of each kind,
 * as many as the class holds, in catalogue order. The player edits abilities.json to choose.
 */
export function starterAbilities(cls: ScaffoldClass, level: number): string[] {
  const open = abilitiesOpenTo(ABILITY_CATALOGUE, cls, level);
  return ABILITY_KINDS.flatMap((kind) => open.filter((a) => a.kind === kind).slice(0, picksAllowed(ABILITY_CATALOGUE, cls, level, kind)).map((a) => a.id));
}

/** Every file of a new character folder, by relative path. */
export function scaffoldFiles(o: ScaffoldOptions): Record<string, string> {
  const moduleFile = o.language === 'ts' ? 'character.ts' : 'character.js';
  const characterJson = {
    characterId: o.name,
    name: o.displayName,
    class: o.class,
    level: o.level,
    capabilities: ['combat', 'exploration', 'social'],
    version: '1.0.0',
  };
  return {
    [moduleFile]: moduleSource(o),
    'character.json': `${JSON.stringify(characterJson, null, 2)}\n`,
    'abilities.json': `${JSON.stringify({ abilities: starterAbilities(o.class, o.level) }, null, 2)}\n`,
    'character.test.mjs': testSource(o, moduleFile),
    'package.json': `${JSON.stringify(
      {
        name: o.name,
        version: '1.0.0',
        private: true,
        ...(o.language === 'js' ? { type: 'commonjs' } : { type: 'module' }),
        scripts: { test: 'node --test', dev: `dungeon dev ${moduleFile}` },
        dependencies: { '@distributed-dungeon/character-sdk': `^${o.sdkVersion}` },
        engines: { node: '>=24' },
      },
      null,
      2,
    )}\n`,
    Dockerfile: `# ${o.displayName}: the character base image plus this one file.
#   docker build -t registry.example/you/${o.name}:1.0.0 .
FROM distributed-dungeon/character-base:latest
COPY ${moduleFile} abilities.json /app/character/
`,
    'character.yaml': `# kubectl apply -n player-you -f character.yaml
apiVersion: distributed-dungeon.io/v1alpha1
kind: Character
metadata:
  name: ${o.name}
spec:
  displayName: ${JSON.stringify(o.displayName)}
  class: ${o.class}
  level: ${o.level}
  image: registry.example/you/${o.name}:1.0.0
  capabilities: [combat, exploration, social]
  storage: { size: 64Mi }
  config: { version: "1.0.0" }
`,
    '.gitignore': 'node_modules/\n.dungeon-data/\n',
  };
}
