import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane, type ControlPlane } from './controlplane.ts';
import { CNI_BIN_DIR, ensureNodeBinaries, missingNodePrograms, nodeVersions } from './node-binaries.ts';
import {
  cniConfig, containerdConfig, coreDnsManifests, kubeletConfig, kubeProxyConfig, NODE_NAME,
  nodeAddresses, POD_SUBNET, SERVICE_CIDR, type NodeAddresses,
} from './node-config.ts';
import { cleanUpContainers, createNodeNetwork, destroyNodeNetwork, inNetns, type NodeNetwork } from './node-network.ts';
import { buildAndPushNodeImages } from './node-images.ts';
import { freePort } from './ports.ts';
import { startProcess, waitUntil, type ManagedProcess } from './process.ts';
import { installStorageClass, startProvisioner } from './provisioner.ts';
import { kubeRequest } from './kube-client.ts';
import { makeWorkdir, removeWorkdir } from './workdir.ts';

const run = promisify(execFile);

export interface RealNode {
  readonly cluster: ControlPlane;
  /** `host:port` of the local registry (plain HTTP) containerd pulls from; push images there. */
  readonly registry: string;
  /** A containers-registries.conf(5) that lets podman push to it over HTTP (CONTAINERS_REGISTRIES_CONF). */
  readonly registriesConf: string;
  readonly nodeName: string;
  readonly addresses: NodeAddresses;
  /** The node's network namespace (`ip netns exec <netns> ...` reaches pod and Service addresses). */
  readonly netns: string;
  readonly workdir: string;
  stop(): Promise<void>;
}

export interface RealNodeOptions {
  progress?: (line: string) => void;
  /** Keep the registry's blobs here between runs (default: under the cache folder), so pushes are quick. */
  registryStorage?: string;
}

/**
 * A real Kubernetes node beside a control plane started for it: containerd (own socket, pulling
 * from a local distribution registry), runc, the CNI bridge, kubelet, kube-proxy (iptables),
 * kube-router enforcing NetworkPolicy, CoreDNS as a pod and hostPath volumes in real folders.
 * The node and its pods live in a network namespace of their own, joined to the host by one
 * veth pair where kube-apiserver and the registry listen; nothing is routed anywhere else.
 */
export async function startRealNode(opts: RealNodeOptions = {}): Promise<RealNode> {
  const say = opts.progress ?? (() => undefined);
  const missing = missingNodePrograms();
  if (missing.length > 0) throw new Error(`the real node needs ${missing.join(', ')}: run scripts/node-deps.sh (Debian packages)`);
  const bin = ensureNodeBinaries();
  const workdir = makeWorkdir('node');
  const cleanups: (() => Promise<void>)[] = [];
  const procs: ManagedProcess[] = [];
  const log = (name: string) => join(workdir, `${name}.log`);
  const dirs = {
    containerdRoot: join(workdir, 'containerd', 'root'),
    containerdState: join(workdir, 'containerd', 'state'),
    cniConf: join(workdir, 'cni', 'net.d'),
    cniIpam: join(workdir, 'cni', 'ipam'),
    kubelet: join(workdir, 'kubelet'),
    staticPods: join(workdir, 'static-pods'),
    volumes: join(workdir, 'volumes'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const socket = join(workdir, 'containerd.sock');

  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: Error) => say(`clean-up: ${err.message}`));
    cleanups.length = 0;
  };
  try {
    say('creating the node network namespace and its veth link');
    const net: NodeNetwork = await createNodeNetwork(await freeSlot());
    cleanups.push(() => destroyNodeNetwork(net));
    const { addresses } = net;

    const registryPort = await freePort();
    const registry = `${addresses.hostIp}:${registryPort}`;
    const registryStorage = opts.registryStorage ?? join(process.env.DUNGEON_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'distributed-dungeon'), 'node-registry');
    mkdirSync(registryStorage, { recursive: true });
    const registryConfig = join(workdir, 'registry.yml');
    writeFileSync(registryConfig, JSON.stringify({
      version: 0.1,
      log: { level: 'warn' },
      storage: { filesystem: { rootdirectory: registryStorage }, delete: { enabled: true } },
      http: { addr: registry },
    }));
    say(`starting the local registry on ${registry}`);
    const reg = startProcess('registry', join(bin, 'registry'), ['serve', registryConfig], { logFile: log('registry'), env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } });
    procs.push(reg);
    cleanups.push(() => reg.stop());
    await waitUntil('registry /v2/', async () => (await fetch(`http://${registry}/v2/`)).ok, { process: reg, timeoutMs: 30_000 });
    const registriesConf = join(workdir, 'registries.conf');
    writeFileSync(registriesConf, `[[registry]]\nlocation = "${registry}"\ninsecure = true\n`);

    say('building the sandbox (pause) and CoreDNS images and pushing them');
    const v = nodeVersions();
    const images = await buildAndPushNodeImages({ bin, registry, registriesConf, workdir, corednsVersion: v.COREDNS_VERSION, pauseVersion: v.PAUSE_VERSION });

    say('starting the control plane on the host end of the veth');
    const cluster = await startControlPlane({
      nodes: 0,
      address: addresses.hostIp,
      provisioner: false,
      // `kubectl logs` and `exec` reach the kubelet at the node's InternalIP.
      apiserverArgs: ['--kubelet-preferred-address-types=InternalIP'],
      progress: (l) => say(`control plane: ${l}`),
      workdir: join(workdir, 'controlplane'),
    });
    cleanups.push(() => cluster.stop());

    writeFileSync(join(workdir, 'containerd.toml'), containerdConfig({
      root: dirs.containerdRoot, state: dirs.containerdState, socket, registry, sandboxImage: images.pause,
      cniConfDir: dirs.cniConf, cniBinDir: CNI_BIN_DIR,
    }));
    writeFileSync(join(dirs.cniConf, '10-dungeon.conflist'), cniConfig({ addresses, ipamDir: dirs.cniIpam }));
    say('starting containerd');
    const containerd = startProcess('containerd', 'nsenter', inNetns(net.name, 'containerd', ['--config', join(workdir, 'containerd.toml')]), { logFile: log('containerd') });
    procs.push(containerd);
    cleanups.push(async () => {
      await cleanUpContainers({ socket, workdir, say });
      await containerd.stop();
    });
    await waitUntil('containerd socket', async () => existsSync(socket), { process: containerd, timeoutMs: 30_000 });

    const resolvConf = join(workdir, 'resolv.conf');
    writeFileSync(resolvConf, '');
    writeFileSync(join(workdir, 'kubelet.json'), kubeletConfig({ socket, nodeIp: addresses.nodeIp, resolvConf, staticPodDir: dirs.staticPods }));
    say('starting kubelet');
    const kubelet = startProcess('kubelet', 'nsenter', inNetns(net.name, join(bin, 'kubelet'), [
      `--config=${join(workdir, 'kubelet.json')}`, `--kubeconfig=${cluster.kubeconfigPath}`,
      `--node-ip=${addresses.nodeIp}`, `--hostname-override=${NODE_NAME}`,
      `--root-dir=${dirs.kubelet}`, `--cert-dir=${join(workdir, 'kubelet-pki')}`, '--v=1',
    ]), { logFile: log('kubelet') });
    procs.push(kubelet);
    // Unmounting the pods' volumes is cleanUpContainers' job; the kubelet only has to be gone first.
    cleanups.push(() => kubelet.stop('SIGTERM', 10_000));
    await waitUntil('the node to register', async () => (await kubeRequest(cluster.admin, 'GET', `/api/v1/nodes/${NODE_NAME}`)).status === 200,
      { process: kubelet, timeoutMs: 90_000, intervalMs: 500 });
    // kube-router reads the node's pod range; nothing else allocates one here.
    await kubeRequest(cluster.admin, 'PATCH', `/api/v1/nodes/${NODE_NAME}`, { spec: { podCIDR: POD_SUBNET, podCIDRs: [POD_SUBNET] } }, 'application/merge-patch+json');

    writeFileSync(join(workdir, 'kube-proxy.json'), kubeProxyConfig({ kubeconfig: cluster.kubeconfigPath }));
    say('starting kube-proxy (iptables) and kube-router (NetworkPolicy)');
    const kubeProxy = startProcess('kube-proxy', 'nsenter', inNetns(net.name, join(bin, 'kube-proxy'), [`--config=${join(workdir, 'kube-proxy.json')}`, '--v=1']), { logFile: log('kube-proxy') });
    const kubeRouter = startProcess('kube-router', 'nsenter', inNetns(net.name, join(bin, 'kube-router'), [
      `--kubeconfig=${cluster.kubeconfigPath}`, `--hostname-override=${NODE_NAME}`,
      '--run-firewall=true', '--run-router=false', '--run-service-proxy=false',
      '--enable-ipv4=true', '--enable-ipv6=false', '--metrics-port=0', '--health-port=0',
      // The CNI configuration is ours; kube-router only filters.
      '--enable-cni=false', `--service-cluster-ip-range=${SERVICE_CIDR}`, '--v=1',
    ]), { logFile: log('kube-router') });
    procs.push(kubeProxy, kubeRouter);
    cleanups.push(() => kubeProxy.stop(), () => kubeRouter.stop());

    await installStorageClass(cluster.admin);
    const provisioner = startProvisioner(cluster.admin, 500, dirs.volumes);
    cleanups.push(() => provisioner.stop());

    await waitUntil('the node to be Ready', async () => {
      const res = await kubeRequest<{ status?: { conditions?: { type: string; status: string }[] } }>(cluster.admin, 'GET', `/api/v1/nodes/${NODE_NAME}`);
      return res.body?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    }, { process: kubelet, timeoutMs: 120_000, intervalMs: 500 });

    say('starting CoreDNS');
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: coreDnsManifests(images.coredns) }));
    await waitUntil('CoreDNS ready', async () => {
      const out = await cluster.kubectl(['get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.status.readyReplicas}']);
      return out.trim() === '1';
    }, { process: kubelet, timeoutMs: 180_000, intervalMs: 1000 });
    say(`node ${NODE_NAME} Ready at ${addresses.nodeIp}; registry ${registry}`);

    return {
      cluster, registry, registriesConf, nodeName: NODE_NAME, addresses, netns: net.name, workdir,
      async stop() {
        await stopAll();
        removeWorkdir(workdir);
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A /30 slot no interface on this machine uses yet. */
async function freeSlot(): Promise<number> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (let i = 0; i < 50; i++) {
    const slot = Math.floor(Math.random() * 16384);
    if (!stdout.includes(` ${nodeAddresses(slot).hostIp}/`)) return slot;
  }
  throw new Error('no free 172.30.0.0/16 slot for the node network');
}
