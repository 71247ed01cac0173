// Corpse timers (seed 004 CorpseLifecycleService): owner-only grace, then public, then decay.
// Both instants are stored with the corpse (grace in metadata, decay in decay_at), so these pure
// decisions give the same answer on any replica and after any restart.
import { META, type ContainerRecord } from './model.ts';

const DEFAULT_GRACE_PERIOD_SECONDS = 5 * 60;
const DEFAULT_DECAY_SECONDS = 60 * 60;

type CorpsePhase = 'grace' | 'public' | 'decayed';

export function corpseTimers(
  diedAt: Date,
  opts: { gracePeriodSeconds?: number; decaySeconds?: number } = {},
): { graceUntil: Date; decayAt: Date } {
  const grace = opts.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
  const decay = opts.decaySeconds ?? DEFAULT_DECAY_SECONDS;
  if (!Number.isFinite(grace) || grace < 0) throw new RangeError('gracePeriodSeconds must be >= 0');
  if (!Number.isFinite(decay) || decay <= 0) throw new RangeError('decaySeconds must be > 0');
  if (decay < grace) throw new RangeError('decaySeconds must not be shorter than gracePeriodSeconds');
  return {
    graceUntil: new Date(diedAt.getTime() + grace * 1000),
    decayAt: new Date(diedAt.getTime() + decay * 1000),
  };
}

function graceUntilOf(c: ContainerRecord): Date | null {
  const v = c.metadata[META.graceUntil];
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function isCorpseDecayed(c: ContainerRecord, now: Date): boolean {
  return c.source_type === 'corpse' && c.decay_at !== null && now.getTime() >= c.decay_at.getTime();
}

export function corpsePhase(c: ContainerRecord, now: Date): CorpsePhase {
  if (isCorpseDecayed(c, now)) return 'decayed';
  const grace = graceUntilOf(c);
  return grace && now.getTime() < grace.getTime() ? 'grace' : 'public';
}

/** Grace/decay part of corpse access only; proximity and roles are decided in access.ts. */
export function canAccessCorpse(c: ContainerRecord, actorUuid: string, now: Date): boolean {
  const phase = corpsePhase(c, now);
  if (phase === 'decayed') return false;
  if (phase === 'grace') return c.owner_id === actorUuid;
  return true;
}
