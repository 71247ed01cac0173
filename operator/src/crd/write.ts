// Writes the generated CRD into crds/ (run from anywhere: paths are relative to the repo root).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_FILE, renderCharacterCrdYaml } from './generate.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const target = join(root, CRD_FILE);
writeFileSync(target, renderCharacterCrdYaml());
process.stdout.write(`wrote ${target}\n`);
