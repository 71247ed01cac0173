// How the operator writes a child object: not at all when the live object already holds what it
// would write (no idle writes), a POST when the object is not there yet, server-side apply under
// our field manager otherwise. kube/ownership.ts says why a POST, and what its first apply then
// does first.
import type { Logger } from 'pino';
import { contentHash } from '../builders/index.ts';
import { KubeError, type KubeClient } from '../kube/client.ts';
import { createdByPost, upgradedManagedFields } from '../kube/ownership.ts';
import { collectionPath, objectPath, type Kind, type KubeObject } from '../kube/resources.ts';
import { slim, type Cache } from '../kube/watch.ts';
import { FIELD_MANAGER } from '../names.ts';
import { contains } from './compare.ts';

export const APPLIED_HASH_ANNOTATION = 'distributed-dungeon.io/applied-hash';

export type Desired = { metadata: { name: string; namespace: string; annotations?: Record<string, string> } };

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
    let written = live ? undefined : await this.create(kind, desired);
    if (!written) {
      if (!live || (createdByPost(live.metadata) && !ownershipTaken)) await this.upgradeOwnership(kind, namespace, name);
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
   * Deployment on its ConfigMap), so that the upgrade's two requests go beside those writes,
   * not before its own. Resolves true when it has upgraded: pass that to `apply`.
   */
  async takeOver(kind: Kind, cache: Cache, namespace: string, name: string): Promise<boolean> {
    const live = cache.get(namespace, name);
    if (!live || live.metadata.deletionTimestamp || !createdByPost(live.metadata)) return false;
    await this.upgradeOwnership(kind, namespace, name);
    return true;
  }

  /** POST under our field manager; undefined when the object exists after all (the cache had not seen it). */
  private async create(kind: Kind, desired: { metadata: { namespace: string } }): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>('POST', collectionPath(kind, desired.metadata.namespace), { body: desired, query: { fieldManager: FIELD_MANAGER } });
    } catch (error) {
      if (error instanceof KubeError && error.status === 409) return undefined;
      throw error;
    }
  }

  /**
   * Makes the fields a POST of ours recorded (operation Update) our apply's, so that the apply
   * that follows removes what it no longer sets. Read and written at one resourceVersion; the
   * controllers write a Deployment's status often, so a conflict reads again, a few times.
   */
  private async upgradeOwnership(kind: Kind, namespace: string, name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let whole: KubeObject;
      try {
        whole = await this.client.request<KubeObject>('GET', objectPath(kind, namespace, name));
      } catch (error) {
        if (error instanceof KubeError && error.status === 404) return; // gone: the apply creates it
        throw error;
      }
      const managedFields = upgradedManagedFields(whole.metadata.managedFields ?? []);
      if (!managedFields) return;
      try {
        await this.client.request('PATCH', objectPath(kind, namespace, name), {
          body: { metadata: { resourceVersion: whole.metadata.resourceVersion, managedFields } },
          contentType: 'application/merge-patch+json',
          query: { fieldManager: FIELD_MANAGER },
        });
        this.log.debug({ kind: kind.kind, name, namespace }, 'ownership upgraded to apply');
        return;
      } catch (error) {
        if (!(error instanceof KubeError && error.status === 409) || attempt >= 5) throw error;
      }
    }
  }

}
