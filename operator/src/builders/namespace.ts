// The ResourceQuota and LimitRange shared by every Character in a namespace (owned by none).
import { names, namespacePolicyLabels } from '../names.ts';
import type { Policy } from '../policy.ts';

const label = { 'distributed-dungeon.io/scope': 'characters' };

export function buildResourceQuota(namespace: string, policy: Policy) {
  const q = policy.quota;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: names.resourceQuota, namespace, labels: { ...namespacePolicyLabels(), ...label } },
    spec: {
      hard: {
        pods: String(q.pods),
        'requests.cpu': String(q.requestsCpu),
        'requests.memory': String(q.requestsMemory),
        'limits.cpu': String(q.limitsCpu),
        'limits.memory': String(q.limitsMemory),
        'requests.storage': String(q.requestsStorage),
        persistentvolumeclaims: String(q.persistentVolumeClaims),
      },
    },
  };
}

export function buildLimitRange(namespace: string, policy: Policy) {
  const r = policy.resources;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: names.limitRange, namespace, labels: { ...namespacePolicyLabels(), ...label } },
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: String(r.default.limits.cpu), memory: String(r.default.limits.memory) },
          defaultRequest: { cpu: String(r.default.requests.cpu), memory: String(r.default.requests.memory) },
          max: { cpu: String(r.max.cpu), memory: String(r.max.memory) },
        },
        { type: 'PersistentVolumeClaim', max: { storage: String(policy.quota.maxStoragePerClaim) } },
      ],
    },
  };
}
