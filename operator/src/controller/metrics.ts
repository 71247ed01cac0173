import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per operator instance, so two instances can run in one process (tests). */
export function createMetrics() {
  const registry = new Registry();
  const p = 'dungeon_operator_';
  return {
    registry,
    reconcileTotal: new Counter({ name: `${p}reconcile_total`, help: 'Reconciles by result', labelNames: ['result'], registers: [registry] }),
    reconcileErrors: new Counter({ name: `${p}reconcile_errors_total`, help: 'Reconciles that failed', registers: [registry] }),
    reconcileDuration: new Histogram({
      name: `${p}reconcile_duration_seconds`,
      help: 'Reconcile duration',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: `${p}queue_depth`, help: 'Keys waiting in the work queue', registers: [registry] }),
    retries: new Counter({ name: `${p}retries_total`, help: 'Keys re-queued with backoff after a failure', registers: [registry] }),
    watchRestarts: new Counter({ name: `${p}watch_restarts_total`, help: 'Watch streams restarted', labelNames: ['kind'], registers: [registry] }),
    eventsIgnored: new Counter({
      name: `${p}watch_events_ignored_total`,
      help: 'Watch events that queued no reconcile: the echo of a write of ours, or a change of nothing the caches keep',
      labelNames: ['kind'],
      registers: [registry],
    }),
    leader: new Gauge({ name: `${p}leader`, help: '1 while this instance holds the lease', registers: [registry] }),
    kubeRequests: new Counter({
      name: `${p}kube_requests_total`,
      help: 'Requests to the Kubernetes API by verb, resource and status code',
      labelNames: ['verb', 'resource', 'code'],
      registers: [registry],
    }),
    statusWrites: new Counter({ name: `${p}status_writes_total`, help: 'Character status updates written', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** `/apis/apps/v1/namespaces/x/deployments/y/status` → `deployments/status`. */
export function resourceOf(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const start = parts[0] === 'api' ? 2 : 3;
  let rest = parts.slice(start);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  return rest.length >= 3 ? `${rest[0]}/${rest[2]}` : (rest[0] ?? 'unknown');
}
