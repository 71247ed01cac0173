// Wires caches, queue, workers, leader election and the ops endpoints around the Reconciler.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { pino, type Logger } from 'pino';
import { KubeClient } from '../kube/client.ts';
import { Kinds, type Kind, type KubeObject } from '../kube/resources.ts';
import { NamespacedWatches, RelistGate, ResilientWatch, type Cache, type WatchEventType } from '../kube/watch.ts';
import { CHARACTER_LABEL, MANAGED_BY_SELECTOR } from '../names.ts';
import { BY_LABEL, characterIndexers, labelKey } from './character-index.ts';
import { changesNothing } from './event-filter.ts';
import type { Policy } from '../policy.ts';
import { LeaderElector } from './leader.ts';
import { createMetrics, resourceOf, type Metrics } from './metrics.ts';
import { WorkQueue } from './queue.ts';
import { Reconciler, type Caches } from './reconciler.ts';
import { quotaRefused, sameApart } from './policy-events.ts';
import { RegistryClient } from './registry.ts';
import { RegistryPoller } from './registry-poller.ts';
import { characterIdFor } from '@distributed-dungeon/contracts';

export interface OperatorOptions {
  client?: KubeClient;
  kubeconfig?: string;
  registryUrl: string;
  adminToken: string;
  policy: Policy;
  workers?: number;
  /** 0 picks a free port; undefined starts no HTTP server. */
  port?: number;
  resyncMs?: number;
  leaderElection?: { namespace: string; name: string; identity: string; leaseDurationSeconds?: number; retryPeriodMs?: number; renewDeadlineMs?: number } | false;
  identity?: string;
  log?: Logger;
  /** Watch tuning (tests shorten these). */
  watch?: { stallMs?: number; timeoutSeconds?: number; backoff?: { initialMs: number; maxMs: number } };
  /**
   * The namespaces opened to players: Secrets, Deployments and the rest are watched (and written)
   * there only, with the rights a RoleBinding gives in each. Undefined: cluster-wide.
   */
  namespaces?: readonly string[];
  /** How often the registry's character list is polled. */
  registryPollMs?: number;
  /**
   * Called when leadership is lost (not on stop). The process exits there; in-process (tests)
   * the operator stays a standby. Either way nothing more is written once it is lost.
   */
  onLeadershipLost?: (reason: string) => void;
}

/** A write refused because this replica is not (or no longer) the leader. */
class NotLeaderError extends Error {}

export interface Operator {
  readonly metrics: Metrics;
  readonly client: KubeClient;
  readonly caches: Caches;
  readonly port: number | undefined;
  isLeader(): boolean;
  /** Resolves when every cache has listed once. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOperator(o: OperatorOptions): Promise<Operator> {
  const log = o.log ?? pino({ name: 'dungeon-operator' });
  const client = o.client ?? KubeClient.load(o.kubeconfig);
  const metrics = createMetrics();
  const identity = o.identity ?? (o.leaderElection ? o.leaderElection.identity : `dungeon-operator-${process.pid}`);
  client.onRequest((verb, path, status, ms) => {
    metrics.kubeRequests.inc({ verb, resource: resourceOf(path), code: String(status) });
    log.debug({ verb, path, status, ms: Math.round(ms) }, 'kubernetes request');
  });

  const queue = new WorkQueue();
  let leading = !o.leaderElection;

  // Twelve kinds (times the open namespaces) list at start and again after an outage: two at a
  // time, so the operator never holds more than two pages of whole objects at once.
  const relistGate = new RelistGate(2);
  const watchOptions = (kind: Kind, labelSelector: string | undefined, onEvent: (type: WatchEventType, obj: KubeObject, old?: KubeObject) => void) => ({
    kind,
    ...(kind === Kinds.Character ? { indexers: characterIndexers } : {}),
    labelSelector,
    resyncMs: kind === Kinds.Character ? (o.resyncMs ?? 300_000) : 0,
    stallMs: o.watch?.stallMs,
    watchTimeoutSeconds: o.watch?.timeoutSeconds,
    backoff: o.watch?.backoff,
    relistGate,
    // Events that change nothing the caches keep queue no reconcile (event-filter.ts).
    onEvent: (type: WatchEventType, obj: KubeObject, old?: KubeObject) => {
      if (changesNothing(kind, type, obj, old)) metrics.eventsIgnored.inc({ kind: kind.kind });
      else onEvent(type, obj, old);
    },
    onRestart: () => metrics.watchRestarts.inc({ kind: kind.kind }),
    log,
  });
  // Characters are watched cluster-wide (to tell players in closed namespaces why nothing
  // happens); what they become, only in the open namespaces when those are given.
  const watch = (kind: Kind, labelSelector: string | undefined, onEvent: (type: WatchEventType, obj: KubeObject, old?: KubeObject) => void): Cache =>
    o.namespaces
      ? new NamespacedWatches(client, [...o.namespaces], watchOptions(kind, labelSelector, onEvent))
      : new ResilientWatch(client, watchOptions(kind, labelSelector, onEvent));

  const enqueue = (key: string, urgent = false) => {
    queue.add(key, urgent);
    metrics.queueDepth.set(queue.length);
  };
  // Children name their owner in ownerReferences; pods and ReplicaSets (owned by the
  // Deployment) carry the character label instead; namespace policy objects concern everyone.
  const byOwner = (_t: WatchEventType, obj: KubeObject) => {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (ref.kind === 'Character' && ref.apiVersion === Kinds.Character.apiVersion) enqueue(`${obj.metadata.namespace}/${ref.name}`);
    }
  };
  const byLabel = (_t: WatchEventType, obj: KubeObject) => {
    const value = obj.metadata.labels?.[CHARACTER_LABEL];
    if (!value || !obj.metadata.namespace) return;
    for (const c of caches.characters.store.byIndex(BY_LABEL, labelKey(obj.metadata.namespace, value))) enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
  };
  // The namespace's quota and limits concern all its Characters, but kube-controller-manager
  // rewrites a quota's usage (its status, which the cache does not keep) on every pod and volume
  // made there: each rewrite queued all of them again, some fifty reconciles per Character made
  // in a creation burst. A change of what the operator applied, or a deletion, queues them all
  // (any one of them applies the shared objects again); a change of usage only those the quota
  // refused, which may fit now.
  const byNamespace = (t: WatchEventType, obj: KubeObject, old?: KubeObject) => {
    const usageOnly = t === 'MODIFIED' && old !== undefined && sameApart(old, obj);
    for (const c of caches.characters.list(obj.metadata.namespace)) {
      if (!usageOnly || quotaRefused(c)) enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
    }
  };

  const caches: Caches = {
    // What a player did (a new Character once the caches are up, a changed spec, a deletion: each
    // moves metadata.generation) goes before the events of pods and rollouts.
    characters: new ResilientWatch(client, watchOptions(Kinds.Character, undefined, (t, obj, old) => {
      const urgent = (t === 'ADDED' && caches.characters.hasSynced) || (t === 'MODIFIED' && old !== undefined && old.metadata.generation !== obj.metadata.generation);
      // With the reconcile's own line, the time a player's change waited for a worker.
      if (urgent) log.debug({ key: `${obj.metadata.namespace}/${obj.metadata.name}`, generation: obj.metadata.generation, waiting: queue.length }, 'queued first');
      enqueue(`${obj.metadata.namespace}/${obj.metadata.name}`, urgent);
    })),
    deployments: watch(Kinds.Deployment, MANAGED_BY_SELECTOR, byOwner),
    replicaSets: watch(Kinds.ReplicaSet, MANAGED_BY_SELECTOR, byLabel),
    pods: watch(Kinds.Pod, MANAGED_BY_SELECTOR, byLabel),
    secrets: watch(Kinds.Secret, MANAGED_BY_SELECTOR, byOwner),
    configMaps: watch(Kinds.ConfigMap, MANAGED_BY_SELECTOR, byOwner),
    pvcs: watch(Kinds.PersistentVolumeClaim, MANAGED_BY_SELECTOR, byOwner),
    services: watch(Kinds.Service, MANAGED_BY_SELECTOR, byOwner),
    networkPolicies: watch(Kinds.NetworkPolicy, MANAGED_BY_SELECTOR, byOwner),
    serviceAccounts: watch(Kinds.ServiceAccount, MANAGED_BY_SELECTOR, byOwner),
    resourceQuotas: watch(Kinds.ResourceQuota, MANAGED_BY_SELECTOR, byNamespace),
    limitRanges: watch(Kinds.LimitRange, MANAGED_BY_SELECTOR, byNamespace),
  };
  const all = Object.values(caches);

  // With leader election every write, to Kubernetes or to the registry, first asks the elector:
  // a replica that was paused past its renew deadline must not act on what it was doing.
  let elector: LeaderElector | undefined;
  let stopping = false;
  const guard = (method: string, path: string) => {
    if (!o.leaderElection || elector?.mayWrite()) return;
    throw new NotLeaderError(`${method} ${path}: refused, this replica is not the leader`);
  };
  // Only on a client of our own: a client handed in (tests) also carries its owner's writes.
  if (!o.client) client.setWriteGuard(guard);
  const registry = new RegistryClient(o.registryUrl, o.adminToken, 5_000, guard);
  const requeueAll = () => {
    for (const c of caches.characters.list()) enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
  };
  const poller = new RegistryPoller(
    registry,
    o.registryPollMs ?? 3_000,
    (ids) => {
      if (ids === 'all') return requeueAll();
      const wanted = new Set(ids);
      for (const c of caches.characters.list()) {
        if (wanted.has(characterIdFor(c.metadata.namespace!, c.metadata.name))) enqueue(`${c.metadata.namespace}/${c.metadata.name}`);
      }
    },
    log,
  );
  const reconciler = new Reconciler({
    client,
    caches,
    registry,
    registryView: (id) => poller.view(id),
    policy: o.policy,
    metrics,
    log,
    identity,
    namespaces: o.namespaces,
  });

  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      metrics.queueDepth.set(queue.length);
      if (!leading) {
        queue.done(key);
        continue;
      }
      const end = metrics.reconcileDuration.startTimer();
      log.debug({ key }, 'reconcile');
      try {
        const result = await reconciler.reconcile(key);
        if (result.retry) {
          metrics.retries.inc();
          queue.addRateLimited(key);
        } else {
          queue.forget(key);
          if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
        }
        metrics.reconcileTotal.inc({ result: result.retry ? 'retry' : 'success' });
      } catch (error) {
        metrics.reconcileTotal.inc({ result: 'error' });
        metrics.reconcileErrors.inc();
        metrics.retries.inc();
        const delay = queue.addRateLimited(key);
        log.warn({ key, err: error, retryInMs: delay }, 'reconcile failed');
      } finally {
        end();
        queue.done(key);
      }
    }
  };

  for (const w of all) w.start();
  await poller.refresh();
  poller.start();
  const workers = Array.from({ length: o.workers ?? 4 }, () => worker());

  if (o.leaderElection) {
    elector = new LeaderElector(client, {
      ...o.leaderElection,
      log,
      onStartedLeading: () => {
        leading = true;
        metrics.leader.set(1);
        requeueAll();
      },
      onStoppedLeading: (reason) => {
        leading = false;
        metrics.leader.set(0);
        if (!stopping) o.onLeadershipLost?.(reason);
      },
    });
    elector.start();
  } else {
    metrics.leader.set(1);
  }

  const synced = () => Promise.all(all.map((w) => w.synced)).then(() => undefined);

  let server: Server | undefined;
  let port: number | undefined;
  if (o.port !== undefined) {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } else if (path === '/readyz') {
        const ready = all.every((w) => w.hasSynced);
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ok' : 'caches not synced');
      } else if (path === '/metrics') {
        metrics.queueDepth.set(queue.length);
        metrics.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(o.port, resolve));
    port = (server.address() as AddressInfo).port;
  }

  // The heap V8 was given (the chart sets it from the container's limit) beside that limit.
  const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  const constrained = process.constrainedMemory();
  const memoryLimitMiB = constrained > 0 && constrained < totalmem() ? Math.round(constrained / 2 ** 20) : undefined;
  log.info({ identity, workers: o.workers ?? 4, port, heapLimitMiB, memoryLimitMiB }, 'operator started');
  return {
    metrics,
    client,
    caches,
    port,
    isLeader: () => leading,
    synced,
    async stop() {
      stopping = true;
      await elector?.stop();
      leading = false;
      queue.shutdown();
      await Promise.all(workers);
      await reconciler.drain();
      await poller.stop();
      await Promise.all(all.map((w) => w.stop()));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      if (!o.client) {
        client.setWriteGuard(undefined);
        client.close();
      }
    },
  };
}
