// Which Kubernetes Events a status change deserves: one per condition transition, never one per
// reconcile (an unchanged status yields none).
import type { CharacterPhase, CharacterResourceStatus, Condition } from '@distributed-dungeon/contracts';
import { ConditionTypes, type Decision } from './decide.ts';

export interface Transition {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const WARNING_PHASES = new Set<CharacterPhase>(['Failed', 'Degraded']);

/** A condition in the state that needs someone's attention. */
function troubled(c: Condition, phase: CharacterPhase | undefined): boolean {
  if (c.type === ConditionTypes.Degraded) return c.status === 'True';
  if (c.type === ConditionTypes.Accepted) return c.status === 'False';
  if (c.type === ConditionTypes.Ready) return c.status === 'False' && phase !== undefined && WARNING_PHASES.has(phase);
  return false;
}

/**
 * A condition transitions when its status changes; so does Ready when its reason (the phase)
 * does, and a troubled condition when its reason does (Degraded going from ImagePullFailed to
 * CrashLooping is news though it stays True; Degraded=False going from AsExpected to Suspended is
 * not). Several conditions that
 * change for one cause share its reason (Ready=False and Degraded=True, both ImagePullFailed):
 * that is one Event, not two.
 */
export function transitions(previous: CharacterResourceStatus | undefined, next: CharacterResourceStatus, decision: Decision): Transition[] {
  const before = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
  const out: Transition[] = [];
  for (const c of next.conditions ?? []) {
    const old = before.get(c.type);
    // A condition's first value is where it starts, not a transition: only Ready's (the summary:
    // the Character was taken up, and in what phase) and a troubled one's are news. Four more
    // Events per new Character (Accepted=True, Available=False, ...) were a third of the
    // operator's writes in a creation burst.
    if (!old && c.type !== ConditionTypes.Ready && !troubled(c, decision.phase)) continue;
    const reasonNews = c.type === ConditionTypes.Ready || troubled(c, decision.phase);
    if (old?.status === c.status && (old.reason === c.reason || !reasonNews)) continue;
    if (out.some((t) => t.reason === c.reason)) continue;
    const phase = c.type === ConditionTypes.Ready && previous?.phase !== next.phase ? ` (phase ${previous?.phase ?? '(none)'} → ${next.phase})` : '';
    out.push({ type: troubled(c, decision.phase) ? 'Warning' : 'Normal', reason: c.reason, message: `${c.type}=${c.status}${phase}: ${c.message}` });
  }
  return out;
}

/**
 * The one Event a status write records: its transitions in one message, under the first one's
 * reason (Ready's, when Ready moved: it comes first), a Warning when any of them is. An Event is
 * among kube-apiserver's dearest writes (about as dear as the status write itself), and a
 * Character taken up and Running recorded three of them.
 */
export function statusEvent(all: Transition[]): Transition | undefined {
  if (all.length <= 1) return all[0];
  const warnings = all.filter((t) => t.type === 'Warning');
  return {
    type: warnings.length > 0 ? 'Warning' : 'Normal',
    reason: (warnings[0] ?? all[0]!).reason,
    message: [...warnings, ...all.filter((t) => t.type !== 'Warning')].map((t) => t.message).join('; '),
  };
}
