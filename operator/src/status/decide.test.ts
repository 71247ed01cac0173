import type { CharacterResourceStatus } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { statusChanged } from './conditions.ts';
import { decide, nextStatus, transitions, type DeploymentLike, type Observation, type PodLike } from './decide.ts';

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

  it('reports an unreachable registry as Unknown, not as unregistered', () => {
    const d = decide(obs({ deployment: available, registry: { state: 'unknown', message: 'connect ECONNREFUSED' } }));
    expect(d.phase).toBe('Running');
    expect(cond(d, 'Registered')).toMatchObject({ status: 'Unknown', reason: 'RegistryUnreachable', message: 'connect ECONNREFUSED' });
  });

  it.each([
    [{ imageNotAllowed: 'image registry evil.io is not allowed' }, 'Failed', 'ImageNotAllowed'],
    [{ specError: 'config is too large' }, 'Failed', 'InvalidSpec'],
    [{ idTaken: 'character id x is held by Character player-bob/x (uid 1234)' }, 'Failed', 'CharacterIdTaken'],
    [{ namespaceNotOpen: 'namespace player-eve is not open to players' }, 'Failed', 'NamespaceNotOpen'],
    [{ credentialsPending: 'connect ECONNREFUSED' }, 'Pending', 'CredentialsPending'],
    [{ suspend: true }, 'Suspended', 'Suspended'],
    [{ pods: [waitingPod('ImagePullBackOff')] }, 'Degraded', 'ImagePullFailed'],
    [{ pods: [waitingPod('ErrImagePull')] }, 'Degraded', 'ImagePullFailed'],
    [{ pods: [waitingPod('CrashLoopBackOff')] }, 'Degraded', 'CrashLooping'],
    [{ quotaError: 'persistentvolumeclaims "x-data" is forbidden: exceeded quota: dungeon-characters' }, 'Degraded', 'QuotaExceeded'],
  ])('%j → %s with a %s condition', (o, phase, type) => {
    const d = decide(obs(o as Partial<Observation>));
    expect(d.phase).toBe(phase);
    expect(cond(d, type)!.status).toBe('True');
    expect(cond(d, type)!.message.length).toBeGreaterThan(10);
    expect(cond(d, 'Ready')!.status).toBe('False');
  });

  it('finds a quota refusal in ReplicaSet conditions', () => {
    const rs = {
      status: {
        conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "t-1" is forbidden: exceeded quota: dungeon-characters, requested: limits.cpu=500m' }],
      },
    };
    const d = decide(obs({ replicaSets: [rs] }));
    expect(d.phase).toBe('Degraded');
    expect(cond(d, 'QuotaExceeded')!.message).toMatch(/limits.cpu=500m/);
  });

  it('says why a crash-looping container last ended (an OOM kill)', () => {
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
    const crash = decide(obs({ pods: [pod] })).conditions.find((c) => c.type === 'CrashLooping');
    expect(crash?.message).toBe('the character container keeps failing: back-off 40s restarting failed container (last run ended: OOMKilled, exit code 137)');
  });

  it('ignores waiting reasons of pods that are going away', () => {
    const leaving: PodLike = { ...waitingPod('CrashLoopBackOff'), metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } };
    expect(decide(obs({ pods: [leaving] })).phase).toBe('Provisioning');
  });

  it('says Terminating while deleting', () => {
    expect(decide(obs({ deleting: true, deployment: available })).phase).toBe('Terminating');
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

  it('records one event per phase change and per condition flip', () => {
    const provisioning = decide(obs());
    const s0 = nextStatus(undefined, provisioning, facts, 1, t0);
    expect(transitions(undefined, s0, provisioning).map((e) => e.reason)).toContain('Provisioning');
    const pull = decide(obs({ pods: [waitingPod('ImagePullBackOff')] }));
    const s1 = nextStatus(s0, pull, facts, 1, t1);
    const events = transitions(s0, s1, pull);
    expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'ImagePullFailed' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'ImagePullBackOff' }));
    expect(transitions(s1, nextStatus(s1, pull, facts, 1, t1), pull)).toEqual([]);
  });
});
