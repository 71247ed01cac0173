// A list+watch cache that does not stop: a watch that ends, errors or goes quiet is restarted
// with backoff from the last resourceVersion; a 410 Gone relists (and reports deletions missed
// in between); a periodic resync hands every object to the handler again. Only a projection of
// each object is kept (projection.ts), lists are paged, and relists of all the caches of one
// operator take turns (RelistGate) so that several whole lists are never in memory at once.
import { backoffDelay } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import { isOurs } from './ownership.ts';
import { KubeError, type KubeClient } from './client.ts';
import { appliedFields, bodyKeeping, projectionFor, watchedAsMetadata, type Projection } from './projection.ts';
import { collectionPath, objectKey, objectPath, type Kind, type KubeObject } from './resources.ts';
import { ObjectStore, type Indexer } from './store.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC';

interface WatchOptions {
  kind: Kind;
  /** Watch one namespace only (RBAC granted there alone); all namespaces when undefined. */
  namespace?: string;
  labelSelector?: string;
  /** Server-side watch timeout; the stream then ends and is resumed (default 300 s). */
  watchTimeoutSeconds?: number;
  /** No event or bookmark for this long → the stream is presumed dead and restarted. */
  stallMs?: number;
  /** Every this often, every cached object is handed to the handler again (0 disables). */
  resyncMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** What is kept of each object (default: the kind's projection in projection.ts). */
  project?: Projection;
  /** Indexes kept by the store (ObjectStore.byIndex). */
  indexers?: Record<string, Indexer>;
  /**
   * List and watch metadata only (PartialObjectMetadata): the body is not sent, so not parsed
   * nor kept (default: the kinds of projection.ts `watchedAsMetadata`).
   */
  metadataOnly?: boolean;
  /** Objects per list page (default 500). */
  pageSize?: number;
  /** Shared by the caches of one operator: relists take turns. */
  relistGate?: RelistGate;
  onEvent: (type: WatchEventType, obj: KubeObject, old?: KubeObject) => void;
  onRestart?: (reason: string) => void;
  log: Logger;
}

interface WatchLine {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string };
}

class GoneError extends Error {}

/** What a metadata-only list or watch asks for; a server that cannot answer so sends whole objects. */
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** At most `concurrency` relists at a time; the others wait their turn (first come, first served). */
export class RelistGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;

  constructor(concurrency = 2) {
    this.concurrency = concurrency;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so `running` stays counted for it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** What the reconciler needs of a cache: a ResilientWatch, or one per namespace (NamespacedWatches). */
export interface Cache {
  readonly store: { set(key: string, obj: KubeObject): void };
  get(namespace: string, name: string): KubeObject | undefined;
  list(namespace?: string): KubeObject[];
  /**
   * Does `live` (from `get`) hold `desired`, as `contains` compares them? A cache that keeps the
   * body compares `live`. One that drops it (projection.ts `bodyKeeping`) compares only the
   * metadata of an object whose body it knows as applied; one whose body it does not hold (a
   * metadata watch's) it reads once from the API server and compares that.
   */
  matches(live: KubeObject, desired: KubeObject, contains: Comparison): Promise<boolean>;
  readonly synced: Promise<void>;
  readonly hasSynced: boolean;
  start(): void;
  stop(): Promise<void>;
}

/** Does `live` hold everything `desired` says (controller/compare.ts)? */
export type Comparison = (live: unknown, desired: unknown) => boolean;

export class ResilientWatch implements Cache {
  readonly store: ObjectStore;
  private resourceVersion = '';
  private stopped = false;
  private abort = new AbortController();
  private stallTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private syncedResolve!: () => void;
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  hasSynced = false;
  restarts = 0;
  private readonly client: KubeClient;
  private readonly opts: WatchOptions;
  private readonly metadataOnly: boolean;

  constructor(client: KubeClient, opts: WatchOptions) {
    this.client = client;
    this.opts = opts;
    this.metadataOnly = opts.metadataOnly ?? watchedAsMetadata(opts.kind);
    this.store = new ObjectStore(opts.project ?? projectionFor(opts.kind), opts.indexers, opts.project ? undefined : bodyKeeping(opts.kind));
    this.synced = new Promise((resolve) => (this.syncedResolve = resolve));
  }

  start(): void {
    this.loop = this.run();
    const resync = this.opts.resyncMs ?? 0;
    if (resync > 0) {
      this.resyncTimer = setInterval(() => {
        for (const obj of this.store.values()) this.opts.onEvent('RESYNC', obj);
      }, resync);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    clearInterval(this.resyncTimer);
    clearTimeout(this.stallTimer);
    await this.loop;
  }

  /** Shared arrays (see ObjectStore.list): read them, do not mutate them. */
  list(namespace?: string): KubeObject[] {
    return this.store.list(namespace);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.store.get(`${namespace}/${name}`);
  }

  async matches(live: KubeObject, desired: KubeObject, contains: Comparison): Promise<boolean> {
    if (!this.store.dropsBodies) return contains(live, desired);
    const key = objectKey(live);
    if (this.store.isKnown(live)) return contains(live, { apiVersion: desired.apiVersion, kind: desired.kind, metadata: desired.metadata });
    if (!this.metadataOnly) {
      // Its body came with the watch: compared here, and dropped if it holds.
      const found = contains(live, desired);
      if (found) this.store.markKnown(key, live);
      return found;
    }
    const { namespace, name } = live.metadata;
    let whole: KubeObject;
    try {
      whole = await this.client.request<KubeObject>('GET', objectPath(this.opts.kind, namespace!, name), { signal: this.abort.signal });
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
    slim(whole);
    const found = contains(appliedFields(whole), desired);
    // Known from now on, until it changes: the next reconcile does not read it again.
    if (found && whole.metadata.resourceVersion === live.metadata.resourceVersion) this.store.markKnown(key, live);
    return found;
  }

  private async run(): Promise<void> {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 250, maxMs: 8_000 };
    let failures = 0;
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        failures = 0; // the stream ended normally (server timeout): resume at once
        if (!this.stopped) this.restarted('stream ended');
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof GoneError || (error instanceof KubeError && error.status === 410)) {
          needList = true;
          this.restarted('resourceVersion too old (410 Gone): relisting');
          continue;
        }
        this.restarted(error instanceof Error ? error.message : String(error));
        await sleep(backoffDelay(failures++, { initialMs, maxMs, jitter: { proportional: 0.2 } }), this.abort.signal);
      }
    }
  }

  private restarted(reason: string): void {
    this.restarts++;
    this.opts.log.debug({ kind: this.opts.kind.kind, reason }, 'watch restarting');
    this.opts.onRestart?.(reason);
  }

  private async relist(): Promise<void> {
    const gate = this.opts.relistGate;
    await (gate ? gate.run(() => this.listPages()) : this.listPages());
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  /**
   * A consistent list in pages (limit/continue: one snapshot, page by page), each page merged
   * into the store as it comes, so no more than one page of whole objects is alive at a time.
   * An expired continue token is a 410: the run loop lists again from the start.
   */
  private async listPages(): Promise<void> {
    const seen = new Set<string>();
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.request<{ metadata: { resourceVersion: string; continue?: string }; items: KubeObject[] | null }>(
        'GET',
        collectionPath(this.opts.kind, this.opts.namespace),
        {
          query: { labelSelector: this.opts.labelSelector, limit: this.opts.pageSize ?? 500, continue: token },
          signal: this.abort.signal,
          ...(this.metadataOnly ? { accept: METADATA_LIST } : {}),
        },
      );
      // An empty PartialObjectMetadataList says `items: null`.
      for (const item of page.items ?? []) {
        this.typed(item);
        const key = objectKey(item);
        seen.add(key);
        const old = this.store.get(key);
        if (old?.metadata.resourceVersion === item.metadata.resourceVersion) continue;
        const kept = this.store.ingest(key, item, this.metadataOnly);
        if (!old) this.opts.onEvent('ADDED', kept);
        else this.opts.onEvent('MODIFIED', kept, old);
      }
      token = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (token);
    for (const key of [...this.store.keys()]) {
      if (!seen.has(key)) {
        const old = this.store.delete(key)!;
        this.opts.onEvent('DELETED', old);
      }
    }
    this.resourceVersion = resourceVersion;
  }

  private async watchOnce(): Promise<void> {
    const stallMs = this.opts.stallMs ?? 90_000;
    const streamAbort = new AbortController();
    const onStop = () => streamAbort.abort();
    this.abort.signal.addEventListener('abort', onStop);
    let stalled = false;
    const arm = () => {
      clearTimeout(this.stallTimer);
      this.stallTimer = setTimeout(() => {
        stalled = true;
        streamAbort.abort();
      }, stallMs);
      this.stallTimer.unref();
    };
    arm();
    try {
      await this.client.stream(
        collectionPath(this.opts.kind, this.opts.namespace),
        {
          watch: 1,
          allowWatchBookmarks: true,
          resourceVersion: this.resourceVersion,
          labelSelector: this.opts.labelSelector,
          timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300,
        },
        (line) => {
          arm();
          this.handle(line as WatchLine);
        },
        streamAbort.signal,
        this.metadataOnly ? METADATA_WATCH : undefined,
      );
    } catch (error) {
      if (stalled) throw new Error(`no events for ${stallMs} ms`);
      throw error;
    } finally {
      clearTimeout(this.stallTimer);
      this.abort.signal.removeEventListener('abort', onStop);
    }
    if (stalled) throw new Error(`no events for ${stallMs} ms`);
  }

  private handle(line: WatchLine): void {
    const obj = line.object;
    if (line.type === 'ERROR') {
      if (obj.code === 410) throw new GoneError(obj.message ?? 'gone');
      throw new Error(`watch error: ${obj.message ?? JSON.stringify(obj)}`);
    }
    if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    if (line.type === 'BOOKMARK') return;
    this.typed(obj);
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (line.type === 'DELETED') {
      this.store.delete(key);
      this.opts.onEvent('DELETED', this.store.project(obj), old);
      return;
    }
    // The same resourceVersion is the same object (the event of a write already kept from its
    // answer): what is kept stays, with what is known of its body.
    const kept = old?.metadata.resourceVersion === obj.metadata.resourceVersion ? old! : this.store.ingest(key, obj, this.metadataOnly);
    this.opts.onEvent(old ? 'MODIFIED' : 'ADDED', kept, old);
  }

  /** The kind's own apiVersion and kind (a metadata answer says PartialObjectMetadata). */
  private typed(obj: KubeObject): void {
    if (this.metadataOnly) {
      obj.apiVersion = this.opts.kind.apiVersion;
      obj.kind = this.opts.kind.kind;
    } else {
      obj.apiVersion ??= this.opts.kind.apiVersion;
      obj.kind ??= this.opts.kind.kind;
    }
  }
}

/**
 * One ResilientWatch per namespace, read as one cache: the operator's rights over Secrets,
 * Deployments and the rest exist only in the namespaces opened to players, so it cannot list
 * them cluster-wide.
 */
export class NamespacedWatches implements Cache {
  private readonly watches: Map<string, ResilientWatch>;
  readonly synced: Promise<void>;
  readonly store: { set(key: string, obj: KubeObject): void };

  constructor(client: KubeClient, namespaces: string[], opts: Omit<WatchOptions, 'namespace'>) {
    this.watches = new Map(namespaces.map((namespace) => [namespace, new ResilientWatch(client, { ...opts, namespace })]));
    this.synced = Promise.all([...this.watches.values()].map((w) => w.synced)).then(() => undefined);
    this.store = {
      set: (key, obj) => {
        this.watches.get(obj.metadata.namespace ?? key.split('/')[0]!)?.store.set(key, obj);
      },
    };
  }

  get hasSynced(): boolean {
    return [...this.watches.values()].every((w) => w.hasSynced);
  }

  start(): void {
    for (const w of this.watches.values()) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.stop()));
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.watches.get(namespace)?.get(namespace, name);
  }

  async matches(live: KubeObject, desired: KubeObject, contains: Comparison): Promise<boolean> {
    return (await this.watches.get(live.metadata.namespace ?? '')?.matches(live, desired, contains)) ?? false;
  }

  list(namespace?: string): KubeObject[] {
    if (namespace !== undefined) return this.watches.get(namespace)?.list(namespace) ?? [];
    return [...this.watches.values()].flatMap((w) => w.list());
  }
}

/**
 * managedFields are the bulk of most objects: this trims what a caller holds before it reaches a
 * cache, to the operator's own entries (by apply, or by the POST that created it), which the projection reads (projection.ts: only
 * the fields it owns are kept) and then drops too.
 */
export function slim(obj: KubeObject): void {
  const meta = obj.metadata;
  const ours = meta.managedFields?.filter(isOurs);
  if (ours?.length) meta.managedFields = ours;
  else delete meta.managedFields;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
