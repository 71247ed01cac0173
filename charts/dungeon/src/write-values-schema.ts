// `make chart-schema`: rewrites values.schema.json and the README's values table from values.yaml.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, generated } from './values-schema.ts';

const readmePath = join(chartDir, '..', '..', 'README.md');
const out = generated(readFileSync(readmePath, 'utf8'));
writeFileSync(join(chartDir, 'values.schema.json'), out.schema);
writeFileSync(readmePath, out.readme);
console.log('wrote charts/dungeon/values.schema.json and the values table in README.md');
