// What the operator keeps of each watched object: only the fields the reconciler, the status
// decisions (status/decide.ts) and the apply comparison (controller/compare.ts) read. Pod specs,
// ReplicaSet templates, timestamps and managedFields are most of the bytes of a list, and nothing
// reads them; keeping whole objects made the caches grow by megabytes per hundred Characters.
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

/** Everything but status: what the operator applies is compared field by field with `contains`. */
const applied: Projection = (obj) => {
  const out = base(obj);
  for (const [k, v] of Object.entries(obj)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'status') out[k] = v;
  return out;
};

/** The whole spec (applied and compared), and the status fields decide() reads. */
const deployment: Projection = (obj) => {
  const out = base(obj, true);
  out.spec = obj.spec;
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
