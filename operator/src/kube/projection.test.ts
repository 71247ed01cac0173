import { describe, expect, it } from 'vitest';
import { decide } from '../status/decide.ts';
import { contains } from '../controller/compare.ts';
import { createdByPost } from './ownership.ts';
import { appliedFields, projectionFor, watchedAsMetadata } from './projection.ts';
import { Kinds, type KubeObject } from './resources.ts';

const meta = {
  name: 'hero',
  namespace: 'players',
  uid: 'u-1',
  resourceVersion: '42',
  generation: 3,
  labels: { 'app.kubernetes.io/instance': 'hero' },
  annotations: { 'distributed-dungeon.io/applied-hash': 'abc', 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}' },
  ownerReferences: [{ apiVersion: 'distributed-dungeon.io/v1alpha1', kind: 'Character', name: 'hero', uid: 'c-1', controller: true }],
  creationTimestamp: '2026-01-01T00:00:00Z',
  managedFields: [{ manager: 'someone', fieldsV1: { 'f:spec': {} } }],
};

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { ...meta, name: 'hero-abc' },
  spec: { containers: [{ name: 'character', image: 'x', env: [{ name: 'A', value: 'b' }] }], volumes: [{ name: 'data' }] },
  status: {
    phase: 'Running',
    podIP: '10.0.0.1',
    startTime: '2026-01-01T00:00:00Z',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'not ready', lastTransitionTime: 't', lastProbeTime: null }],
    containerStatuses: [
      {
        name: 'character',
        ready: false,
        restartCount: 4,
        image: 'x',
        imageID: 'sha256:...',
        containerID: 'containerd://...',
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
      },
    ],
  },
};

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: meta,
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'character', image: 'x', resources: { limits: { memory: '64Mi' } } }] } } },
  status: { observedGeneration: 3, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: 't' }] },
};

describe('projections of watched objects', () => {
  it('keep the metadata the operator reads and drop managedFields, timestamps, kubectl copies, unread uids and a ConfigMap’s data', () => {
    const kept = projectionFor(Kinds.ConfigMap)({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: '1' } });
    expect(kept).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'hero',
        namespace: 'players',
        resourceVersion: '42',
        labels: meta.labels,
        annotations: { 'distributed-dungeon.io/applied-hash': 'abc' },
        ownerReferences: meta.ownerReferences,
      },
    });
  });

  it('keep of the kinds watched as metadata nothing of the body (only the apply compares it, from a read)', () => {
    for (const kind of [Kinds.ConfigMap, Kinds.Service, Kinds.NetworkPolicy, Kinds.ServiceAccount]) expect(watchedAsMetadata(kind)).toBe(true);
    // Read by the reconciler or decide(): kept with their bodies.
    for (const kind of [Kinds.Secret, Kinds.PersistentVolumeClaim, Kinds.Deployment, Kinds.Character]) expect(watchedAsMetadata(kind)).toBe(false);
    const kept = projectionFor(Kinds.Service)({ apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { ports: [{ port: 8080 }] } });
    expect(Object.keys(kept)).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('keep of a pod what decide() reads: the same decision from the projection as from the whole pod', () => {
    const kept = projectionFor(Kinds.Pod)(pod);
    expect(kept.spec).toBeUndefined();
    expect(kept.status).not.toHaveProperty('podIP');
    expect((kept.status as { containerStatuses: object[] }).containerStatuses[0]).not.toHaveProperty('containerID');
    const observe = (p: KubeObject) => decide({ deleting: false, suspend: false, deployment: deployment as never, replicaSets: [], pods: [p as never], registry: { state: 'unregistered' } });
    expect(observe(kept)).toEqual(observe(pod));
    expect(observe(kept).conditions.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'OOMKilled' });
  });

  it('keep a Deployment whole enough that what was applied still compares as contained', () => {
    const kept = projectionFor(Kinds.Deployment)(deployment);
    const desired = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hero', namespace: 'players', labels: meta.labels }, spec: deployment.spec };
    expect(contains(kept, desired)).toBe(true);
    expect(kept.metadata).toMatchObject({ uid: 'u-1', generation: 3 });
    expect(kept.status).toEqual({ observedGeneration: 3, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 });
    const refused = { ...deployment, status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota', lastUpdateTime: 't' }] } };
    expect(projectionFor(Kinds.Deployment)(refused).status).toEqual({ conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] });
  });

  describe('of what the operator applied (a whole object read for the comparison), only the fields its apply owns', () => {
    const desired = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'hero', namespace: 'players' },
      spec: { selector: { app: 'hero' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
    };
    const ours = {
      manager: 'dungeon-operator',
      operation: 'Apply',
      fieldsV1: { 'f:spec': { 'f:selector': {}, 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:targetPort': {} } } } },
    };
    const served = (managedFields: unknown[], port: Record<string, unknown> = {}): KubeObject => ({
      ...desired,
      metadata: { ...desired.metadata, managedFields } as KubeObject['metadata'],
      // Defaults of the API server, and a field of another manager.
      spec: { ...desired.spec, ports: [{ ...desired.spec.ports[0], protocol: 'TCP', ...port }], clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], sessionAffinity: 'None', externalName: 'x' },
    });

    it('drops defaults and other managers’ fields, and what was applied still compares as contained', () => {
      const kept = appliedFields(served([ours, { manager: 'someone', operation: 'Update', fieldsV1: { 'f:spec': { 'f:externalName': {} } } }]));
      expect(kept.spec).toEqual({ selector: { app: 'hero' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] });
      expect(contains(kept, desired)).toBe(true);
    });

    it('sees a field another writer changed: it leaves the operator’s entry, so the comparison fails', () => {
      const theirs = { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { 'f:targetPort': {} } } } } };
      const drifted = { ...ours, fieldsV1: { 'f:spec': { 'f:selector': {}, 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } } } } };
      const kept = appliedFields(served([drifted, theirs], { targetPort: 9090 }));
      expect(contains(kept, desired)).toBe(false);
    });

    it('reads the entry of the POST that created the object like an apply’s, and marks the object for an upgrade', () => {
      const created = { ...ours, operation: 'Update', fieldsV1: { 'f:spec': { ...ours.fieldsV1['f:spec'], 'f:sessionAffinity': {} } } };
      const kept = appliedFields(served([created, { manager: 'someone', operation: 'Update', fieldsV1: { 'f:spec': { 'f:externalName': {} } } }]));
      expect(kept.spec).toEqual({ selector: { app: 'hero' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }], sessionAffinity: 'None' });
      expect(contains(kept, desired)).toBe(true);
      expect(createdByPost(kept.metadata)).toBe(true);
      expect(createdByPost(appliedFields(served([ours])).metadata)).toBe(false);
    });

    it('keeps the object whole when the operator owns none of it', () => {
      const kept = appliedFields(served([{ manager: 'someone', operation: 'Update', fieldsV1: { 'f:spec': {} } }]));
      expect(kept.spec).toMatchObject({ clusterIP: '10.96.0.7', sessionAffinity: 'None' });
    });
  });

  it('keep of a ReplicaSet only its conditions, not its pod template', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta,
      spec: { template: pod.spec },
      status: { replicas: 0, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota', lastTransitionTime: 't' }] },
    };
    expect(projectionFor(Kinds.ReplicaSet)(rs)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: expect.objectContaining({ name: 'hero' }) as unknown,
      status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] },
    });
  });

  it('keep a Character spec and status whole', () => {
    const character: KubeObject = { apiVersion: Kinds.Character.apiVersion, kind: 'Character', metadata: meta, spec: { image: 'x' }, status: { phase: 'Running' } };
    const kept = projectionFor(Kinds.Character)(character);
    expect(kept.spec).toEqual(character.spec);
    expect(kept.status).toEqual(character.status);
    expect(kept.metadata).toMatchObject({ uid: 'u-1', generation: 3 });
  });
});
