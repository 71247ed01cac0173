import { describe, expect, it } from 'vitest';
import { FIELD_MANAGER } from '../names.ts';
import { createdByPost, ownershipMark, upgradedManagedFields, type ManagedFieldsEntry } from './ownership.ts';

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
