import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureControlPlaneBinaries, pinnedVersions } from './controlplane-binaries.ts';
import { kubeRequest, type KubeIdentity } from './kube-client.ts';
import { generatePki, writeKubeconfig, type Pki } from './pki.ts';
import { freePort } from './ports.ts';
import { startProcess, waitUntil, type ManagedProcess } from './process.ts';
import { installStorageClass, startProvisioner } from './provisioner.ts';
import { makeWorkdir, removeWorkdir } from './workdir.ts';

const run = promisify(execFile);
const controlplaneAssets = join(dirname(fileURLToPath(import.meta.url)), '..', 'controlplane');

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Admin (`system:masters`) kubeconfig. */
  readonly kubeconfigPath: string;
  /** etcd's client URL (plain HTTP on loopback), for tests that compact history. */
  readonly etcdUrl: string;
  readonly version: string;
  readonly workdir: string;
  readonly pki: Pki;
  readonly admin: KubeIdentity;
  readonly nodeNames: string[];
  /** Runs kubectl against this control plane and returns stdout. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Kills kube-apiserver (for outage tests); etcd and the rest keep running. */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again on the same port and data. */
  startApiserver(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Fake kwok nodes to create (default 1); 0 starts no kwok (a real node joins instead). */
  nodes?: number;
  /** Address kube-apiserver binds to and advertises (default 127.0.0.1); a real node's pods reach it there. */
  address?: string;
  /** Extra kube-apiserver flags. */
  apiserverArgs?: string[];
  /** Run the kwok volume provisioner (default true); a real node brings its own. */
  provisioner?: boolean;
  /** Called with a line per start-up step, for progress output. */
  progress?: (line: string) => void;
  workdir?: string;
}

/**
 * Starts a real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC on, generated
 * PKI), kube-controller-manager (garbage collection, ReplicaSets, PV binding, ...),
 * kube-scheduler, and kwok, which keeps fake nodes Ready and marks scheduled pods Running.
 * Modelled on how envtest starts kube-apiserver, plus the controllers envtest leaves out.
 */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const say = opts.progress ?? (() => undefined);
  const bin = ensureControlPlaneBinaries();
  const version = pinnedVersions().KUBERNETES_VERSION;
  const workdir = opts.workdir ?? makeWorkdir('kube');
  mkdirSync(workdir, { recursive: true });
  const pkiDir = join(workdir, 'pki');
  mkdirSync(pkiDir, { recursive: true });
  say('generating certificates');
  const address = opts.address ?? '127.0.0.1';
  const pki = await generatePki(pkiDir, [address]);
  const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const server = `https://${address}:${apiPort}`;
  const kubeconfigPath = join(workdir, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfigPath, {
    server, caCert: pki.caCert, user: 'dungeon-admin', clientCert: pki.adminCert, clientKey: pki.adminKey,
  });
  const admin: KubeIdentity = { server, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  const log = (name: string) => join(workdir, `${name}.log`);
  const procs: ManagedProcess[] = [];
  let apiserver: ManagedProcess | undefined;
  let provisionerStop: (() => Promise<void>) | undefined;

  try {
    return await boot();
  } catch (err) {
    await provisionerStop?.();
    for (const p of [...procs].reverse()) await p.stop('SIGKILL');
    throw err;
  }

  async function boot(): Promise<ControlPlane> {
  say('starting etcd');
  const etcd = startProcess('etcd', join(bin, 'etcd'), [
    '--name', 'dungeon', '--data-dir', join(workdir, 'etcd'),
    '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
    '--initial-cluster', `dungeon=http://127.0.0.1:${etcdPeerPort}`,
    // A throw-away store: skipping fsync roughly halves apiserver write latency on a small disk.
    '--unsafe-no-fsync', '--log-level', 'warn',
  ], { logFile: log('etcd') });
  procs.push(etcd);
  await waitUntil('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, { process: etcd, timeoutMs: 30_000 });

  const startApiserver = async () => {
    apiserver = startProcess('kube-apiserver', join(bin, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=' + address, `--secure-port=${apiPort}`, '--advertise-address=' + address,
      `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      `--cert-dir=${join(workdir, 'apiserver-certs')}`,
      '--v=1',
      ...(opts.apiserverArgs ?? []),
    ], { logFile: log('kube-apiserver') });
    procs.push(apiserver);
    await waitUntil('kube-apiserver /readyz', async () => (await kubeRequest(admin, 'GET', '/readyz')).status === 200, {
      process: apiserver, timeoutMs: 90_000, intervalMs: 250,
    });
  };
  say(`starting kube-apiserver ${version} on ${server}`);
  await startApiserver();

  const common = [
    `--kubeconfig=${kubeconfigPath}`, `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`, '--bind-address=127.0.0.1', '--leader-elect=false', '--v=1',
  ];
  say('starting kube-controller-manager and kube-scheduler');
  const kcm = startProcess('kube-controller-manager', join(bin, 'kube-controller-manager'), [
    ...common, `--secure-port=${kcmPort}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`, `--cluster-signing-key-file=${pki.caKey}`,
    '--use-service-account-credentials=true', '--controllers=*',
    // Quicker garbage collection and node checks than production defaults, for a test cluster.
    '--concurrent-gc-syncs=10',
    // The client defaults (20 requests/s, bursts of 30, per controller) would pace every
    // Deployment, ReplicaSet and pod of a test at a few per second: the operator benchmark's
    // thousands of Characters (and its plain-client peer, on the same cluster) would measure
    // that pace, not theirs. Likewise the syncs per controller (default 5). Ten times the
    // defaults, not unbounded: on two busy cores, unthrottled controllers starved the apiserver.
    '--kube-api-qps=200', '--kube-api-burst=400',
    '--concurrent-deployment-syncs=20', '--concurrent-replicaset-syncs=20',
  ], { logFile: log('kube-controller-manager') });
  // The scheduler's binding pace (default 50/s, bursts of 100), for the same reason.
  const scheduler = startProcess('kube-scheduler', join(bin, 'kube-scheduler'), [...common, `--secure-port=${schedPort}`, '--kube-api-qps=200', '--kube-api-burst=400'], {
    logFile: log('kube-scheduler'),
  });
  procs.push(kcm, scheduler);

  const nodeNames = Array.from({ length: opts.nodes ?? 1 }, (_, i) => `kwok-node-${i}`);
  if (nodeNames.length > 0) {
  say('starting kwok');
  const kwok = startProcess('kwok', join(bin, 'kwok'), [
    `--kubeconfig=${kubeconfigPath}`, `--config=${join(controlplaneAssets, 'kwok-stages.yaml')}`, '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    '--cidr=10.244.0.0/16', '--node-ip=127.0.0.1', `--server-address=127.0.0.1:${kwokPort}`,
  ], { logFile: log('kwok') });
  procs.push(kwok);

  for (const name of nodeNames) {
    const res = await kubeRequest(admin, 'POST', '/api/v1/nodes', fakeNode(name));
    if (res.status !== 201) throw new Error(`creating node ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  }
  if (opts.provisioner !== false) await installStorageClass(admin);
  const provisioner = opts.provisioner === false ? { stop: async () => undefined } : startProvisioner(admin);
  provisionerStop = () => provisioner.stop();

  const kwok = procs.find((p) => p.name === 'kwok');
  if (kwok) {
    say('waiting for the fake node to be Ready and the default ServiceAccount to exist');
    await waitUntil('kwok node Ready', async () => {
      const res = await kubeRequest<{ status?: { conditions?: { type: string; status: string }[] } }>(admin, 'GET', `/api/v1/nodes/${nodeNames[0]}`);
      return res.body?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    }, { process: kwok, timeoutMs: 60_000, intervalMs: 250 });
  }
  await waitUntil('default ServiceAccount', async () =>
    (await kubeRequest(admin, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
  { process: kcm, timeoutMs: 60_000, intervalMs: 250 });

  const cp: ControlPlane = {
    server,
    kubeconfigPath,
    etcdUrl: `http://127.0.0.1:${etcdPort}`,
    version,
    workdir,
    pki,
    admin,
    nodeNames,
    async kubectl(args, input) {
      const child = run(join(bin, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: kubeconfigPath }, maxBuffer: 64 * 1024 * 1024 });
      if (input !== undefined) {
        child.child.stdin?.end(input);
      }
      try {
        return (await child).stdout;
      } catch (err) {
        const e = err as Error & { stderr?: string };
        throw new Error(`kubectl ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
      }
    },
    async stopApiserver() {
      await apiserver?.stop('SIGKILL');
    },
    startApiserver,
    async stop() {
      await provisioner.stop();
      // Reverse order: clients before the apiserver, the apiserver before etcd.
      for (const p of [...procs].reverse()) await p.stop('SIGTERM', 5_000);
      if (!opts.workdir) removeWorkdir(workdir);
    },
  };
  writeFileSync(join(workdir, 'env'), `export KUBECONFIG=${kubeconfigPath}\n`);
  return cp;
  }
}

function fakeNode(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name,
        'node-role.kubernetes.io/agent': '', type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '64', memory: '256Gi', pods: '2000', 'ephemeral-storage': '1Ti' },
      capacity: { cpu: '64', memory: '256Gi', pods: '2000', 'ephemeral-storage': '1Ti' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
      phase: 'Running',
    },
  };
}
