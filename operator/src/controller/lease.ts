// The leader election's decisions, as pure functions of what this replica has seen and its own
// monotonic clock. Timestamps written in the Lease come from the holder's wall clock, which may
// be wrong by any amount; like client-go we never compare them with ours. A record is expired
// when it has not changed for leaseDuration since *we* first saw it in its present form.

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A record as this replica last saw it, and when (monotonic ms) it first saw it like that. */
export interface Observed {
  key: string;
  holder: string;
  durationMs: number;
  at: number;
}

function recordKey(spec: LeaseSpec): string {
  return JSON.stringify([spec.holderIdentity ?? '', spec.renewTime ?? '', spec.acquireTime ?? '', spec.leaseTransitions ?? 0, spec.leaseDurationSeconds ?? 0]);
}

/** The observation after reading `spec` at `now`: the clock restarts only when the record changed. */
export function observe(previous: Observed | undefined, spec: LeaseSpec, now: number, defaultDurationSeconds: number): Observed {
  const key = recordKey(spec);
  if (previous && previous.key === key) return previous;
  return { key, holder: spec.holderIdentity ?? '', durationMs: (spec.leaseDurationSeconds ?? defaultDurationSeconds) * 1000, at: now };
}

type LeaseAction = 'renew' | 'acquire' | 'wait';

/** What a replica named `identity` may do with the lease it has observed. */
export function leaseAction(observed: Observed, identity: string, now: number): LeaseAction {
  if (observed.holder === identity) return 'renew';
  if (observed.holder === '') return 'acquire';
  return now >= observed.at + observed.durationMs ? 'acquire' : 'wait';
}

/**
 * Whether a leader may still act: its last successful renewal *started* less than the renew
 * deadline ago. The deadline is shorter than the lease, so a leader stops before any standby,
 * counting from when it saw that renewal, can believe the lease expired.
 */
export function mayAct(leader: boolean, lastRenewStartedAt: number | undefined, now: number, renewDeadlineMs: number): boolean {
  return leader && lastRenewStartedAt !== undefined && now - lastRenewStartedAt < renewDeadlineMs;
}
