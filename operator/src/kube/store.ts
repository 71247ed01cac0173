// A watch cache's objects, indexed by namespace. The reconciler lists one namespace's pods and
// ReplicaSets per reconcile and every Character (the id check) per reconcile; filtering a copy of
// the whole cache each time was quadratic in the number of Characters. Lists are kept until the
// namespace changes, so a steady cluster lists without copying. Optional indexes answer "which
// objects have this value" (a Character's id, its label) without scanning every object.
import type { KubeObject } from './resources.ts';
import type { BodyKeeping, Projection } from './projection.ts';

/** An index: the value an object is found under (undefined: not indexed). */
export type Indexer = (obj: KubeObject) => string | undefined;

/**
 * A store of a kind whose applied body is not kept once it is known (projection.ts
 * `bodyKeeping`): which kept objects are known to hold, in the API server, the body the operator
 * applied, each with the fingerprint of that body (or '' when the watch sends no body).
 */
class KnownBodies {
  private readonly known = new WeakMap<KubeObject, string>();
  readonly keeping: BodyKeeping;

  constructor(keeping: BodyKeeping) {
    this.keeping = keeping;
  }

  has(obj: KubeObject): boolean {
    return this.known.has(obj);
  }

  fingerprint(obj: KubeObject): string | undefined {
    return this.known.get(obj);
  }

  /** `kept` (with its body, if any) is known as applied: what to keep instead, body dropped. */
  know(kept: KubeObject, fingerprint = this.keeping.fingerprint(kept) ?? ''): KubeObject {
    const slim = this.keeping.drop(kept);
    this.known.set(slim, fingerprint);
    return slim;
  }
}

export class ObjectStore {
  private readonly byKey = new Map<string, KubeObject>();
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  private all: KubeObject[] | undefined;
  private readonly lists = new Map<string, KubeObject[]>();
  /** What is kept of an object (also applied to what a caller hands to `set`). */
  readonly project: Projection;

  private readonly indexers: Record<string, Indexer>;
  /**
   * Per index: value → the key of the object under it (a Set only when several share it: one
   * Set per Character was a tenth of its cached bytes); and the value each key is under.
   */
  private readonly indexed = new Map<string, { byValue: Map<string, string | Set<string>>; ofKey: Map<string, string> }>();

  /** Undefined: the kind's body is kept as it comes. */
  private readonly bodies: KnownBodies | undefined;

  constructor(project: Projection, indexers: Record<string, Indexer> = {}, keeping?: BodyKeeping) {
    this.project = project;
    this.indexers = indexers;
    if (keeping) this.bodies = new KnownBodies(keeping);
    for (const name of Object.keys(indexers)) this.indexed.set(name, { byValue: new Map(), ofKey: new Map() });
  }

  /** The objects whose `index` value is `value` (a fresh array: few objects share a value). */
  byIndex(index: string, value: string): KubeObject[] {
    const keys = this.indexed.get(index)?.byValue.get(value);
    if (keys === undefined) return [];
    if (typeof keys === 'string') return [this.byKey.get(keys)!];
    return [...keys].map((k) => this.byKey.get(k)!);
  }

  /**
   * Is `obj` (as kept) known to hold, in the API server, the body the operator applied? Then its
   * body is not kept (only its metadata, and what is read of the rest, are).
   */
  isKnown(obj: KubeObject): boolean {
    return this.bodies?.has(obj) ?? false;
  }

  /** Does the store drop bodies once known (so a known object's body must not be read)? */
  get dropsBodies(): boolean {
    return this.bodies !== undefined;
  }

  /**
   * `obj`, as kept under `key`, was found as applied (its own body compared, or a read of it):
   * from now on kept without its body. Nothing when it is no longer what is kept there.
   */
  markKnown(key: string, obj: KubeObject): void {
    if (!this.bodies || this.byKey.get(key) !== obj || this.bodies.has(obj)) return;
    this.put(key, this.bodies.know(obj));
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): KubeObject | undefined {
    return this.byKey.get(key);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  values(): IterableIterator<KubeObject> {
    return this.byKey.values();
  }

  /**
   * Keeps the projection of what an apply or patch of the operator answered (write-through: the
   * next reconcile must not apply again before the watch event arrives); returns it. Its body is
   * what was applied, so it is known.
   */
  set(key: string, obj: KubeObject): KubeObject {
    const kept = this.project(obj);
    return this.put(key, this.bodies ? this.bodies.know(kept) : kept);
  }

  /**
   * Keeps the projection of a watched object (list or event); returns it. `partial`: `obj` is
   * metadata only (a metadata watch's), so its body is unknown. A body equal to the one known
   * of the object before (a Deployment's status moved, not its spec) is known still.
   */
  ingest(key: string, obj: KubeObject, partial = false): KubeObject {
    const kept = this.project(obj);
    if (!this.bodies) return this.put(key, kept);
    const old = this.byKey.get(key);
    const before = old && this.bodies.fingerprint(old);
    const now = partial || !before ? undefined : this.bodies.keeping.fingerprint(kept);
    return this.put(key, now !== undefined && now === before ? this.bodies.know(kept, now) : kept);
  }

  private put(key: string, kept: KubeObject): KubeObject {
    const old = this.byKey.get(key);
    if (old && old.metadata.namespace !== kept.metadata.namespace) this.delete(key);
    this.byKey.set(key, kept);
    const ns = kept.metadata.namespace ?? '';
    let inNs = this.byNamespace.get(ns);
    if (!inNs) this.byNamespace.set(ns, (inNs = new Map()));
    inNs.set(key, kept);
    for (const [name, indexer] of Object.entries(this.indexers)) this.reindex(name, key, indexer(kept));
    this.changed(ns);
    return kept;
  }

  delete(key: string): KubeObject | undefined {
    const old = this.byKey.get(key);
    if (!old) return undefined;
    this.byKey.delete(key);
    const ns = old.metadata.namespace ?? '';
    const inNs = this.byNamespace.get(ns);
    inNs?.delete(key);
    if (inNs?.size === 0) this.byNamespace.delete(ns);
    for (const name of Object.keys(this.indexers)) this.reindex(name, key, undefined);
    this.changed(ns);
    return old;
  }

  /**
   * Every object, or one namespace's. The array is shared until that namespace changes: callers
   * read it (filter, find) and must not mutate it.
   */
  list(namespace?: string): KubeObject[] {
    if (namespace === undefined) return (this.all ??= [...this.byKey.values()]);
    let list = this.lists.get(namespace);
    if (!list) {
      list = [...(this.byNamespace.get(namespace)?.values() ?? [])];
      this.lists.set(namespace, list);
    }
    return list;
  }

  private reindex(index: string, key: string, value: string | undefined): void {
    const { byValue, ofKey } = this.indexed.get(index)!;
    const was = ofKey.get(key);
    if (was === value) return;
    if (was !== undefined) {
      const keys = byValue.get(was)!;
      if (typeof keys === 'string') byValue.delete(was);
      else {
        keys.delete(key);
        if (keys.size === 1) byValue.set(was, keys.values().next().value!);
      }
      ofKey.delete(key);
    }
    if (value === undefined) return;
    const keys = byValue.get(value);
    if (keys === undefined) byValue.set(value, key);
    else if (typeof keys === 'string') byValue.set(value, new Set([keys, key]));
    else keys.add(key);
    ofKey.set(key, value);
  }

  private changed(namespace: string): void {
    this.all = undefined;
    this.lists.delete(namespace);
  }
}
