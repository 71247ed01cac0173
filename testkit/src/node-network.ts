import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { CLUSTER_CIDR, nodeAddresses, POD_GATEWAY, POD_SUBNET, type NodeAddresses } from './node-config.ts';

const run = promisify(execFile);

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args)).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

export interface NodeNetwork {
  name: string;
  hostVeth: string;
  addresses: NodeAddresses;
}

/** `nsenter` arguments that run a command in the node's network namespace and nothing else (mounts stay shared). */
export function inNetns(netns: string, command: string, args: string[]): string[] {
  return [`--net=/run/netns/${netns}`, '--', command, ...args];
}

/**
 * The node's network namespace: a veth pair to the host (the only way out, to the apiserver and
 * the registry on the host end), the pods' bridge with the pods' gateway address, forwarding and
 * bridge netfilter on for kube-proxy and kube-router, and pod traffic leaving for the host
 * masqueraded behind the node address so the host needs no route back. No default route.
 */
export async function createNodeNetwork(slot: number): Promise<NodeNetwork> {
  const addresses = nodeAddresses(slot);
  const name = `dungeon-node-${slot}`;
  const hostVeth = `ddn${slot}h`;
  const nodeVeth = `ddn${slot}n`;
  const ns = (cmd: string, ...args: string[]) => sh('ip', ['netns', 'exec', name, cmd, ...args]);
  await sh('ip', ['netns', 'add', name]);
  const net: NodeNetwork = { name, hostVeth, addresses };
  try {
    await sh('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nodeVeth]);
    await sh('ip', ['link', 'set', nodeVeth, 'netns', name]);
    await sh('ip', ['addr', 'add', `${addresses.hostIp}/30`, 'dev', hostVeth]);
    await sh('ip', ['link', 'set', hostVeth, 'up']);
    await ns('ip', 'link', 'set', 'lo', 'up');
    await ns('ip', 'addr', 'add', `${addresses.nodeIp}/30`, 'dev', nodeVeth);
    await ns('ip', 'link', 'set', nodeVeth, 'up');
    await ns('ip', 'link', 'add', 'cni0', 'type', 'bridge');
    await ns('ip', 'addr', 'add', `${POD_GATEWAY}/${POD_SUBNET.split('/')[1]}`, 'dev', 'cni0');
    await ns('ip', 'link', 'set', 'cni0', 'up');
    await ns('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    await ns('sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1');
    await ns('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', CLUSTER_CIDR, '-o', nodeVeth, '-j', 'MASQUERADE');
  } catch (err) {
    await destroyNodeNetwork(net);
    throw err;
  }
  return net;
}

/** Deleting the namespace takes its bridge, its iptables rules and ipsets, and both veth ends with it. */
export async function destroyNodeNetwork(net: NodeNetwork): Promise<void> {
  await sh('ip', ['netns', 'delete', net.name]).catch(() => undefined);
  await sh('ip', ['link', 'delete', net.hostVeth]).catch(() => undefined);
}

/**
 * After the kubelet has stopped: kill every container this node's containerd runs, remove the
 * pods' network namespaces it made, and unmount everything under the node's folder (volumes,
 * root file systems), so stopping containerd leaves nothing behind.
 */
export async function cleanUpContainers(o: { socket: string; workdir: string; say: (l: string) => void }): Promise<void> {
  const ctr = (...args: string[]) => sh('ctr', ['--address', o.socket, '--namespace', 'k8s.io', ...args]);
  const tasks = (await ctr('tasks', 'ls').catch(() => ''))
    .split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2 && f[0]);
  const netnsInodes = new Set<number>();
  for (const [, pid] of tasks) {
    try {
      netnsInodes.add(statSync(`/proc/${pid}/ns/net`).ino);
    } catch {
      // The task ended on its own; nothing of it to find.
      continue;
    }
  }
  for (const [id] of tasks) await ctr('tasks', 'kill', '--all', '--signal', 'SIGKILL', id!).catch(() => undefined);
  // A killed task is deleted once it has exited; "not found" means containerd already reaped it.
  for (const [id] of tasks) {
    for (let i = 0; i < 20; i++) {
      const gone = await ctr('tasks', 'delete', '--force', id!).then(() => true, (err: Error) => /not found/i.test(err.message));
      if (gone) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // Pod network namespaces are bind mounts under /run/netns; ours are those our containers were in.
  for (const entry of safeReaddir('/run/netns')) {
    const path = `/run/netns/${entry}`;
    let ino: number;
    try {
      ino = statSync(path).ino;
    } catch {
      continue;
    }
    if (!entry.startsWith('cni-') || !netnsInodes.has(ino)) continue;
    await sh('umount', [path]).catch(() => undefined);
    rmSync(path, { force: true });
  }
  // Shims exit once their tasks are deleted; any left that serve our socket are ours to end.
  for (const pid of processesMentioning(o.socket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      continue;
    }
  }
  await unmountUnder(o.workdir);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      continue;
    }
  }
  return pids;
}

/** Lazily unmounts every mount point under `dir`, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await sh('umount', ['-l', p]).catch(() => undefined);
}
