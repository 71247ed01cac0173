// The reconcile shell: read the caches, ask the pure builders and decision functions what should
// be, write only what differs. Every write is made under one field manager (children through
// applier.ts: server-side apply, or a POST for an object not there yet).
// Past our ~350-line mark on purpose: this is the one file that orders a reconcile's reads and
// writes end to end; what it decides and builds lives in status/ and builders/.
import { characterIdFor, CharacterSpecSchema, type CharacterResourceStatus, type CharacterSpec } from '@distributed-dungeon/contracts';
import type { Logger } from 'pino';
import {
  apiKeyFromSecret,
  characterIdFromSecret,
  buildConfigMap,
  buildConnectionSecret,
  buildDeployment,
  buildLimitRange,
  buildNetworkPolicy,
  buildPvc,
  buildResourceQuota,
  buildSecret,
  buildService,
  buildServiceAccount,
  contentHash,
  KEY_SPEC_ANNOTATION,
  type BuildContext,
} from '../builders/index.ts';
import { KubeError, type KubeClient } from '../kube/client.ts';
import { buildPlayerSecret, needsPlayerLink, playerSecretName } from '../builders/player-link.ts';
import { Kinds, objectPath, type Kind, type KubeObject } from '../kube/resources.ts';
import { slim, type Cache, type ResilientWatch } from '../kube/watch.ts';
import { endpointFor, FIELD_MANAGER, FINALIZER, labelValue, names, CHARACTER_LABEL } from '../names.ts';
import { imageAllowed, type Policy } from '../policy.ts';
import { statusChanged } from '../status/conditions.ts';
import { decide, everRegistered, nextStatus, type Decision, type Observation, type RegistryView } from '../status/decide.ts';
import { statusEvent, transitions } from '../status/events.ts';
import { BY_ID } from './character-index.ts';
import { Applier, type Desired } from './applier.ts';
import type { Metrics } from './metrics.ts';
import { KeyedChain } from './keyed-chain.ts';
import { keySpecOf, RegistryError, type RegistryClient } from './registry.ts';

/** Events and platform reports in flight at most before a reconcile waits for some to land. */
const MAX_SIDE_WRITES = 64;

export interface Caches {
  characters: ResilientWatch;
  deployments: Cache;
  replicaSets: Cache;
  pods: Cache;
  secrets: Cache;
  configMaps: Cache;
  pvcs: Cache;
  services: Cache;
  networkPolicies: Cache;
  serviceAccounts: Cache;
  resourceQuotas: Cache;
  limitRanges: Cache;
}

interface ReconcilerDeps {
  client: KubeClient;
  caches: Caches;
  registry: RegistryClient;
  /** What the registry says about each character (polled in bulk). */
  registryView: (characterId: string) => RegistryView;
  policy: Policy;
  metrics: Metrics;
  log: Logger;
  identity: string;
  /**
   * The namespaces opened to players, where the operator has its namespaced rights (a
   * RoleBinding each); undefined: every namespace (cluster-wide rights).
   */
  namespaces?: readonly string[];
}

interface ReconcileResult {
  /** Come back after this long even if nothing changes (registry polling). */
  requeueAfterMs?: number;
  /** Come back with backoff (a dependency is unavailable); not an error. */
  retry?: boolean;
}

interface CharacterObject extends KubeObject {
  spec?: unknown;
  status?: CharacterResourceStatus;
}

/**
 * Promise.all that lets every write finish (settle) before it rejects with the first failure:
 * a reconcile never returns while one of its writes is still in flight.
 */
async function all<T extends readonly unknown[]>(writes: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(writes);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function isQuotaRefusal(error: unknown): error is KubeError {
  return error instanceof KubeError && error.status === 403 && /exceeded quota/i.test(error.message);
}

/**
 * Why `characterId` may not be used by the Character `uid`: another Character (another UID) has
 * the same id, and with it the registry key; undefined when the id is free.
 */
export function idHeldByAnother(characters: KubeObject[], characterId: string, uid: string, idOf: (c: KubeObject) => string): string | undefined {
  const other = characters.find((c) => c.metadata.uid !== uid && idOf(c) === characterId);
  return other && `character id ${characterId} belongs to Character ${other.metadata.namespace}/${other.metadata.name} (uid ${other.metadata.uid}); no key is minted for this one`;
}

export class Reconciler {
  private readonly d: ReconcilerDeps;

  private readonly applier: Applier;

  constructor(deps: ReconcilerDeps) {
    this.d = deps;
    this.applier = new Applier(deps.client, deps.log);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const character = this.d.caches.characters.get(namespace, name) as CharacterObject | undefined;
    if (!character) {
      this.ids.delete(key); // gone: its id need not be remembered
      return {};
    }
    if (character.metadata.deletionTimestamp) return this.finalize(character);
    // Outside the open namespaces nothing is made, so there is nothing to clean up: no finalizer.
    if (this.isOpen(namespace) && !character.metadata.finalizers?.includes(FINALIZER)) {
      const updated = await this.patchCharacter(character, { metadata: { finalizers: [...(character.metadata.finalizers ?? []), FINALIZER], resourceVersion: character.metadata.resourceVersion } });
      // On at once with what the patch answered: with thousands of Characters queued, waiting for
      // the patch's own watch event put each new Character at the back of the queue once more.
      return this.sync(updated);
    }
    return this.sync(character);
  }

  private isOpen(namespace: string): boolean {
    return this.d.namespaces === undefined || this.d.namespaces.includes(namespace);
  }

  /**
   * The id is a SHA-256 of namespace/name, wanted on every reconcile (and for the id check's
   * candidates): remembered per namespace/name.
   */
  private readonly ids = new Map<string, string>();

  private characterId(c: CharacterObject): string {
    const key = `${c.metadata.namespace}/${c.metadata.name}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = characterIdFor(c.metadata.namespace!, c.metadata.name);
      this.ids.set(key, id);
    }
    return id;
  }

  private async sync(character: CharacterObject): Promise<ReconcileResult> {
    const { namespace, name, uid } = character.metadata as { namespace: string; name: string; uid: string };
    const generation = character.metadata.generation ?? 0;
    const characterId = this.characterId(character);
    const parsed = CharacterSpecSchema.safeParse(character.spec);
    const rawSpec = (character.spec ?? {}) as { suspend?: boolean; image?: string };
    const external = parsed.success && parsed.data.placement === 'external';
    const observation: Observation = {
      deleting: false,
      suspend: rawSpec.suspend === true,
      external,
      ...(character.metadata.creationTimestamp ? { createdAt: character.metadata.creationTimestamp } : {}),
      wasRegistered: everRegistered(character.status),
      replicaSets: [],
      pods: [],
      registry: { state: 'unregistered' },
    };
    let result: ReconcileResult = {};
    observation.idTaken = this.idHeldByAnother(characterId, uid);

    if (!this.isOpen(namespace)) {
      observation.namespaceNotOpen = `namespace ${namespace} is not open to players: the game master lists it in the chart's players.namespaces (and helm upgrade) to run Characters here`;
    } else if (!parsed.success) {
      observation.specError = parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ');
    } else if (external) {
      // Placement cannot change (CRD rule), so there is never a pod of ours to remove here.
      if (!this.d.policy.externalUrl) {
        observation.externalUrlUnset = "the game master has not set the api-server's external URL (the chart's apiServer.externalUrl, or the operator's DUNGEON_EXTERNAL_URL), so a process outside the cluster has nowhere to connect";
      } else if (!observation.idTaken) {
        result = await this.applyExternal({ ref: { name, namespace, uid }, spec: parsed.data, characterId, policy: this.d.policy }, this.d.policy.externalUrl, observation);
      }
    } else if (!imageAllowed(parsed.data.image ?? '', this.d.policy.allowedImageRegistries)) {
      observation.imageNotAllowed = `image ${parsed.data.image} is not from an allowed registry (${this.d.policy.allowedImageRegistries.join(', ')})`;
      await this.deleteIfPresent(Kinds.Deployment, this.d.caches.deployments, namespace, names.deployment(name));
    } else if (observation.idTaken) {
      await this.deleteIfPresent(Kinds.Deployment, this.d.caches.deployments, namespace, names.deployment(name));
    } else {
      const ctx: BuildContext = { ref: { name, namespace, uid }, spec: parsed.data, characterId, policy: this.d.policy };
      result = await this.applyChildren(ctx, observation, generation !== character.status?.observedGeneration);
      if (observation.idTaken) await this.deleteIfPresent(Kinds.Deployment, this.d.caches.deployments, namespace, names.deployment(name));
    }

    const deployment = this.d.caches.deployments.get(namespace, names.deployment(name));
    observation.deployment = deployment as Observation['deployment'];
    const mine = (o: KubeObject) => o.metadata.labels?.[CHARACTER_LABEL] === labelValue(name);
    observation.pods = this.d.caches.pods.list(namespace).filter(mine) as Observation['pods'];
    observation.replicaSets = this.d.caches.replicaSets
      .list(namespace)
      .filter((rs) => mine(rs) && rs.metadata.ownerReferences?.some((o) => o.uid === deployment?.metadata.uid)) as Observation['replicaSets'];
    observation.registry = this.d.registryView(characterId);

    const decision = decide(observation);
    const sessionId = observation.registry.state === 'registered' ? observation.registry.sessionId : undefined;
    await this.writeStatus(character, decision, { characterId, ...(external ? {} : { endpoint: endpointFor(name, namespace) }), sessionId }, generation);
    return result;
  }

  /** An external Character: its key, in a Secret with the connection bundle; no pod, volume or Service. */
  private async applyExternal(ctx: BuildContext, externalUrl: string, observation: Observation): Promise<ReconcileResult> {
    await this.applyNamespacePolicy(ctx.ref.namespace);
    const { apiKey, keySpecHash } = await this.ensureKey(ctx, observation);
    if (!apiKey) return { retry: true };
    await this.apply(Kinds.Secret, this.d.caches.secrets, buildConnectionSecret(ctx, externalUrl, apiKey, keySpecHash));
    await this.ensurePlayerLink(ctx);
    return {};
  }

  /** `specMoved`: the spec's generation is not yet the status's (a new Character, or a change). */
  private async applyChildren(ctx: BuildContext, observation: Observation, specMoved: boolean): Promise<ReconcileResult> {
    const { name, namespace } = ctx.ref;
    const c = this.d.caches;
    // The namespace's quota and limits before anything they govern; then the children, which do
    // not depend on one another, at once (a change waited on each of them in turn); the
    // Deployment last, so its pod never starts before its Secret, ConfigMap and volume exist.
    await this.applyNamespacePolicy(namespace);
    const configMap = buildConfigMap(ctx);
    const applyPvc = async () => {
      try {
        const livePvc = c.pvcs.get(namespace, names.pvc(name)) as Parameters<typeof buildPvc>[1];
        await this.apply(Kinds.PersistentVolumeClaim, c.pvcs, buildPvc(ctx, livePvc));
      } catch (error) {
        if (!isQuotaRefusal(error)) throw error;
        observation.quotaError = (error.body as { message?: string })?.message ?? error.message;
      }
    };
    // The key, then its Secret. `written` is the Secret's write; the pod waits for it only when
    // the Secret's data is new: when the live Secret already holds this key (a spec change moves
    // only its key-spec annotation), the Deployment goes out beside it. The player's sign-in link
    // (`linked`) is for the web client, not the pod: it goes out beside the Deployment too (in a
    // creation burst it had been one more round trip before every pod).
    const credentials = async (): Promise<{ apiKey: string | undefined; written: Promise<void>; linked: Promise<void> }> => {
      const { apiKey, keySpecHash } = await this.ensureKey(ctx, observation);
      if (!apiKey) return { apiKey, written: Promise.resolve(), linked: Promise.resolve() };
      const live = c.secrets.get(namespace, names.secret(name)) as { data?: Record<string, string> } | undefined;
      const dataInPlace = apiKeyFromSecret(live) === apiKey && characterIdFromSecret(live) === ctx.characterId;
      const written = this.apply(Kinds.Secret, c.secrets, buildSecret(ctx, apiKey, keySpecHash));
      const linked = this.ensurePlayerLink(ctx);
      // Handled here, awaited (and their failures thrown) below: never an unhandled rejection.
      written.catch(() => undefined);
      linked.catch(() => undefined);
      if (!dataInPlace) await written;
      return { apiKey, written, linked };
    };
    // The Service is not among what the pod needs to start: its write goes on beside the others
    // and is awaited (and its failure thrown) with the Deployment's.
    const service = this.applyService(ctx);
    service.catch(() => undefined);
    // A spec change rolls the Deployment out; one the operator created with a POST has its
    // ownership taken over first (applier.ts), beside the writes the Deployment waits for, unless
    // the POST wrote the shape it will have (the hashes are values: they do not change it).
    const deploymentTakenOver = specMoved
      ? this.applier.takeOver(Kinds.Deployment, c.deployments, namespace, names.deployment(name), buildDeployment(ctx, { config: '', credentials: '' }))
      : Promise.resolve(false);
    const [{ apiKey, written, linked }, , , , , deploymentTaken] = await all([
      credentials(),
      this.apply(Kinds.ServiceAccount, c.serviceAccounts, buildServiceAccount(ctx)),
      this.apply(Kinds.ConfigMap, c.configMaps, configMap),
      applyPvc(),
      this.apply(Kinds.NetworkPolicy, c.networkPolicies, buildNetworkPolicy(ctx)),
      deploymentTakenOver,
    ] as const).catch(async (error: unknown) => {
      await service.catch(() => undefined); // never return while the Service write is in flight
      throw error;
    });
    const result: ReconcileResult = apiKey ? {} : { retry: true };
    if (apiKey) {
      const hashes = { config: contentHash(configMap.data), credentials: contentHash(apiKey) };
      await all([this.apply(Kinds.Deployment, c.deployments, buildDeployment(ctx, hashes), deploymentTaken), written, linked, service]);
    } else await service;
    return result;
  }

  /**
   * The Character's Service. One made before Services were headless holds a cluster IP, which
   * cannot be taken from it (422 on spec.clusterIP): it is deleted and made again, under the same name.
   */
  private async applyService(ctx: BuildContext): Promise<void> {
    const { name, namespace } = ctx.ref;
    try {
      await this.apply(Kinds.Service, this.d.caches.services, buildService(ctx));
    } catch (error) {
      const causes = (error instanceof KubeError && error.status === 422 ? (error.body as { details?: { causes?: { field?: string }[] } })?.details?.causes : undefined) ?? [];
      if (!causes.some((cause) => cause.field?.startsWith('spec.clusterIP'))) throw error;
      this.d.log.info({ namespace, name: names.service(name) }, 'Service holds a cluster IP: made again headless');
      await this.d.client.request('DELETE', objectPath(Kinds.Service, namespace, names.service(name))).catch((deleteError: unknown) => {
        if (!(deleteError instanceof KubeError && deleteError.status === 404)) throw deleteError;
      });
      await this.apply(Kinds.Service, this.d.caches.services, buildService(ctx));
    }
  }

  /**
   * The Character's API key: reused from our Secret (if that Secret belongs to this very Character and
   * was minted for the id it has now: ids made by an older scheme get a new key), else minted.
   * Undefined when the registry would not issue one (the observation says why).
   */
  private async ensureKey(ctx: BuildContext, observation: Observation): Promise<{ apiKey: string | undefined; keySpecHash: string }> {
    const { name, namespace, uid } = ctx.ref;
    const secret = this.d.caches.secrets.get(namespace, names.secret(name)) as { metadata: KubeObject['metadata']; data?: Record<string, string> } | undefined;
    const ownedByMe = secret?.metadata.ownerReferences?.some((o) => o.uid === uid) && characterIdFromSecret(secret) === ctx.characterId;
    let apiKey = ownedByMe ? apiKeyFromSecret(secret) : undefined;
    const keySpec = keySpecOf(ctx.spec);
    try {
      // A level up (or other spec change) after the key was minted: the registry must hold the
      // new spec, or the character's next registration is refused as not matching.
      if (apiKey && secret?.metadata.annotations?.[KEY_SPEC_ANNOTATION] !== contentHash(keySpec)) {
        await this.d.registry.updateKeySpec(ctx.characterId, keySpec).catch((error: unknown) => {
          // No live key under that id any more (revoked by hand): mint a new one below.
          if (error instanceof RegistryError && error.status === 404) apiKey = undefined;
          else throw error;
        });
      }
      apiKey ??= await this.d.registry.mintKey(ctx.characterId, { uid, namespace, name }, keySpec);
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      apiKey = undefined;
      // 409: the registry holds this id for another Character UID; never take its key over.
      if (error.status === 409) {
        observation.idTaken = `character id ${ctx.characterId} has a live API key of another Character, which is not replaced; if that Character is gone for good, revoke its key (DELETE /api/registry/keys/${ctx.characterId}) (${error.message})`;
      } else observation.credentialsPending = error.message;
    }
    return { apiKey, keySpecHash: contentHash(keySpec) };
  }

  /** Secret `<name>-player` (builders/player-link.ts); without it the Character still plays. */
  private async ensurePlayerLink(ctx: BuildContext): Promise<void> {
    if (!needsPlayerLink(this.d.caches.secrets.get(ctx.ref.namespace, playerSecretName(ctx.ref.name)), ctx.ref.uid)) return;
    try {
      await this.apply(Kinds.Secret, this.d.caches.secrets, buildPlayerSecret(ctx, await this.d.registry.mintPlayerLink(ctx.characterId)));
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      this.d.log.warn({ character: `${ctx.ref.namespace}/${ctx.ref.name}`, err: error.message }, 'player sign-in link not written');
    }
  }

  private idHeldByAnother(characterId: string, uid: string): string | undefined {
    // Only the Characters indexed under this id are candidates (not a scan of every Character).
    return idHeldByAnother(this.d.caches.characters.store.byIndex(BY_ID, characterId), characterId, uid, (c) => this.characterId(c));
  }

  /**
   * The namespace's quota and limits, shared by all its Characters: a creation burst reconciles
   * dozens of a namespace's Characters at once, and each found the objects not yet in the cache
   * and applied them again (about 15 writes per namespace instead of 2). A reconcile that comes
   * while the namespace's apply is in flight waits for that one.
   */
  private readonly policyApplies = new Map<string, Promise<void>>();

  private async applyNamespacePolicy(namespace: string): Promise<void> {
    const inFlight = this.policyApplies.get(namespace);
    if (inFlight) return inFlight;
    const applying = all([
      this.apply(Kinds.ResourceQuota, this.d.caches.resourceQuotas, buildResourceQuota(namespace, this.d.policy)),
      this.apply(Kinds.LimitRange, this.d.caches.limitRanges, buildLimitRange(namespace, this.d.policy)),
    ]).then(() => undefined).finally(() => this.policyApplies.delete(namespace));
    this.policyApplies.set(namespace, applying);
    return applying;
  }

  /** What the operator writes of a child: see Applier. */
  apply(kind: Kind, cache: Cache, desired: Desired, ownershipTaken = false): Promise<void> {
    return this.applier.apply(kind, cache, desired, ownershipTaken);
  }

  private async deleteIfPresent(kind: Kind, cache: Cache, namespace: string, name: string): Promise<void> {
    const live = cache.get(namespace, name);
    if (!live || live.metadata.deletionTimestamp) return;
    try {
      await this.d.client.request('DELETE', objectPath(kind, namespace, name), { body: { propagationPolicy: 'Background' } });
    } catch (error) {
      if (!(error instanceof KubeError && error.status === 404)) throw error;
    }
  }

  private async patchCharacter(character: CharacterObject, patch: unknown, subresource = ''): Promise<CharacterObject> {
    const updated = await this.d.client.request<CharacterObject>(
      'PATCH',
      objectPath(Kinds.Character, character.metadata.namespace!, character.metadata.name) + subresource,
      { body: patch, contentType: 'application/merge-patch+json' },
    );
    slim(updated);
    this.d.caches.characters.store.set(`${character.metadata.namespace}/${character.metadata.name}`, updated);
    return updated;
  }

  private async writeStatus(character: CharacterObject, decision: Decision, facts: Parameters<typeof nextStatus>[2], generation: number): Promise<CharacterObject> {
    const previous = character.status;
    const next = nextStatus(previous, decision, facts, generation, new Date());
    if (!statusChanged(previous, next)) return character;
    // Merge patch: fields we no longer report are nulled out explicitly.
    const patch: Record<string, unknown> = { ...next };
    for (const k of Object.keys(previous ?? {})) if (!(k in next)) patch[k] = null;
    this.d.log.debug({ character: character.metadata.name, previous, next }, 'status changed');
    const updated = await this.patchCharacter(character, { status: patch }, '/status');
    this.d.metrics.statusWrites.inc();
    // All best effort and independent of one another, sent together, and not awaited by the
    // reconcile: on a busy apiserver they held its worker for another round trip (2.5 s at load
    // 15), while a player's change waited for a free worker. Each Event's timestamps are taken
    // here, in the order of the status writes, so no order is lost.
    this.inBackground([
      this.platformReports.run(next.characterId ?? '', () => this.reportPlatform(updated, next)),
      ...[statusEvent(transitions(previous, next, decision))].filter((t) => t !== undefined).map((t) => this.recordEvent(updated, t.type, t.reason, t.message)),
    ]);
    await this.backpressure();
    return updated;
  }

  /** A Character's platform reports, one at a time in the order of its status writes (keyed-chain.ts). */
  private readonly platformReports = new KeyedChain();

  /** Best-effort writes (Events, platform reports) still in flight; never rejected. */
  private readonly sideWrites = new Set<Promise<unknown>>();

  private inBackground(writes: Promise<unknown>[]): void {
    for (const w of writes) {
      const settled = w.catch((error: unknown) => this.d.log.warn({ err: error }, 'a best-effort write failed'));
      this.sideWrites.add(settled);
      void settled.finally(() => this.sideWrites.delete(settled));
    }
  }

  /** A reconcile waits only when many side writes are in flight, so they cannot pile up without bound. */
  private async backpressure(): Promise<void> {
    while (this.sideWrites.size >= MAX_SIDE_WRITES) await Promise.race(this.sideWrites);
  }

  /** Resolves when every side write sent so far has settled (the operator's stop waits for it). */
  async drain(): Promise<void> {
    while (this.sideWrites.size > 0) await Promise.all(this.sideWrites);
  }

  /** The web client's view of the status (the api-server does not read the cluster); best effort. */
  private async reportPlatform(character: CharacterObject, status: CharacterResourceStatus): Promise<void> {
    if (!status.characterId || !status.phase) return;
    const conditions = (status.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
    await this.d.registry
      .reportPlatform(status.characterId, { namespace: character.metadata.namespace!, name: character.metadata.name, phase: status.phase, conditions })
      .catch((error: unknown) => {
        if (!(error instanceof RegistryError)) throw error;
        this.d.log.debug({ character: character.metadata.name, err: error.message }, 'platform status not reported');
      });
  }

  private async recordEvent(character: CharacterObject, type: string, reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    const { namespace, name, uid, resourceVersion } = character.metadata;
    // Events are namespaced writes: outside the open namespaces the operator may not make them.
    if (!this.isOpen(namespace!)) return;
    try {
      await this.d.client.request('POST', `/api/v1/namespaces/${namespace}/events`, {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${name.slice(0, 200)}.`, namespace },
          involvedObject: { apiVersion: Kinds.Character.apiVersion, kind: 'Character', name, namespace, uid, resourceVersion },
          type,
          reason,
          message: message.slice(0, 1000),
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: this.d.identity.slice(0, 128),
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      // Events are best effort: a lost event must not fail the reconcile.
      this.d.log.warn({ err: error, reason }, 'could not record an event');
    }
  }

  private async finalize(found: CharacterObject): Promise<ReconcileResult> {
    let character = found;
    if (!character.metadata.finalizers?.includes(FINALIZER)) return {};
    const { namespace, name, uid } = character.metadata as { namespace: string; name: string; uid: string };
    const characterId = this.characterId(character);
    const decision = decide({ deleting: true, suspend: false, replicaSets: [], pods: [], registry: { state: 'unregistered' } });
    character = await this.writeStatus(character, decision, { characterId, endpoint: endpointFor(name, namespace) }, character.metadata.generation ?? 0).catch(
      (error: unknown) => {
        this.d.log.debug({ err: error }, 'could not mark Terminating');
        return character;
      },
    );
    // Revoke first: once the key is gone the character cannot act, whatever else fails. A key
    // (and registration) of another Character under this id is not ours to end.
    if (await this.d.registry.revokeKey(characterId, uid)) {
      await this.d.registry.deregister(characterId);
      // After every report still in flight for it: none may land after the withdrawal.
      await this.platformReports.run(characterId, () => this.d.registry.reportPlatform(characterId, null)).catch((error: unknown) => {
        if (!(error instanceof RegistryError)) throw error;
        this.d.log.debug({ characterId, err: error.message }, 'platform status not withdrawn');
      });
    }

    const spec = (character.spec ?? {}) as Partial<CharacterSpec>;
    if (spec.storage?.retainOnDelete && this.isOpen(namespace)) {
      const pvc = this.d.caches.pvcs.get(namespace, names.pvc(name));
      const refs = pvc?.metadata.ownerReferences ?? [];
      if (pvc && refs.some((r) => r.uid === uid)) {
        await this.d.client.request('PATCH', objectPath(Kinds.PersistentVolumeClaim, namespace, pvc.metadata.name), {
          body: { metadata: { ownerReferences: refs.filter((r) => r.uid !== uid), resourceVersion: pvc.metadata.resourceVersion } },
          contentType: 'application/merge-patch+json',
        });
        this.d.log.info({ namespace, name }, 'kept the data volume (retainOnDelete)');
      }
    }
    const finalizers = (character.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await this.patchCharacter(character, { metadata: { finalizers, resourceVersion: character.metadata.resourceVersion } });
    this.d.log.info({ namespace, name, characterId }, 'finalized: key revoked, deregistered');
    return {};
  }
}
