import { describe, expect, it } from 'vitest';
import { decide, nextStatus, type Observation, type PodLike } from './decide.ts';
import { statusEvent, transitions } from './events.ts';

const available = { metadata: { generation: 1 }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 } };
const waitingPod = (reason: string): PodLike => ({
  status: { phase: 'Pending', containerStatuses: [{ name: 'character', ready: false, state: { waiting: { reason, message: `${reason} happened` } } }] },
});
const obs = (o: Partial<Observation> = {}): Observation => ({ deleting: false, suspend: false, replicaSets: [], pods: [], registry: { state: 'unregistered' }, ...o });
const facts = { characterId: 'thorin-abc' };

/** Walks a Character through observations, returning the events of each step. */
function walk(...steps: Observation[]) {
  let status = undefined as ReturnType<typeof nextStatus> | undefined;
  return steps.map((o, i) => {
    const decision = decide(o);
    const next = nextStatus(status, decision, facts, 1, new Date(Date.UTC(2025, 0, 1, 0, i)));
    const events = transitions(status, next, decision);
    status = next;
    return events;
  });
}

describe('transitions', () => {
  it('one event per condition transition and none for a reconcile that changes nothing', () => {
    const [first, pull, again, crash, running, registered] = walk(
      obs(),
      obs({ pods: [waitingPod('ImagePullBackOff')] }),
      obs({ pods: [waitingPod('ImagePullBackOff')] }),
      obs({ pods: [waitingPod('CrashLoopBackOff')] }),
      obs({ deployment: available }),
      obs({ deployment: available, registry: { state: 'registered' } }),
    );
    // A new Character: Ready's first value only; Accepted=True, Available=False and the rest start there.
    expect(first!.map((e) => [e.type, e.reason])).toEqual([['Normal', 'Provisioning']]);
    // Ready=False and Degraded=True have one cause: one Warning.
    expect(pull).toEqual([expect.objectContaining({ type: 'Warning', reason: 'ImagePullFailed' })]);
    expect(pull![0]!.message).toMatch(/^Ready=False \(phase Provisioning → Degraded\): cannot pull the image/);
    expect(again).toEqual([]);
    // Degraded stays True with another reason: news, still one event.
    expect(crash).toEqual([expect.objectContaining({ type: 'Warning', reason: 'CrashLooping' })]);
    expect(running!.map((e) => [e.type, e.reason])).toEqual([['Normal', 'Running'], ['Normal', 'MinimumReplicasAvailable'], ['Normal', 'AsExpected']]);
    expect(registered!.map((e) => e.reason)).toEqual(['Registered']);
  });

  it('a new Character that is refused or failing at once gets its Warning', () => {
    const [refused] = walk(obs({ specError: 'spec.config: too large' }));
    expect(refused).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidSpec' })]);
    const [pulling] = walk(obs({ pods: [waitingPod('ErrImagePull')] }));
    expect(pulling).toEqual([expect.objectContaining({ type: 'Warning', reason: 'ImagePullFailed' })]);
  });

  it('a refusal is one Warning', () => {
    const [, refused] = walk(obs(), obs({ imageNotAllowed: 'image evil.io/x is not from an allowed registry' }));
    expect(refused).toEqual([expect.objectContaining({ type: 'Warning', reason: 'ImageNotAllowed' })]);
  });

  it('a status write records one Event: its transitions in one message, a Warning first', () => {
    const [, , , , running] = walk(obs(), obs({ pods: [waitingPod('ImagePullBackOff')] }), obs(), obs({ pods: [waitingPod('CrashLoopBackOff')] }), obs({ deployment: available }));
    const one = statusEvent(running!);
    expect(one).toMatchObject({ type: 'Normal', reason: 'Running' });
    expect(one!.message).toBe(running!.map((t) => t.message).join('; '));
    expect(one!.message).toMatch(/^Ready=True .*; Available=True: .*; Degraded=False: /);
    expect(statusEvent([])).toBeUndefined();
    const mixed = statusEvent([
      { type: 'Normal', reason: 'Provisioning', message: 'Ready=False: waiting' },
      { type: 'Warning', reason: 'QuotaExceeded', message: 'Degraded=True: no room' },
    ]);
    expect(mixed).toEqual({ type: 'Warning', reason: 'QuotaExceeded', message: 'Degraded=True: no room; Ready=False: waiting' });
  });
});
