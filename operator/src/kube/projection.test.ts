import { describe, expect, it } from 'vitest';
import { decide } from '../status/decide.ts';
import { contains } from '../controller/compare.ts';
import { projectionFor } from './projection.ts';
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
  it('keep the metadata the operator reads and drop managedFields, timestamps, kubectl copies and unread uids', () => {
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
      data: { a: '1' },
    });
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
    expect(kept.status).toEqual({ observedGeneration: 3, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: undefined, message: undefined }] });
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
