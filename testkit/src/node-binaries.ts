import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinnedVersions } from './controlplane-binaries.ts';

const nodeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'node');

export interface NodeVersions {
  COREDNS_VERSION: string;
  KUBE_ROUTER_VERSION: string;
  DISTRIBUTION_VERSION: string;
  PAUSE_VERSION: string;
}

export function nodeVersions(): NodeVersions {
  const text = readFileSync(join(nodeDir, 'versions.env'), 'utf8');
  const entries = Object.fromEntries(
    text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split('=') as [string, string]),
  );
  for (const k of ['COREDNS_VERSION', 'KUBE_ROUTER_VERSION', 'DISTRIBUTION_VERSION', 'PAUSE_VERSION']) {
    if (!entries[k]) throw new Error(`testkit/node/versions.env is missing ${k}`);
  }
  return entries as unknown as NodeVersions;
}

/** Where testkit/node/build.sh puts the node's programs (the same key it uses). */
export function nodeBinDir(): string {
  const v = nodeVersions();
  const k8s = pinnedVersions().KUBERNETES_VERSION;
  const root = process.env.DUNGEON_CACHE ?? join(homedir(), '.cache', 'distributed-dungeon');
  const key = `k8s-${k8s}_coredns-${v.COREDNS_VERSION}_kube-router-${v.KUBE_ROUTER_VERSION}_registry-${v.DISTRIBUTION_VERSION}_pause-${v.PAUSE_VERSION}`;
  return join(root, 'node', key, 'bin');
}

/** Builds the node's programs if the cache lacks them; progress goes to the terminal. */
export function ensureNodeBinaries(): string {
  const bin = nodeBinDir();
  if (!existsSync(join(bin, '..', '.complete'))) {
    const res = spawnSync('bash', [join(nodeDir, 'build.sh')], { stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`building the real node's programs failed (exit ${res.status}); see the output above`);
  }
  return bin;
}

/** Debian programs the node runs as they are; scripts/node-deps.sh installs them. */
export const NODE_SYSTEM_PROGRAMS = ['containerd', 'containerd-shim-runc-v2', 'runc', 'ctr', 'iptables', 'ipset', 'nsenter', 'ip', 'podman'];
export const CNI_BIN_DIR = '/usr/lib/cni';

/** The programs from NODE_SYSTEM_PROGRAMS that are missing on PATH (and the CNI plugins). */
export function missingNodePrograms(path = process.env.PATH ?? ''): string[] {
  const dirs = [...path.split(':'), '/usr/sbin', '/sbin'];
  const missing = NODE_SYSTEM_PROGRAMS.filter((p) => !dirs.some((d) => d && existsSync(join(d, p))));
  for (const plugin of ['bridge', 'host-local', 'loopback', 'portmap']) {
    if (!existsSync(join(CNI_BIN_DIR, plugin))) missing.push(`${CNI_BIN_DIR}/${plugin}`);
  }
  return missing;
}
