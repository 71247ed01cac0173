// Status of external Characters (spec.placement: external): no pod, the registry alone decides.
import { describe, expect, it } from 'vitest';
import { decide, everRegistered, nextStatus, type Observation } from './decide.ts';
import { transitions } from './events.ts';

const ext = (o: Partial<Observation> = {}): Observation => ({ deleting: false, suspend: false, external: true, replicaSets: [], pods: [], registry: { state: 'unregistered' }, ...o });
const cond = (d: ReturnType<typeof decide>, type: string) => d.conditions.find((c) => c.type === type);

describe('decide (external placement)', () => {
  it('Pending (AwaitingConnection) until its process registers, Registered while it heartbeats, Disconnected after', () => {
    const waiting = decide(ext());
    expect(waiting.phase).toBe('Pending');
    expect(cond(waiting, 'Ready')).toMatchObject({ status: 'False', reason: 'AwaitingConnection' });
    expect(cond(waiting, 'Available')).toMatchObject({ status: 'False', reason: 'NotConnected' });
    expect(cond(waiting, 'Registered')).toMatchObject({ status: 'False', reason: 'NotRegistered' });
    expect(cond(waiting, 'Accepted')!.status).toBe('True');

    const registered = decide(ext({ registry: { state: 'registered', sessionId: 's-1' } }));
    expect(registered.phase).toBe('Registered');
    expect(cond(registered, 'Ready')).toMatchObject({ status: 'True', reason: 'Registered' });
    expect(cond(registered, 'Available')).toMatchObject({ status: 'True', reason: 'Connected' });
    expect(cond(registered, 'Registered')!.status).toBe('True');
    expect(cond(registered, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });

    const gone = decide(ext({ registry: { state: 'disconnected', registeredAt: '2026-01-01T00:00:00Z', lastHeartbeatAt: '2026-01-01T00:01:00Z' } }));
    expect(gone.phase).toBe('Disconnected');
    expect(cond(gone, 'Ready')).toMatchObject({ status: 'False', reason: 'Disconnected' });
    expect(cond(gone, 'Available')).toMatchObject({ status: 'False', reason: 'Disconnected' });
    expect(cond(gone, 'Registered')).toMatchObject({ status: 'False', reason: 'Disconnected' });
    expect(cond(gone, 'Registered')!.message).toContain('2026-01-01T00:01:00Z');
  });

  it('a registration from before the Character was made (an earlier one of that name) is none', () => {
    const old = { state: 'disconnected' as const, registeredAt: '2026-01-01T00:00:00Z' };
    expect(decide(ext({ registry: old, createdAt: '2026-02-01T00:00:00Z' })).phase).toBe('Pending');
    expect(decide(ext({ registry: old, createdAt: '2025-12-01T00:00:00Z' })).phase).toBe('Disconnected');
  });

  it('an ended registration counts only once the Character was seen registered (its status says so)', () => {
    const ended = { state: 'disconnected' as const };
    expect(decide(ext({ registry: ended, wasRegistered: false })).phase).toBe('Pending');
    expect(decide(ext({ registry: ended, wasRegistered: true })).phase).toBe('Disconnected');
    const at = '2026-01-01T00:00:00Z';
    const cond = (status: 'True' | 'False', reason: string) => ({ type: 'Registered', status, reason, message: '', lastTransitionTime: at });
    expect(everRegistered(undefined)).toBe(false);
    expect(everRegistered({ phase: 'Pending', conditions: [cond('False', 'NotRegistered')] })).toBe(false);
    expect(everRegistered({ phase: 'Running', conditions: [cond('True', 'Registered')] })).toBe(true);
    expect(everRegistered({ phase: 'Disconnected' })).toBe(true);
    expect(everRegistered({ phase: 'Running', conditions: [cond('False', 'Disconnected')] })).toBe(true);
  });

  it('looks at no pod: a Deployment or failing pod of the name does not make it Running or Degraded', () => {
    const d = decide(ext({ deployment: { metadata: { generation: 1 }, status: { observedGeneration: 1, availableReplicas: 1, updatedReplicas: 1 } } }));
    expect(d.phase).toBe('Pending');
  });

  it.each([
    [{ externalUrlUnset: 'the game master has not set the external URL' }, 'Failed', 'Accepted', 'False', 'ExternalUrlUnset'],
    [{ idTaken: 'character id x is held by another Character' }, 'Failed', 'Accepted', 'False', 'CharacterIdTaken'],
    [{ credentialsPending: 'connect ECONNREFUSED' }, 'Pending', 'Degraded', 'True', 'CredentialsPending'],
    [{ registry: { state: 'unknown', message: 'registry down' } }, 'Pending', 'Registered', 'Unknown', 'RegistryUnreachable'],
  ])('%j → phase %s, %s=%s (%s)', (o, phase, type, status, reason) => {
    const d = decide(ext(o as Partial<Observation>));
    expect(d.phase).toBe(phase);
    expect(cond(d, type)).toMatchObject({ status, reason });
    expect(cond(d, 'Ready')).toMatchObject({ status: 'False', reason });
  });

  it('a cluster Character whose registration ended says Disconnected on Registered, and stays Running', () => {
    const available = { metadata: { generation: 1 }, status: { observedGeneration: 1, availableReplicas: 1, updatedReplicas: 1 } };
    const d = decide({ deleting: false, suspend: false, replicaSets: [], pods: [], deployment: available, registry: { state: 'disconnected' } });
    expect(d.phase).toBe('Running');
    expect(cond(d, 'Registered')).toMatchObject({ status: 'False', reason: 'Disconnected' });
  });

  it('one Event per transition: connected, then disconnected', () => {
    const steps = [ext(), ext(), ext({ registry: { state: 'registered' } }), ext({ registry: { state: 'disconnected' } })];
    let status: ReturnType<typeof nextStatus> | undefined;
    const events = steps.map((o, i) => {
      const decision = decide(o);
      const next = nextStatus(status, decision, { characterId: 'thorin-abc' }, 1, new Date(Date.UTC(2026, 0, 1, 0, i)));
      const out = transitions(status, next, decision);
      status = next;
      return out.map((e) => e.reason);
    });
    expect(events[1]).toEqual([]);
    expect(events[2]).toEqual(['Registered', 'Connected']);
    expect(events[3]).toEqual(['Disconnected']);
    expect(status!.phase).toBe('Disconnected');
  });
});
