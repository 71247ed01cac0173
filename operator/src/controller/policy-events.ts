// Which Characters an event of their namespace's quota or limits concerns (operator.ts byNamespace).
import type { KubeObject } from '../kube/resources.ts';
import { Reasons } from '../status/decide.ts';

/** The same object as the cache keeps it, but for its resourceVersion: a write of a field it does not keep (a quota's usage). */
export function sameApart(a: KubeObject, b: KubeObject): boolean {
  const bare = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return bare(a) === bare(b);
}

/** A Character something of which the namespace's quota refused (status/decide.ts QuotaExceeded). */
export function quotaRefused(c: KubeObject): boolean {
  const conditions = (c as { status?: { conditions?: { reason?: string }[] } }).status?.conditions ?? [];
  return conditions.some((x) => x.reason === Reasons.QuotaExceeded);
}
