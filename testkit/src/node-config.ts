// Pure builders for the real node's configuration files. Addresses: the node lives in a network
// namespace of its own, joined to the host by one veth pair (hostIp <-> nodeIp); pods sit on a
// bridge inside that namespace. Nothing routes anywhere else.

export const POD_SUBNET = '10.244.0.0/24';
export const POD_GATEWAY = '10.244.0.1';
export const CLUSTER_CIDR = '10.244.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/16';
export const CLUSTER_DNS_IP = '10.96.0.10';
export const NODE_NAME = 'dungeon-node';

export interface NodeAddresses {
  /** Host end of the veth: where kube-apiserver and the registry listen. */
  hostIp: string;
  /** Node end of the veth: the kubelet's InternalIP. */
  nodeIp: string;
  /** The /30 both ends share. */
  linkCidr: string;
}

/** One /30 per node in 172.30.0.0/16, chosen by `slot` (0..16383) so two nodes never collide. */
export function nodeAddresses(slot: number): NodeAddresses {
  if (!Number.isInteger(slot) || slot < 0 || slot > 16383) throw new Error(`node slot ${slot} is out of range`);
  const base = slot * 4;
  const third = Math.floor(base / 256);
  const fourth = base % 256;
  return { hostIp: `172.30.${third}.${fourth + 1}`, nodeIp: `172.30.${third}.${fourth + 2}`, linkCidr: `172.30.${third}.${fourth}/30` };
}

export function containerdConfig(o: { root: string; state: string; socket: string; registry: string; sandboxImage: string; cniConfDir: string; cniBinDir: string }): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${JSON.stringify(o.root)}
state = ${JSON.stringify(o.state)}
# The machine has no CAP_SYS_RESOURCE, and the node is the only user of this containerd.
disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${JSON.stringify(o.socket)}

[ttrpc]
  address = ${JSON.stringify(`${o.socket}.ttrpc`)}

[${cri}]
  sandbox_image = ${JSON.stringify(o.sandboxImage)}
  # Without CAP_SYS_RESOURCE every sandbox would fail with "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
  [${cri}.cni]
    bin_dir = ${JSON.stringify(o.cniBinDir)}
    conf_dir = ${JSON.stringify(o.cniConfDir)}
  # The local registry speaks plain HTTP on the host end of the veth.
  [${cri}.registry.mirrors.${JSON.stringify(o.registry)}]
    endpoint = [${JSON.stringify(`http://${o.registry}`)}]
`;
}

/** bridge + host-local + portmap; pods get routes to pods, Services and the veth link only. */
export function cniConfig(o: { addresses: NodeAddresses; ipamDir: string }): string {
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'dungeon',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        isDefaultGateway: false,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: o.ipamDir,
          ranges: [[{ subnet: POD_SUBNET, gateway: POD_GATEWAY }]],
          routes: [{ dst: CLUSTER_CIDR }, { dst: SERVICE_CIDR }, { dst: o.addresses.linkCidr }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2);
}

export function kubeletConfig(o: { socket: string; nodeIp: string; resolvConf: string; staticPodDir: string }): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // cgroup v1 hierarchies and no systemd on this machine.
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    containerRuntimeEndpoint: `unix://${o.socket}`,
    address: o.nodeIp,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    // Reachable only from the host end of the veth; the apiserver calls it for logs and exec.
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    clusterDNS: [CLUSTER_DNS_IP],
    clusterDomain: 'cluster.local',
    resolvConf: o.resolvConf,
    staticPodPath: o.staticPodDir,
    failSwapOn: false,
    serializeImagePulls: false,
    // A shared test machine: never evict because its disk or memory looks full.
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    maxPods: 110,
    // Quicker status updates than production, for a test node.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
  }, null, 2);
}

export function kubeProxyConfig(o: { kubeconfig: string }): string {
  return JSON.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: o.kubeconfig },
    hostnameOverride: NODE_NAME,
    clusterCIDR: CLUSTER_CIDR,
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
    // Leave the machine-wide conntrack settings alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  }, null, 2);
}

const corefile = `.:53 {
    errors
    health :8080
    ready :8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
`;

/** CoreDNS as a pod in kube-system (k8s-app=kube-dns), so NetworkPolicies that allow DNS by label see it. */
export function coreDnsManifests(image: string): object[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const ns = 'kube-system';
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: ns }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            securityContext: {
              runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
              // Port 53 without a capability: NetworkPolicies allow DNS on the pod's port 53.
              sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
            },
            containers: [{
              name: 'coredns',
              image,
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
              livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
            }],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        clusterIP: CLUSTER_DNS_IP,
        selector: labels,
        ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' }],
      },
    },
  ];
}
