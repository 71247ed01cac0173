// Which watch events can change what a reconcile does. Every event of a child queues its
// Character, and most of them change nothing the operator keeps: the echo of its own write (the
// cache holds the write's answer already), and a rollout's dozen status writes of fields the
// projections drop (timestamps, counts of ReplicaSets, conditions decide() does not read). At
// 1,000 Characters a spec change made ~22 reconciles of its Character while the pod rolled out,
// and each one queued a player's next change behind it. decide() is a pure function of what
// the caches keep (no clock), so an event that leaves that unchanged cannot change its answer.
import { watchedAsMetadata } from '../kube/projection.ts';
import { Kinds, type Kind, type KubeObject } from '../kube/resources.ts';
import type { WatchEventType } from '../kube/watch.ts';
import { sameApart } from './policy-events.ts';

export function changesNothing(kind: Kind, type: WatchEventType, obj: KubeObject, old: KubeObject | undefined): boolean {
  if (type !== 'MODIFIED' || old === undefined) return false;
  // The same resourceVersion is the same object: the event of a write whose answer is kept.
  if (old.metadata.resourceVersion === obj.metadata.resourceVersion) return true;
  // A cache of metadata only sees another writer's change of the body as a new resourceVersion
  // alone: that is the drift the reconcile must look at. A quota's usage (dropped by its
  // projection) is told apart by operator.ts itself: it concerns the Characters it refused.
  if (watchedAsMetadata(kind) || kind === Kinds.ResourceQuota) return false;
  return sameApart(old, obj);
}
