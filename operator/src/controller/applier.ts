// How the operator writes a child object: not at all when the live object already holds what it
// would write (no idle writes), a POST when the object is not there yet, server-side apply under
// our field manager otherwise. kube/ownership.ts says why a POST, and what its first apply then
// does first.
import type { Logger } from 'pino';
import { contentHash } from '../builders/index.ts';
import { KubeError, type KubeClient } from '../kube/client.ts';
import { APPLIED_HASH_ANNOTATION, CREATED_SHAPE_ANNOTATION, createdByPost, fieldShape, needsTakeOver, upgradedManagedFields } from '../kube/ownership.ts';
import { collectionPath, objectPath, type Kind, type KubeObject } from '../kube/resources.ts';
import { slim, type Cache } from '../kube/watch.ts';
import { FIELD_MANAGER } from '../names.ts';
import { contains } from './compare.ts';

export { APPLIED_HASH_ANNOTATION };

export type Desired = { metadata: { name: string; namespace: string; annotations?: Record<string, string> } };

/**
 * Entry 0 of managedFields, when it is our POST's Update entry, becomes an Apply entry. Only our
 * children are upgraded, and the operator writes no status of theirs, so an Update entry of ours
 * there is the POST's.
 */
const firstEntryToApply = [
  { op: 'test', path: '/metadata/managedFields/0/manager', value: FIELD_MANAGER },
  { op: 'test', path: '/metadata/managedFields/0/operation', value: 'Update' },
  { op: 'replace', path: '/metadata/managedFields/0/operation', value: 'Apply' },
];

/**
 * What a refused POST means. 409 is two things: AlreadyExists (the object is there, unseen by the
 * cache: apply over it), and Conflict, which quota admission answers when kube-controller-manager
 * rewrote the namespace's quota meanwhile (nothing was made: post again). At 1,000 Characters a
 * few volume claims a run met the second, and taking it for the first sent an upgrade of an
 * object that was not there (404) and an apply that created it at three times a POST's cost.
 */
export function createRefusal(error: unknown): 'exists' | 'again' | undefined {
  if (!(error instanceof KubeError) || error.status !== 409) return undefined;
  return error.reason === 'AlreadyExists' ? 'exists' : 'again';
}

export class Applier {
  private readonly client: KubeClient;
  private readonly log: Logger;

  constructor(client: KubeClient, log: Logger) {
    this.client = client;
    this.log = log;
  }

  /**
   * Server-side apply, skipped when the live object already matches (no idle writes). An object
   * the cache does not hold is created with a POST instead, which kube-apiserver does for a
   * third of the CPU (kube/ownership.ts says why that is safe); its first apply later upgrades
   * the ownership the POST recorded.
   */
  async apply(kind: Kind, cache: Cache, desired: Desired, ownershipTaken = false): Promise<void> {
    const hash = contentHash(desired);
    desired.metadata.annotations = { ...desired.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash };
    const { namespace, name } = desired.metadata;
    const live = cache.get(namespace, name);
    // A cache that keeps no body compares what it knows, or reads it (kube/watch.ts `matches`).
    if (live && !live.metadata.deletionTimestamp && live.metadata.annotations?.[APPLIED_HASH_ANNOTATION] === hash && (await cache.matches(live, desired, contains))) return;
    // Only for a write (a reconcile that writes nothing computes no shape): a POST records its
    // shape, every later write carries what the object holds (kube/ownership.ts).
    const shape = fieldShape(desired);
    const created = live ? live.metadata.annotations?.[CREATED_SHAPE_ANNOTATION] : shape;
    if (created !== undefined) desired.metadata.annotations[CREATED_SHAPE_ANNOTATION] = created;
    let written = live ? undefined : await this.create(kind, desired);
    if (!written) {
      if (!live || (!ownershipTaken && needsTakeOver(live.metadata, shape))) await this.upgradeOwnership(kind, namespace, name);
      written = await this.client.request<KubeObject>('PATCH', objectPath(kind, namespace, name), {
        body: desired,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: FIELD_MANAGER, force: true },
      });
    }
    // Write-through: the next reconcile must not re-apply before the watch event arrives.
    slim(written);
    written.apiVersion ??= kind.apiVersion;
    written.kind ??= kind.kind;
    cache.store.set(`${namespace}/${name}`, written);
    this.log.debug({ kind: kind.kind, name, namespace }, live ? 'updated' : 'created');
  }

  /**
   * The upgrade of `apply`, ahead of it: for an object whose write waits on others (a
   * Deployment on its ConfigMap), so that the upgrade's request goes beside those writes,
   * not before its own. `probe`: an object of the shape the apply will have (its values may
   * differ); none is needed when the POST recorded that shape. Resolves true when it has
   * upgraded: pass that to `apply`.
   */
  async takeOver(kind: Kind, cache: Cache, namespace: string, name: string, probe?: Desired): Promise<boolean> {
    const live = cache.get(namespace, name);
    if (!live || live.metadata.deletionTimestamp || !createdByPost(live.metadata)) return false;
    if (probe && !needsTakeOver(live.metadata, fieldShape(probe))) return false;
    await this.upgradeOwnership(kind, namespace, name);
    return true;
  }

  /** POST under our field manager; undefined when the object exists after all (the cache had not seen it). */
  private async create(kind: Kind, desired: { metadata: { namespace: string } }): Promise<KubeObject | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.request<KubeObject>('POST', collectionPath(kind, desired.metadata.namespace), { body: desired, query: { fieldManager: FIELD_MANAGER } });
      } catch (error) {
        const refused = createRefusal(error);
        if (refused === 'exists') return undefined;
        if (refused !== 'again' || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Makes the fields a POST of ours recorded (operation Update) our apply's, so that the apply
   * that follows removes what it no longer sets. Our Update entry is nearly always the first:
   * kube-apiserver orders the entries by operation, then time, and we created the object. A JSON
   * patch then does it in one request, testing first that entry 0 is ours and an Update (a
   * failed test writes nothing). Otherwise the entries are read and written back whole, at the
   * read resourceVersion; the controllers write a Deployment's status often, so a conflict reads
   * again, a few times.
   */
  private async upgradeOwnership(kind: Kind, namespace: string, name: string): Promise<void> {
    const path = objectPath(kind, namespace, name);
    try {
      await this.client.request('PATCH', path, {
        body: firstEntryToApply,
        contentType: 'application/json-patch+json',
        query: { fieldManager: FIELD_MANAGER },
      });
      this.log.debug({ kind: kind.kind, name, namespace }, 'ownership upgraded to apply');
      return;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return; // gone: the apply creates it
      if (!(error instanceof KubeError && error.status === 422)) throw error; // 422: a test failed
    }
    for (let attempt = 1; ; attempt++) {
      let whole: KubeObject;
      try {
        whole = await this.client.request<KubeObject>('GET', path);
      } catch (error) {
        if (error instanceof KubeError && error.status === 404) return;
        throw error;
      }
      const managedFields = upgradedManagedFields(whole.metadata.managedFields ?? []);
      if (!managedFields) return;
      try {
        await this.client.request('PATCH', path, {
          body: { metadata: { resourceVersion: whole.metadata.resourceVersion, managedFields } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: FIELD_MANAGER },
        });
        this.log.debug({ kind: kind.kind, name, namespace, read: true }, 'ownership upgraded to apply');
        return;
      } catch (error) {
        if (!(error instanceof KubeError && error.status === 409) || attempt >= 5) throw error;
      }
    }
  }
}
