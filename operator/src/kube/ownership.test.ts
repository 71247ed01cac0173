import { describe, expect, it } from 'vitest';
import { FIELD_MANAGER } from '../names.ts';
import { CREATED_SHAPE_ANNOTATION, createdByPost, fieldShape, ownershipMark, sameShapeAsCreated, upgradedManagedFields, type ManagedFieldsEntry } from './ownership.ts';

const created: ManagedFieldsEntry = { manager: FIELD_MANAGER, operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', time: 't1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } } };
const theirs: ManagedFieldsEntry = { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:c': {} } } };
const ourStatus: ManagedFieldsEntry = { manager: FIELD_MANAGER, operation: 'Update', subresource: 'status', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } };

describe('the ownership a POST of ours recorded', () => {
  it('becomes our apply entry, other managers’ entries and our status entry untouched', () => {
    expect(upgradedManagedFields([created, theirs, ourStatus])).toEqual([{ ...created, operation: 'Apply' }, theirs, ourStatus]);
  });

  it('is merged into an apply entry of ours that is there already', () => {
    const applied: ManagedFieldsEntry = { manager: FIELD_MANAGER, operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', time: 't2', fieldsV1: { 'f:data': { 'f:a': {}, 'f:d': {} }, 'f:metadata': { 'f:labels': {} } } };
    expect(upgradedManagedFields([theirs, applied, created])).toEqual([
      { ...applied, fieldsV1: { 'f:data': { 'f:a': {}, 'f:d': {}, '.': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': {} } } },
      theirs,
    ]);
  });

  it('needs nothing when the object holds no Update entry of ours', () => {
    expect(upgradedManagedFields([theirs, ourStatus, { ...created, operation: 'Apply' }])).toBeUndefined();
    expect(upgradedManagedFields([])).toBeUndefined();
  });

  it('is marked on a kept object by one shared array, and only while the Update entry is there', () => {
    const mark = ownershipMark([theirs, created]);
    expect(mark).toBe(ownershipMark([created]));
    expect(createdByPost({ managedFields: mark })).toBe(true);
    expect(ownershipMark([theirs, ourStatus, { ...created, operation: 'Apply' }])).toBeUndefined();
    expect(createdByPost({})).toBe(false);
  });
});

describe('the shape of what a POST wrote', () => {
  const object = (data: Record<string, string>, annotations?: Record<string, string>, list: unknown[] = [{ name: 'a', value: '1' }]) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'n', labels: { app: 'x' }, ...(annotations ? { annotations } : {}) },
    data,
    spec: { list },
  });

  it('counts the keys all the way down, not the values, nor their order', () => {
    expect(fieldShape(object({ a: '1', b: '2' }))).toBe(fieldShape(object({ b: 'other', a: 'values' })));
    expect(fieldShape(object({ a: '1' }))).not.toBe(fieldShape(object({ a: '1', b: '2' })));
    expect(fieldShape(object({ a: '1' }))).not.toBe(fieldShape({ ...object({ a: '1' }), extra: { deep: 1 } }));
  });

  it('counts a list whole: any change to it is another shape', () => {
    expect(fieldShape(object({}, undefined, [{ name: 'a', value: '1' }]))).toBe(fieldShape(object({}, undefined, [{ name: 'a', value: '1' }])));
    expect(fieldShape(object({}, undefined, [{ name: 'a', value: '2' }]))).not.toBe(fieldShape(object({})));
    expect(fieldShape(object({}, undefined, []))).not.toBe(fieldShape(object({})));
  });

  it('leaves our own annotations out, so an object with none of its own has the shape of one without annotations', () => {
    const own = { 'distributed-dungeon.io/applied-hash': 'h1', [CREATED_SHAPE_ANNOTATION]: 's1' };
    expect(fieldShape(object({ a: '1' }, own))).toBe(fieldShape(object({ a: '1' })));
    expect(fieldShape(object({ a: '1' }, { ...own, theirs: 'x' }))).toBe(fieldShape(object({ a: '1' }, { theirs: 'y' })));
    expect(fieldShape(object({ a: '1' }, { theirs: 'x' }))).not.toBe(fieldShape(object({ a: '1' })));
  });

  it('lets an apply skip the take-over only when the object records that very shape', () => {
    const shape = fieldShape(object({ a: '1' }));
    expect(sameShapeAsCreated({ annotations: { [CREATED_SHAPE_ANNOTATION]: shape } }, shape)).toBe(true);
    expect(sameShapeAsCreated({ annotations: { [CREATED_SHAPE_ANNOTATION]: shape } }, fieldShape(object({ a: '1', b: '2' })))).toBe(false);
    expect(sameShapeAsCreated({}, shape)).toBe(false);
  });
});
