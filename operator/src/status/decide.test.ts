import type { CharacterResourceStatus } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { statusChanged } from './conditions.ts';
import { CONDITION_ORDER, decide, nextStatus, type DeploymentLike, type Observation, type PodLike } from './decide.ts';

const available: DeploymentLike = {
  metadata: { generation: 2 },
  status: { observedGeneration: 2, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
};
const waitingPod = (reason: string, message = `${reason} happened`): PodLike => ({
  status: { phase: 'Pending', containerStatuses: [{ name: 'character', ready: false, state: { waiting: { reason, message } } }] },
});
const obs = (o: Partial<Observation> = {}): Observation => ({
  deleting: false,
  suspend: false,
  replicaSets: [],
  pods: [],
  registry: { state: 'unregistered' },
  ...o,
});
const cond = (d: ReturnType<typeof decide>, type: string) => d.conditions.find((c) => c.type === type);

describe('decide', () => {
  it('Provisioning until the pod is available, then Running, then Registered', () => {
    expect(decide(obs()).phase).toBe('Provisioning');
    const running = decide(obs({ deployment: available }));
    expect(running.phase).toBe('Running');
    expect(cond(running, 'Ready')!.status).toBe('True');
    expect(cond(running, 'Available')!.status).toBe('True');
    expect(cond(running, 'Registered')).toMatchObject({ status: 'False', reason: 'NotRegistered' });
    const registered = decide(obs({ deployment: available, registry: { state: 'registered' } }));
    expect(registered.phase).toBe('Registered');
    expect(cond(registered, 'Registered')!.status).toBe('True');
  });

  it('treats a Deployment whose controller has not caught up as not available', () => {
    const stale = { ...available, metadata: { generation: 3 } };
    expect(decide(obs({ deployment: stale })).phase).toBe('Provisioning');
  });

  it('never counts a Deployment scaled to zero as available, though its controller still counts the departing pod', () => {
    const scaledDown: DeploymentLike = { ...available, spec: { replicas: 0 } };
    const d = decide(obs({ suspend: true, deployment: scaledDown }));
    expect(d.phase).toBe('Suspended');
    expect(cond(d, 'Available')).toMatchObject({ status: 'False', reason: 'Suspended' });
  });

  it('reports an unreachable registry as Unknown, not as unregistered', () => {
    const d = decide(obs({ deployment: available, registry: { state: 'unknown', message: 'connect ECONNREFUSED' } }));
    expect(d.phase).toBe('Running');
    expect(cond(d, 'Registered')).toMatchObject({ status: 'Unknown', reason: 'RegistryUnreachable', message: 'connect ECONNREFUSED' });
  });

  it.each([
    [{ imageNotAllowed: 'image registry evil.io is not allowed' }, 'Failed', 'Accepted', 'False', 'ImageNotAllowed'],
    [{ specError: 'config is too large' }, 'Failed', 'Accepted', 'False', 'InvalidSpec'],
    [{ idTaken: 'character id x is held by Character player-bob/x (uid 1234)' }, 'Failed', 'Accepted', 'False', 'CharacterIdTaken'],
    [{ namespaceNotOpen: 'namespace player-eve is not open to players' }, 'Failed', 'Accepted', 'False', 'NamespaceNotOpen'],
    [{ credentialsPending: 'connect ECONNREFUSED' }, 'Pending', 'Degraded', 'True', 'CredentialsPending'],
    [{ suspend: true }, 'Suspended', 'Available', 'False', 'Suspended'],
    [{ pods: [waitingPod('ImagePullBackOff')] }, 'Degraded', 'Degraded', 'True', 'ImagePullFailed'],
    [{ pods: [waitingPod('ErrImagePull')] }, 'Degraded', 'Degraded', 'True', 'ImagePullFailed'],
    [{ pods: [waitingPod('CrashLoopBackOff')] }, 'Degraded', 'Degraded', 'True', 'CrashLooping'],
    [{ quotaError: 'persistentvolumeclaims "x-data" is forbidden: exceeded quota: dungeon-characters' }, 'Degraded', 'Degraded', 'True', 'QuotaExceeded'],
  ])('%j → phase %s, %s=%s with reason %s, Ready=False with that reason', (o, phase, type, status, reason) => {
    const d = decide(obs(o as Partial<Observation>));
    expect(d.phase).toBe(phase);
    expect(cond(d, type)).toMatchObject({ status, reason });
    expect(cond(d, type)!.message.length).toBeGreaterThan(10);
    expect(cond(d, 'Ready')).toMatchObject({ status: 'False', reason });
  });

  it.each([
    ['provisioning', obs()],
    ['running', obs({ deployment: available })],
    ['refused', obs({ imageNotAllowed: 'image registry evil.io is not allowed' })],
    ['suspended', obs({ suspend: true })],
    ['degraded', obs({ pods: [waitingPod('CrashLoopBackOff')] })],
    ['registry unreachable', obs({ registry: { state: 'unknown', message: 'connect ECONNREFUSED' } })],
  ])('%s: every condition type, each once, with a CamelCase reason and a message', (_what, o) => {
    const d = decide(o);
    expect(d.conditions.map((c) => c.type)).toEqual(CONDITION_ORDER);
    for (const c of d.conditions) {
      expect(['True', 'False', 'Unknown']).toContain(c.status);
      expect(c.reason).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(c.message.length).toBeGreaterThan(0);
    }
  });

  it('names every failure in Degraded, the weightiest as its reason', () => {
    const d = decide(obs({ quotaError: 'exceeded quota: dungeon-characters', pods: [waitingPod('ImagePullBackOff', 'pull access denied')] }));
    expect(cond(d, 'Degraded')).toMatchObject({ status: 'True', reason: 'QuotaExceeded' });
    expect(cond(d, 'Degraded')!.message).toMatch(/exceeded quota.*; cannot pull the image: ImagePullBackOff: pull access denied/);
  });

  it('keeps Degraded False with its own reason while refused or suspended', () => {
    expect(cond(decide(obs({ specError: 'bad', pods: [waitingPod('CrashLoopBackOff')] })), 'Degraded')).toMatchObject({ status: 'False', reason: 'NotAccepted' });
    expect(cond(decide(obs({ suspend: true })), 'Degraded')).toMatchObject({ status: 'False', reason: 'Suspended' });
    expect(cond(decide(obs({ deployment: available })), 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
    expect(cond(decide(obs({ deployment: available })), 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
  });

  it('finds a quota refusal in ReplicaSet conditions', () => {
    const rs = {
      status: {
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "t-1" is forbidden: exceeded quota: dungeon-characters, requested: limits.cpu=500m' }],
      },
    };
    const d = decide(obs({ replicaSets: [rs] }));
    expect(d.phase).toBe('Degraded');
    expect(cond(d, 'Degraded')).toMatchObject({ status: 'True', reason: 'QuotaExceeded' });
    expect(cond(d, 'Degraded')!.message).toMatch(/limits.cpu=500m/);
  });

  it('says why a crash-looping container last ended: an OOM kill is its own reason', () => {
    const pod: PodLike = {
      status: {
        phase: 'Running',
        containerStatuses: [{
          name: 'character', ready: false, restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
        }],
      },
    };
    const crash = cond(decide(obs({ pods: [pod] })), 'Degraded');
    expect(crash).toMatchObject({ status: 'True', reason: 'OOMKilled' });
    expect(crash?.message).toBe('the character container keeps failing: CrashLoopBackOff: back-off 40s restarting failed container (last run ended: OOMKilled, exit code 137)');
  });

  it('ignores waiting reasons of pods that are going away', () => {
    const leaving: PodLike = { ...waitingPod('CrashLoopBackOff'), metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } };
    expect(decide(obs({ pods: [leaving] })).phase).toBe('Provisioning');
  });

  it('says Terminating while deleting and judges only Ready', () => {
    const d = decide(obs({ deleting: true, deployment: available }));
    expect(d.phase).toBe('Terminating');
    expect(d.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'Deleting' })]);
  });
});

describe('status bookkeeping', () => {
  const t0 = new Date('2025-01-01T00:00:00Z');
  const t1 = new Date('2025-01-01T00:05:00Z');
  const facts = { characterId: 'thorin-abc', endpoint: 'http://thorin.ns.svc:3000' };

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = nextStatus(undefined, decide(obs({ deployment: available })), facts, 2, t0);
    const again = nextStatus(first, decide(obs({ deployment: available })), facts, 2, t1);
    expect(again).toEqual(first);
    expect(statusChanged(first, again)).toBe(false);
    const registered = nextStatus(first, decide(obs({ deployment: available, registry: { state: 'registered', sessionId: 's-1' } })), { ...facts, sessionId: 's-1' }, 2, t1);
    expect(statusChanged(first, registered)).toBe(true);
    const reg = registered.conditions!.find((c) => c.type === 'Registered')!;
    expect(reg.lastTransitionTime).toBe('2025-01-01T00:05:00Z');
    expect(registered.conditions!.find((c) => c.type === 'Available')!.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    expect(registered.sessionId).toBe('s-1');
  });

  it('ignores transition-time churn and condition order but sees generation and phase changes', () => {
    const a = nextStatus(undefined, decide(obs()), facts, 1, t0);
    const b: CharacterResourceStatus = { ...a, conditions: [...a.conditions!].reverse().map((c) => ({ ...c, lastTransitionTime: t1.toISOString() })) };
    expect(statusChanged(a, b)).toBe(false);
    // The API server returns keys in its own (alphabetical) order.
    const reordered = JSON.parse(JSON.stringify(a, Object.keys(a).concat(...a.conditions!.map((c) => Object.keys(c))).sort())) as CharacterResourceStatus;
    expect(Object.keys(reordered.conditions![0]!)[0]).toBe('lastTransitionTime');
    expect(statusChanged(a, reordered)).toBe(false);
    expect(statusChanged(a, { ...a, observedGeneration: 2 })).toBe(true);
    expect(statusChanged(a, { ...a, phase: 'Running' })).toBe(true);
    expect(statusChanged(undefined, a)).toBe(true);
  });

  it('stamps observedGeneration on every condition it judges; on delete the others keep theirs', () => {
    const running = nextStatus(undefined, decide(obs({ deployment: available })), facts, 2, t0);
    expect(running.conditions!.map((c) => c.observedGeneration)).toEqual([2, 2, 2, 2, 2]);
    const deleting = nextStatus(running, decide(obs({ deleting: true })), facts, 3, t1);
    expect(deleting.conditions!.map((c) => c.type)).toEqual(CONDITION_ORDER);
    expect(deleting.conditions![0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'Deleting', observedGeneration: 3, lastTransitionTime: '2025-01-01T00:05:00Z' });
    expect(deleting.conditions!.slice(1)).toEqual(running.conditions!.slice(1));
  });

  it('drops condition types an older operator wrote and fills a type never judged with Unknown', () => {
    const old: CharacterResourceStatus = {
      phase: 'Degraded',
      conditions: [{ type: 'ImagePullFailed', status: 'True', reason: 'ErrImagePull', message: 'x', lastTransitionTime: '2024-01-01T00:00:00Z' }],
    };
    const next = nextStatus(old, decide(obs({ deleting: true })), facts, 1, t0);
    expect(next.conditions!.map((c) => c.type)).toEqual(CONDITION_ORDER);
    expect(next.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'Unknown', reason: 'NotObserved' });
  });
});
