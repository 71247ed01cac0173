import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const controlplaneDir = join(here, '..', 'controlplane');

export interface ControlPlaneVersions {
  KUBERNETES_VERSION: string;
  ETCD_VERSION: string;
  KWOK_VERSION: string;
}

export function pinnedVersions(): ControlPlaneVersions {
  const text = readFileSync(join(controlplaneDir, 'versions.env'), 'utf8');
  const entries = Object.fromEntries(
    text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split('=') as [string, string]),
  );
  for (const k of ['KUBERNETES_VERSION', 'ETCD_VERSION', 'KWOK_VERSION']) {
    if (!entries[k]) throw new Error(`testkit/controlplane/versions.env is missing ${k}`);
  }
  return entries as unknown as ControlPlaneVersions;
}

/** Where build.sh puts the binaries for the pinned versions (the same key it uses). */
export function controlPlaneBinDir(): string {
  const v = pinnedVersions();
  const root = process.env.DUNGEON_CACHE ?? join(homedir(), '.cache', 'distributed-dungeon');
  return join(root, 'controlplane', `k8s-${v.KUBERNETES_VERSION}_etcd-${v.ETCD_VERSION}_kwok-${v.KWOK_VERSION}`, 'bin');
}

/** Builds the control plane if the cache lacks it; progress goes to the terminal. */
export function ensureControlPlaneBinaries(): string {
  const bin = controlPlaneBinDir();
  const done = existsSync(join(bin, '..', '.complete'));
  if (!done) {
    const res = spawnSync('bash', [join(controlplaneDir, 'build.sh')], { stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`building the local control plane failed (exit ${res.status}); see the output above`);
  }
  return bin;
}
