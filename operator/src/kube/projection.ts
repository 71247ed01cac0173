// What the operator keeps of each watched object: only the fields the reconciler, the status
// decisions (status/decide.ts) and the apply comparison (controller/compare.ts) read. Pod specs,
// ReplicaSet templates, timestamps and managedFields are most of the bytes of a list, and nothing
// reads them; keeping whole objects made the caches grow by megabytes per hundred Characters.
import { FIELD_MANAGER } from '../names.ts';
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

type Fields = Record<string, unknown>;

/**
 * The fields the operator's server-side apply owns (its managedFields entry, FieldsV1), or
 * undefined when it owns none (then the object is kept whole). Only these are compared with
 * what will be applied (controller/compare.ts): defaults the API server filled in and fields of
 * other managers are not. A field another writer changed moves to that writer's entry, so it
 * drops out of ours, the comparison fails and the operator applies again: drift is still seen.
 */
function ownedFields(obj: KubeObject): Fields | undefined {
  const entries = (obj.metadata as { managedFields?: { manager?: string; operation?: string; subresource?: string; fieldsV1?: Fields }[] }).managedFields;
  const ours = entries?.filter((e) => e.manager === FIELD_MANAGER && e.operation === 'Apply' && !e.subresource && e.fieldsV1);
  if (!ours?.length) return undefined;
  return ours.length === 1 ? ours[0]!.fieldsV1 : merge(ours.map((e) => e.fieldsV1!));
}

function merge(sets: Fields[]): Fields {
  const out: Fields = {};
  for (const set of sets) for (const [k, v] of Object.entries(set)) out[k] = k in out ? merge([out[k] as Fields, v as Fields]) : v;
  return out;
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

/** The spec as applied (and compared), and the status fields decide() reads. */
const deployment: Projection = (obj) => {
  const out = body(obj, base(obj, true));
  const status = obj.status as Loose | undefined;
  if (status) {
    out.status = {
      ...pick(status, ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas']),
      ...(status.conditions ? { conditions: conditions(status.conditions) } : {}),
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

/** One for all the caches of a process: the same strings recur across kinds. */
const sharer = new Sharer();

/** The kind's projection, its repeated strings and sub-objects shared (share.ts). */
export function projectionFor(kind: Kind): Projection {
  const fields = fieldsOf(kind);
  return (obj) => sharer.share(fields(obj));
}
