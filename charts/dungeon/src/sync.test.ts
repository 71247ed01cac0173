// The chart's copies of files that have one source elsewhere: the CRD (crds/) and the operator's
// ClusterRole (operator/rbac/). scripts/sync-chart-crds.sh refreshes them; this fails until it
// has been run after a source changed.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chartDir, repoRoot } from './chart.ts';

const fix = 'run scripts/sync-chart-crds.sh';

describe('one source for the files the chart copies', () => {
  it('charts/dungeon/crds/ holds exactly the CRDs of crds/, byte for byte', () => {
    const sources = readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml')).sort();
    expect(sources).toContain('characters.distributed-dungeon.io.yaml');
    expect(readdirSync(join(chartDir, 'crds')).sort(), fix).toEqual(sources);
    for (const f of sources) {
      const copy = readFileSync(join(chartDir, 'crds', f), 'utf8');
      expect(copy === readFileSync(join(repoRoot, 'crds', f), 'utf8'), `charts/dungeon/crds/${f} differs from crds/${f}: ${fix}`).toBe(true);
    }
  });

  it.each([
    ['operator-clusterrole.yaml', 'clusterrole.yaml'],
    ['operator-player-namespace-clusterrole.yaml', 'player-namespace-clusterrole.yaml'],
  ])('files/%s is operator/rbac/%s, byte for byte', (copy, original) => {
    const source = join(repoRoot, 'operator', 'rbac', original);
    expect(existsSync(source), `operator/rbac/${original} is missing (the operator owns it)`).toBe(true);
    const same = readFileSync(join(chartDir, 'files', copy), 'utf8') === readFileSync(source, 'utf8');
    expect(same, `charts/dungeon/files/${copy} differs from operator/rbac/${original}: ${fix}`).toBe(true);
  });

  it('the script agrees: --check passes now', async () => {
    const { stderr } = await promisify(execFile)('bash', [join(repoRoot, 'scripts', 'sync-chart-crds.sh'), '--check']);
    expect(stderr).toBe('');
  });
});
