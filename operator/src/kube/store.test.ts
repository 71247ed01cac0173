import { describe, expect, it } from 'vitest';
import { projectionFor } from './projection.ts';
import { Kinds, type KubeObject } from './resources.ts';
import { ObjectStore } from './store.ts';

const cm = (namespace: string, name: string, rv = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, resourceVersion: rv, managedFields: [{}] } as KubeObject['metadata'],
  data: { a: rv },
});

describe('ObjectStore', () => {
  it('lists one namespace without the others and keeps projections only', () => {
    const store = new ObjectStore(projectionFor(Kinds.ConfigMap));
    store.set('a/one', cm('a', 'one'));
    store.set('a/two', cm('a', 'two'));
    store.set('b/one', cm('b', 'one'));
    expect(store.list('a').map((o) => o.metadata.name).sort()).toEqual(['one', 'two']);
    expect(store.list('b').map((o) => o.metadata.name)).toEqual(['one']);
    expect(store.list('c')).toEqual([]);
    expect(store.list()).toHaveLength(3);
    expect(store.get('a/one')!.metadata).not.toHaveProperty('managedFields');
  });

  it('hands out the same list until its namespace changes, then a fresh one', () => {
    const store = new ObjectStore(projectionFor(Kinds.ConfigMap));
    store.set('a/one', cm('a', 'one'));
    store.set('b/one', cm('b', 'one'));
    const a = store.list('a');
    const b = store.list('b');
    const all = store.list();
    expect(store.list('a')).toBe(a);
    store.set('a/one', cm('a', 'one', '2'));
    expect(store.list('a')).not.toBe(a);
    expect(store.list('a')[0]!.data).toEqual({ a: '2' });
    expect(store.list('b')).toBe(b);
    expect(store.list()).not.toBe(all);
    store.delete('b/one');
    expect(store.list('b')).toEqual([]);
    expect(store.size).toBe(1);
    expect(store.list().map((o) => o.metadata.namespace)).toEqual(['a']);
  });
});

describe('ObjectStore indexes', () => {
  it('finds objects by an indexed value, following updates and deletions', () => {
    const store = new ObjectStore(projectionFor(Kinds.ConfigMap), { first: (o) => (o as { data?: { a?: string } }).data?.a });
    store.set('a/one', cm('a', 'one', '1'));
    store.set('b/one', cm('b', 'one', '1'));
    store.set('a/two', cm('a', 'two', '2'));
    expect(store.byIndex('first', '1').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(['a/one', 'b/one']);
    store.set('a/one', cm('a', 'one', '2'));
    expect(store.byIndex('first', '1').map((o) => o.metadata.namespace)).toEqual(['b']);
    expect(store.byIndex('first', '2')).toHaveLength(2);
    store.delete('b/one');
    expect(store.byIndex('first', '1')).toEqual([]);
    expect(store.byIndex('unknown', '1')).toEqual([]);
  });
});
