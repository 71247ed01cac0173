// Who owns an object's fields, as its managedFields say, and how an object the operator created
// with a plain POST comes under its server-side apply.
//
// Why objects are created with POST at all: kube-apiserver spends 2.4 to 3.4 times the CPU on a
// server-side apply that creates an object as on a POST of the same object (operator/bench/
// write-cost.ts), and in a burst of new Characters it is the busiest process. A POST under our
// field manager records the fields as ours with operation Update, not Apply; an apply would then
// share them with that entry and never remove a field it stops applying. So, before the first
// apply of such an object, our Update entry is turned into (or merged with) our Apply entry, as
// kubectl does when it moves an object from client-side to server-side apply.
import { createHash } from 'node:crypto';
import { FIELD_MANAGER } from '../names.ts';

export type Fields = Record<string, unknown>;

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: Fields;
  time?: string;
}

/** Is `entry` one of ours on the object itself (not its status subresource), by apply or by create? */
export function isOurs(entry: ManagedFieldsEntry): boolean {
  return entry.manager === FIELD_MANAGER && !entry.subresource && (entry.operation === 'Apply' || entry.operation === 'Update');
}

/** The union of FieldsV1 sets. */
export function mergeFields(sets: Fields[]): Fields {
  const out: Fields = {};
  for (const set of sets) for (const [k, v] of Object.entries(set)) out[k] = k in out ? mergeFields([out[k] as Fields, v as Fields]) : v;
  return out;
}

/**
 * `entries` with our Update entry folded into our Apply entry (one made when there is none), or
 * undefined when there is no Update entry of ours (nothing to do). Other managers' entries and
 * our status entries are left as they are.
 */
export function upgradedManagedFields(entries: readonly ManagedFieldsEntry[]): ManagedFieldsEntry[] | undefined {
  const updates = entries.filter((e) => isOurs(e) && e.operation === 'Update');
  if (updates.length === 0) return undefined;
  const applies = entries.filter((e) => isOurs(e) && e.operation === 'Apply');
  const merged = mergeFields([...applies, ...updates].map((e) => e.fieldsV1 ?? {}));
  const first = applies[0] ?? updates[0]!;
  const apply: ManagedFieldsEntry = { ...first, operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: merged };
  const rest = entries.filter((e) => !isOurs(e));
  return [apply, ...rest];
}

/**
 * What a cache keeps of the managedFields of an object we created with POST and have not applied
 * since: a marker, one shared array, so that the next apply knows to upgrade the ownership first.
 */
const CREATED_MARK: readonly ManagedFieldsEntry[] = Object.freeze([Object.freeze({ manager: FIELD_MANAGER, operation: 'Update' })]);

export function ownershipMark(entries: readonly ManagedFieldsEntry[] | undefined): readonly ManagedFieldsEntry[] | undefined {
  return entries?.some((e) => isOurs(e) && e.operation === 'Update') ? CREATED_MARK : undefined;
}

/** Does the kept object carry our Update entry (created with POST, not applied since)? */
export function createdByPost(meta: { managedFields?: readonly ManagedFieldsEntry[] }): boolean {
  return meta.managedFields?.some((e) => isOurs(e) && e.operation === 'Update') ?? false;
}

/**
 * Set by a POST of ours: the shape of what it wrote (fieldShape). While our POST's Update entry
 * is there, an apply of the same shape sets every field that entry holds, so it leaves none of
 * them behind and needs no take-over first: a change of values only (a level up: new
 * configuration, new hashes in the pod template) goes out in one request, not two in a row.
 * Every later write carries the annotation unchanged, so while the Update entry lasts it still
 * names the POST's shape (a write of another shape takes the entry over first).
 */
export const CREATED_SHAPE_ANNOTATION = 'distributed-dungeon.io/created-shape';

/** The hash of what the operator last wrote (controller/applier.ts compares it before a write). */
export const APPLIED_HASH_ANNOTATION = 'distributed-dungeon.io/applied-hash';

/** Our annotations whose values are computed from the rest of the object. */
const OWN_ANNOTATIONS = new Set([CREATED_SHAPE_ANNOTATION, APPLIED_HASH_ANNOTATION]);

/**
 * The field paths an object sets, as a hash: every map key all the way down, every list whole
 * (a list's elements are its keys, or the list is one field, so two lists give the same paths
 * only when they are equal, at worst: a different list is counted as a different shape, which
 * costs a take-over and no more). Leaf values do not count. Our own annotations are left out.
 */
export function fieldShape(obj: { metadata?: { annotations?: Record<string, string> }; [field: string]: unknown }): string {
  const annotations = Object.entries(obj.metadata?.annotations ?? {}).filter(([k]) => !OWN_ANNOTATIONS.has(k));
  const { annotations: _own, ...metadata } = obj.metadata ?? {};
  const bare = { ...obj, metadata: annotations.length ? { ...metadata, annotations: Object.fromEntries(annotations) } : metadata };
  return createHash('sha256').update(JSON.stringify(shapeOf(bare))).digest('hex').slice(0, 16);
}

function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return 1;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = shapeOf(v);
  }
  return out;
}

/**
 * May an apply of an object of `shape` skip the take-over, the kept object carrying our POST's
 * Update entry? Yes when the POST recorded that very shape.
 */
export function sameShapeAsCreated(meta: { annotations?: Record<string, string> }, shape: string): boolean {
  return meta.annotations?.[CREATED_SHAPE_ANNOTATION] === shape;
}

/** Must an apply of `shape` take our POST's ownership over first? Only while our Update entry is there and the POST wrote another shape. */
export function needsTakeOver(meta: { annotations?: Record<string, string>; managedFields?: readonly ManagedFieldsEntry[] }, shape: string): boolean {
  return createdByPost(meta) && !sameShapeAsCreated(meta, shape);
}
