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

/** JSON with object keys sorted: the API server hands fields back in its own order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function comparable(status: CharacterResourceStatus | undefined): string {
  if (!status) return '{}';
  const conditions = [...(status.conditions ?? [])]
    .map(({ lastTransitionTime: _ignored, ...rest }) => rest)
    .sort((a, b) => a.type.localeCompare(b.type));
  return canonical({ ...status, conditions });
}

/** True when writing `next` would tell a reader something new (transition-time churn is not news). */
export function statusChanged(previous: CharacterResourceStatus | undefined, next: CharacterResourceStatus): boolean {
  return comparable(previous) !== comparable(next);
}

export function findCondition(status: CharacterResourceStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}
