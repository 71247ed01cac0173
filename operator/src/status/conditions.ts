// metav1.Condition bookkeeping: a condition's lastTransitionTime moves only when its status does.
import type { CharacterResourceStatus, Condition } from '@distributed-dungeon/contracts';

export interface DesiredCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function mergeConditions(
  previous: readonly Condition[] | undefined,
  desired: readonly DesiredCondition[],
  generation: number,
  now: Date,
): Condition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  return desired.map((d) => {
    const old = byType.get(d.type);
    const lastTransitionTime = old && old.status === d.status ? old.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { type: d.type, status: d.status, observedGeneration: generation, lastTransitionTime, reason: d.reason, message: d.message };
  });
}

function comparable(status: CharacterResourceStatus | undefined): unknown {
  if (!status) return {};
  const conditions = [...(status.conditions ?? [])]
    .map(({ lastTransitionTime: _ignored, ...rest }) => rest)
    .sort((a, b) => a.type.localeCompare(b.type));
  const entries = Object.entries({ ...status, conditions }).filter(([, v]) => v !== undefined && v !== null);
  entries.sort(([a], [b]) => a.localeCompare(b));
  return entries.map(([k, v]) => [k, k === 'conditions' ? v : v]);
}

/** True when writing `next` would tell a reader something new (transition-time churn is not news). */
export function statusChanged(previous: CharacterResourceStatus | undefined, next: CharacterResourceStatus): boolean {
  return JSON.stringify(comparable(previous)) !== JSON.stringify(comparable(next));
}

export function findCondition(status: CharacterResourceStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}
