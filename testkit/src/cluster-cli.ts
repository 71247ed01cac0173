// `make cluster-up` / `make cluster-down`: the local control plane for a person to use.
// `up` starts a detached supervisor that owns every server process; `down` stops it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from './controlplane.ts';
import { missingNodePrograms } from './node-binaries.ts';
import { startRealNode } from './node.ts';

const stateDir = process.env.DUNGEON_CLUSTER_DIR ?? join(homedir(), '.cache', 'distributed-dungeon', 'cluster');
const pidFile = join(stateDir, 'supervisor.pid');
const readyFile = join(stateDir, 'ready');
const kubeconfigLink = join(stateDir, 'kubeconfig');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  return Number.isInteger(pid) && alive(pid) ? pid : undefined;
}

async function up(): Promise<void> {
  const pid = runningPid();
  if (pid) {
    console.log(`local control plane already running (supervisor pid ${pid})`);
    console.log(`export KUBECONFIG=${kubeconfigLink}`);
    return;
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(readyFile, { force: true });
  const logFile = join(stateDir, 'supervisor.log');
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'supervise'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  const deadline = Date.now() + 30 * 60_000; // a cold cache builds the binaries first
  let shown = 0;
  while (Date.now() < deadline) {
    const log = readFileSync(logFile, 'utf8');
    process.stdout.write(log.slice(shown));
    shown = log.length;
    if (existsSync(readyFile)) {
      const registryFile = join(stateDir, 'registry');
      const registry = existsSync(registryFile) ? readFileSync(registryFile, 'utf8').trim() : '';
      console.log(`\nlocal control plane is up. To use it:\n  export KUBECONFIG=${kubeconfigLink}`);
      if (registry) {
        console.log(`  DUNGEON_REGISTRY=${registry}`);
        console.log(`  (a real node pulls from that registry over plain HTTP: podman push --tls-verify=false ${registry}/you/character:1.0.0)`);
      }
      console.log('  kubectl get nodes\nStop it with: make cluster-down');
      return;
    }
    if (!alive(child.pid!)) throw new Error(`the control plane supervisor exited; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the control plane did not come up in time; see ${logFile}`);
}

/** The real node where its programs are installed (DUNGEON_NODE=kwok forces the fake one). */
async function startCluster() {
  const progress = (l: string) => console.log(`[cluster] ${l}`);
  rmSync(join(stateDir, 'registry'), { force: true });
  const missing = missingNodePrograms();
  if (process.env.DUNGEON_NODE === 'kwok' || missing.length > 0) {
    console.log(`[cluster] kwok (fake) node: ${process.env.DUNGEON_NODE === 'kwok' ? 'DUNGEON_NODE=kwok' : `missing ${missing.join(', ')} (scripts/node-deps.sh installs them)`}`);
    const cp = await startControlPlane({ progress });
    return { cp, stop: () => cp.stop() };
  }
  const node = await startRealNode({ progress });
  writeFileSync(join(stateDir, 'registry'), node.registry);
  return { cp: node.cluster, stop: () => node.stop() };
}

async function supervise(): Promise<void> {
  const { cp, stop } = await startCluster();
  writeFileSync(kubeconfigLink, readFileSync(cp.kubeconfigPath));
  writeFileSync(join(stateDir, 'workdir'), cp.workdir);
  writeFileSync(readyFile, cp.server);
  console.log(`[cluster] ready: ${cp.server} (Kubernetes ${cp.version}); logs in ${cp.workdir}`);
  const shutdown = async () => {
    await stop();
    rmSync(readyFile, { force: true });
    rmSync(pidFile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  setInterval(() => undefined, 1 << 30);
}

async function down(): Promise<void> {
  const pid = runningPid();
  if (!pid) {
    console.log('local control plane is not running');
    rmSync(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGTERM');
  // A real node stops its containers and unmounts their volumes first.
  const deadline = Date.now() + 120_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  // The supervisor leads its own process group: take every server with it if it did not go quietly.
  if (alive(pid)) process.kill(-pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  console.log('local control plane stopped');
}

const command = process.argv[2];
const actions: Record<string, () => Promise<void>> = { up, down, supervise };
const action = command ? actions[command] : undefined;
if (!action) {
  console.error('usage: cluster-cli.ts up|down');
  process.exit(2);
}
action().catch((err: Error) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
