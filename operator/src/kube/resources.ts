// The kinds the operator reads and writes, and their REST paths.
import { CHARACTER_GROUP, CHARACTER_PLURAL, CHARACTER_VERSION } from '@distributed-dungeon/contracts';

export interface Kind {
  apiVersion: string;
  kind: string;
  plural: string;
}

const k = (apiVersion: string, kind: string, plural: string): Kind => ({ apiVersion, kind, plural });

export const Kinds = {
  Character: k(`${CHARACTER_GROUP}/${CHARACTER_VERSION}`, 'Character', CHARACTER_PLURAL),
  ServiceAccount: k('v1', 'ServiceAccount', 'serviceaccounts'),
  Secret: k('v1', 'Secret', 'secrets'),
  ConfigMap: k('v1', 'ConfigMap', 'configmaps'),
  PersistentVolumeClaim: k('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  Service: k('v1', 'Service', 'services'),
  Pod: k('v1', 'Pod', 'pods'),
  ResourceQuota: k('v1', 'ResourceQuota', 'resourcequotas'),
  LimitRange: k('v1', 'LimitRange', 'limitranges'),
  Event: k('v1', 'Event', 'events'),
  Deployment: k('apps/v1', 'Deployment', 'deployments'),
  ReplicaSet: k('apps/v1', 'ReplicaSet', 'replicasets'),
  NetworkPolicy: k('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  Lease: k('coordination.k8s.io/v1', 'Lease', 'leases'),
} as const;

function prefix(kind: Kind): string {
  return kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
}

/** Collection path: all namespaces when `namespace` is undefined. */
export function collectionPath(kind: Kind, namespace?: string): string {
  return namespace ? `${prefix(kind)}/namespaces/${namespace}/${kind.plural}` : `${prefix(kind)}/${kind.plural}`;
}

export function objectPath(kind: Kind, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

import type { ManagedFieldsEntry } from './ownership.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
    managedFields?: readonly ManagedFieldsEntry[];
  };
  [key: string]: unknown;
}

export function objectKey(o: { metadata: { namespace?: string; name: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
