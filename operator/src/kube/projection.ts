// What the operator keeps of each watched object: only the fields the reconciler, the status
// decisions (status/decide.ts) and the apply comparison (controller/compare.ts) read. Pod specs,
// ReplicaSet templates, timestamps and managedFields are most of the bytes of a list, and nothing
// reads them; keeping whole objects made the caches grow by megabytes per hundred Characters.
import { hash } from 'node:crypto';
import { isOurs, mergeFields, ownershipMark, type Fields, type ManagedFieldsEntry } from './ownership.ts';
import { Kinds, type Kind, type KubeObject } from './resources.ts';
import { Sharer } from './share.ts';

export type Projection = (obj: KubeObject) => KubeObject;

type Meta = KubeObject['metadata'];
type Loose = Record<string, unknown>;

/** A kubectl client-side apply copy of the whole object: never read, possibly large. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * `identity`: keep the uid and generation. Only a Character's (the key's owner check, Events) and a
 * Deployment's (its ReplicaSets' owner, the rollout's generation) are read; dropping the others'
 * saves a unique string per object.
 */
function metadata(m: Meta, identity: boolean): Meta {
  const out: Meta = { name: m.name };
  if (m.namespace !== undefined) out.namespace = m.namespace;
  if (identity && m.uid !== undefined) out.uid = m.uid;
  if (m.resourceVersion !== undefined) out.resourceVersion = m.resourceVersion;
  if (identity && m.generation !== undefined) out.generation = m.generation;
  if (m.labels !== undefined) out.labels = m.labels;
  if (m.annotations !== undefined) {
    const { [LAST_APPLIED]: _dropped, ...annotations } = m.annotations;
    out.annotations = annotations;
  }
  if (m.ownerReferences !== undefined) out.ownerReferences = m.ownerReferences;
  if (m.finalizers !== undefined) out.finalizers = m.finalizers;
  if (m.deletionTimestamp !== undefined) out.deletionTimestamp = m.deletionTimestamp;
  const mark = ownershipMark(m.managedFields);
  if (mark) out.managedFields = mark;
  return out;
}

function conditions(list: unknown): Loose[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as Loose[]).map(({ type, status, reason, message }) => ({ type, status, reason, message }));
}

function pick(from: Loose | undefined, keys: readonly string[]): Loose | undefined {
  if (!from) return undefined;
  const out: Loose = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

function base(obj: KubeObject, identity = false): KubeObject {
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: metadata(obj.metadata, identity) };
}

/**
 * The fields the operator owns (its managedFields entries, FieldsV1: by apply, or by the POST
 * that created the object, kube/ownership.ts), or undefined when it owns none (then the object
 * is kept whole). Only these are compared with
 * what will be applied (controller/compare.ts): defaults the API server filled in and fields of
 * other managers are not. A field another writer changed moves to that writer's entry, so it
 * drops out of ours, the comparison fails and the operator applies again: drift is still seen.
 */
function ownedFields(obj: KubeObject): Fields | undefined {
  const ours = obj.metadata.managedFields?.filter((e: ManagedFieldsEntry) => isOurs(e) && e.fieldsV1);
  if (!ours?.length) return undefined;
  return ours.length === 1 ? ours[0]!.fieldsV1 : mergeFields(ours.map((e) => e.fieldsV1!));
}

/** Does list element `el` (at `index`) match the FieldsV1 list key `key` (k:{…}, v:…, i:N)? */
function isElement(el: unknown, index: number, key: string): boolean {
  const arg = key.slice(2);
  if (key.startsWith('i:')) return Number(arg) === index;
  if (key.startsWith('v:')) return JSON.stringify(el) === JSON.stringify(JSON.parse(arg));
  if (!key.startsWith('k:') || typeof el !== 'object' || el === null) return false;
  return Object.entries(JSON.parse(arg) as Loose).every(([f, v]) => JSON.stringify((el as Loose)[f]) === JSON.stringify(v));
}

/** `value` with only the fields of the FieldsV1 set `fields` (a leaf set keeps the value whole). */
function restrict(value: unknown, fields: Fields): unknown {
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((el, i) => {
      const key = keys.find((k) => isElement(el, i, k));
      if (key !== undefined) out.push(restrict(el, fields[key] as Fields));
    });
    return out;
  }
  const out: Loose = {};
  for (const k of keys) {
    const v = k.startsWith('f:') ? (value as Loose)[k.slice(2)] : undefined;
    if (v !== undefined) out[k.slice(2)] = restrict(v, fields[k] as Fields);
  }
  return out;
}

/** The object's body (all but apiVersion, kind, metadata, status) into `out`: its owned fields, or whole. */
function body(obj: KubeObject, out: KubeObject): KubeObject {
  const owned = ownedFields(obj);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    if (!owned) out[k] = v;
    else if (owned[`f:${k}`] !== undefined) out[k] = restrict(v, owned[`f:${k}`] as Fields);
  }
  return out;
}

/** Everything but status, as far as the operator applied it: compared field by field with `contains`. */
const applied: Projection = (obj) => body(obj, base(obj));

/**
 * The spec as applied (and compared, then dropped: bodyKeeping), and the status fields decide()
 * reads: of the conditions only ReplicaFailure (quota refusals); Available's and Progressing's
 * messages name the ReplicaSet, a string of its own per Character.
 */
const deployment: Projection = (obj) => {
  const out = body(obj, base(obj, true));
  const status = obj.status as Loose | undefined;
  if (status) {
    const failures = Array.isArray(status.conditions) ? (status.conditions as Loose[]).filter((c) => c.type === 'ReplicaFailure') : [];
    out.status = {
      ...pick(status, ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas']),
      ...(failures.length ? { conditions: conditions(failures) } : {}),
    };
  }
  return out;
};

/** decide() reads a ReplicaSet's conditions only (quota refusals); its pod template is dropped. */
const replicaSet: Projection = (obj) => {
  const out = base(obj);
  const status = obj.status as Loose | undefined;
  if (status?.conditions) out.status = { conditions: conditions(status.conditions) };
  return out;
};

/** A pod's phase and container states (crash loops, pull failures); the spec is dropped. */
const pod: Projection = (obj) => {
  const out = base(obj);
  const status = obj.status as Loose | undefined;
  if (status) {
    const containers = status.containerStatuses as Loose[] | undefined;
    out.status = {
      ...pick(status, ['phase', 'reason', 'message']),
      ...(status.conditions ? { conditions: conditions(status.conditions) } : {}),
      ...(containers ? { containerStatuses: containers.map((c) => pick(c, ['name', 'ready', 'restartCount', 'state', 'lastState'])) } : {}),
    };
  }
  return out;
};

/** Characters are read whole (spec and status); only the metadata is trimmed. */
const character: Projection = (obj) => {
  const out = base(obj, true);
  if (obj.spec !== undefined) out.spec = obj.spec;
  if (obj.status !== undefined) out.status = obj.status;
  return out;
};

function fieldsOf(kind: Kind): Projection {
  switch (kind) {
    case Kinds.Character:
      return character;
    case Kinds.Deployment:
      return deployment;
    case Kinds.ReplicaSet:
      return replicaSet;
    case Kinds.Pod:
      return pod;
    default:
      return applied;
  }
}

/**
 * Kinds whose content only the apply comparison reads (never the reconciler or decide()): they
 * are listed and watched as metadata (PartialObjectMetadata, watch.ts), which keeps labels,
 * annotations (the applied hash) and owner references, and none of the body. Whether the body
 * still holds what was applied is asked of the API server when it may not (ResilientWatch.matches).
 */
const METADATA_ONLY: ReadonlySet<Kind> = new Set([Kinds.ConfigMap, Kinds.Service, Kinds.NetworkPolicy, Kinds.ServiceAccount]);

export function watchedAsMetadata(kind: Kind): boolean {
  return METADATA_ONLY.has(kind);
}

/** What a metadata-only cache keeps: the object's metadata, as trimmed for every kind. */
const metadataOnly: Projection = (obj) => base(obj);

/**
 * For a kind whose applied body the cache drops once it is known to hold what was applied (an
 * apply's answer, or a comparison that held): the body is what most of such an object's bytes
 * are, and only the apply comparison reads it. Whether a later version still holds it is told
 * by its fingerprint; when that cannot be told, the body is read again (ResilientWatch.matches).
 */
export interface BodyKeeping {
  /** Of a kept object: its body's fingerprint, or undefined when it has no body (metadata only). */
  fingerprint(kept: KubeObject): string | undefined;
  /** `kept` without the body, but with what the reconciler and decide() read. */
  drop(kept: KubeObject): KubeObject;
}

const noBody: BodyKeeping = { fingerprint: () => undefined, drop: (kept) => kept };

/** One frozen `{ replicas: n }` per n: all a known Deployment keeps of its spec (decide() reads it). */
const replicaSpecs = new Map<number, Readonly<{ replicas: number }>>();

const deploymentBody: BodyKeeping = {
  fingerprint: (kept) => (kept.spec === undefined ? undefined : hash('sha1', JSON.stringify(kept.spec), 'base64')),
  drop: (kept) => {
    const { spec, ...rest } = kept;
    const replicas = (spec as { replicas?: number } | undefined)?.replicas;
    if (replicas === undefined) return rest as KubeObject;
    let kept1 = replicaSpecs.get(replicas);
    if (!kept1) replicaSpecs.set(replicas, (kept1 = Object.freeze({ replicas })));
    return { ...rest, spec: kept1 } as KubeObject;
  },
};

/** How the kind's cache keeps its body (undefined: as it comes, for the reconciler reads it). */
export function bodyKeeping(kind: Kind): BodyKeeping | undefined {
  if (METADATA_ONLY.has(kind)) return noBody;
  return kind === Kinds.Deployment ? deploymentBody : undefined;
}

/**
 * The body the operator applied, of a whole object read for one comparison (not kept, so not
 * shared): for the kinds watched as metadata.
 */
export const appliedFields: Projection = applied;

/** One for all the caches of a process: the same strings recur across kinds. */
const sharer = new Sharer();

/** The kind's projection, its repeated strings and sub-objects shared (share.ts). */
export function projectionFor(kind: Kind): Projection {
  const fields = watchedAsMetadata(kind) ? metadataOnly : fieldsOf(kind);
  return (obj) => sharer.share(fields(obj));
}
