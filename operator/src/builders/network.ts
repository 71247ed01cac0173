import { CONTAINER_PORT, names, selectorLabels } from '../names.ts';
import { ownedMeta, type BuildContext } from './context.ts';

/**
 * The Character's DNS name (`<name>.<namespace>.svc`), headless: it resolves to its one pod, so a
 * virtual IP would buy no balancing, and kube-apiserver hands out cluster IPs one Service at a time
 * (about half a second each on two busy cores: most of a creation burst's time), while kube-proxy
 * would keep rules for each. The name resolves while the pod is ready.
 */
export function buildService(ctx: BuildContext) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(ctx, names.service(ctx.ref.name)),
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      selector: selectorLabels(ctx.ref.name),
      ports: [{ name: 'http', protocol: 'TCP', port: CONTAINER_PORT, targetPort: 'http' }],
    },
  };
}

interface Peer {
  namespace: string | null;
  podSelector: Record<string, string>;
}

function peer(p: Peer) {
  return {
    podSelector: { matchLabels: p.podSelector },
    ...(p.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
  };
}

/** Ingress only from the api-server on 3000; egress only to the api-server, Redis and DNS. */
export function buildNetworkPolicy(ctx: BuildContext) {
  const { apiServer, redis, dns } = ctx.policy;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMeta(ctx, names.networkPolicy(ctx.ref.name), 'network'),
    spec: {
      podSelector: { matchLabels: selectorLabels(ctx.ref.name) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [peer(apiServer)], ports: [{ protocol: 'TCP', port: CONTAINER_PORT }] }],
      egress: [
        { to: [peer(apiServer)], ports: [{ protocol: 'TCP', port: apiServer.port }] },
        { to: [peer(redis)], ports: [{ protocol: 'TCP', port: redis.port }] },
        {
          to: [peer(dns)],
          ports: [
            { protocol: 'UDP', port: dns.port },
            { protocol: 'TCP', port: dns.port },
          ],
        },
      ],
    },
  };
}
