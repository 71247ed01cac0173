// metav1.Condition bookkeeping: a condition's lastTransitionTime moves only when its status does.
import type { CharacterResourceStatus, Condition } from '@distributed-dungeon/contracts';
import { canonicalJson } from '@distributed-dungeon/contracts';

export interface DesiredCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * The conditions to write: one of each of `types`, in that order. A type the decision did not
 * judge keeps its previous value (observedGeneration included: it says when it was judged) or is
 * Unknown; types no longer in the set (an older operator's) are dropped.
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  desired: readonly DesiredCondition[],
  types: readonly string[],
  generation: number,
  now: Date,
): Condition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  const wanted = new Map(desired.map((d) => [d.type, d]));
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return types.map((type) => {
    const old = byType.get(type);
    const d = wanted.get(type);
    if (!d) return old ?? { type, status: 'Unknown', observedGeneration: generation, lastTransitionTime: stamp, reason: 'NotObserved', message: 'not judged yet' };
    const lastTransitionTime = old && old.status === d.status ? old.lastTransitionTime : stamp;
    return { type, status: d.status, observedGeneration: generation, lastTransitionTime, reason: d.reason, message: d.message };
  });
}

function comparable(status: CharacterResourceStatus | undefined): string {
  if (!status) return '{}';
  const conditions = [...(status.conditions ?? [])]
    .map(({ lastTransitionTime: _ignored, ...rest }) => rest)
    .sort((a, b) => a.type.localeCompare(b.type));
  return canonicalJson({ ...status, conditions }, { omitNulls: true });
}

/** True when writing `next` would tell a reader something new (transition-time churn is not news). */
export function statusChanged(previous: CharacterResourceStatus | undefined, next: CharacterResourceStatus): boolean {
  return comparable(previous) !== comparable(next);
}

