import { describe, expect, it } from 'vitest';
import { projectionFor } from '../kube/projection.ts';
import { Kinds, type KubeObject } from '../kube/resources.ts';
import { changesNothing } from './event-filter.ts';

const pod = (resourceVersion: string, status: Record<string, unknown>): KubeObject =>
  projectionFor(Kinds.Pod)({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hero-abc', namespace: 'ns', resourceVersion, labels: { a: '1' } }, spec: { containers: [] }, status });

describe('which watch events can change a reconcile', () => {
  it('a status write of fields the pod cache drops changes nothing; a new phase does', () => {
    const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: '2026-01-01T00:00:00Z' }] };
    const old = pod('1', running);
    expect(changesNothing(Kinds.Pod, 'MODIFIED', pod('2', { ...running, conditions: [{ type: 'Ready', status: 'True', lastProbeTime: '2026-01-01T00:00:09Z' }] }), old)).toBe(true);
    expect(changesNothing(Kinds.Pod, 'MODIFIED', pod('2', { ...running, phase: 'Failed' }), old)).toBe(false);
    expect(changesNothing(Kinds.Pod, 'MODIFIED', pod('2', { ...running, conditions: [{ type: 'Ready', status: 'False' }] }), old)).toBe(false);
  });

  it('an addition, a deletion, a resync and the first sight of an object always concern it', () => {
    const p = pod('1', { phase: 'Running' });
    for (const type of ['ADDED', 'DELETED', 'RESYNC'] as const) expect(changesNothing(Kinds.Pod, type, p, p)).toBe(false);
    expect(changesNothing(Kinds.Pod, 'MODIFIED', p, undefined)).toBe(false);
  });

  it('the echo of a kept write (same resourceVersion) changes nothing, of any kind', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', resourceVersion: '7' } };
    expect(changesNothing(Kinds.ConfigMap, 'MODIFIED', cm, { ...cm })).toBe(true);
    expect(changesNothing(Kinds.ResourceQuota, 'MODIFIED', cm, { ...cm })).toBe(true);
  });

  it('a new resourceVersion of a metadata-only object may be drift of its body, and a quota event is judged by its own rule', () => {
    const cm = (rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', resourceVersion: rv } });
    expect(changesNothing(Kinds.ConfigMap, 'MODIFIED', cm('8'), cm('7'))).toBe(false);
    expect(changesNothing(Kinds.ResourceQuota, 'MODIFIED', cm('8'), cm('7'))).toBe(false);
  });

  it('a Character whose status another writer changed is looked at again', () => {
    const c = (rv: string, phase: string): KubeObject => ({ apiVersion: 'distributed-dungeon.io/v1alpha1', kind: 'Character', metadata: { name: 'c', namespace: 'ns', resourceVersion: rv, generation: 1 }, spec: {}, status: { phase } });
    expect(changesNothing(Kinds.Character, 'MODIFIED', c('2', 'Pending'), c('1', 'Running'))).toBe(false);
    expect(changesNothing(Kinds.Character, 'MODIFIED', c('2', 'Running'), c('1', 'Running'))).toBe(true);
  });
});
