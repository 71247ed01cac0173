import { describe, expect, it } from 'vitest';
import { bodyKeeping, projectionFor } from './projection.ts';
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
    expect(store.list('a')[0]!.metadata.resourceVersion).toBe('2');
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
    const store = new ObjectStore(projectionFor(Kinds.ConfigMap), { first: (o) => o.metadata.resourceVersion });
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

describe('ObjectStore of a kind whose body is dropped once known', () => {
  const deployment = (rv: string, image: string, ready = 0): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hero', namespace: 'a', resourceVersion: rv },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image }] } } },
    status: { readyReplicas: ready },
  });

  it('knows the body of an apply’s answer, and keeps of it only what is read (spec.replicas, status)', () => {
    const store = new ObjectStore(projectionFor(Kinds.Deployment), {}, bodyKeeping(Kinds.Deployment));
    const kept = store.set('a/hero', deployment('1', 'x'));
    expect(store.isKnown(kept)).toBe(true);
    expect(kept.spec).toEqual({ replicas: 1 });
    // The controller moves the status, not the spec: still known.
    const moved = store.ingest('a/hero', deployment('2', 'x', 1));
    expect(store.isKnown(moved)).toBe(true);
    expect(moved.status).toEqual({ readyReplicas: 1 });
  });

  it('does not know a body another writer changed, keeps it for the comparison, and drops it once marked', () => {
    const store = new ObjectStore(projectionFor(Kinds.Deployment), {}, bodyKeeping(Kinds.Deployment));
    store.set('a/hero', deployment('1', 'x'));
    const edited = store.ingest('a/hero', deployment('2', 'evil'));
    expect(store.isKnown(edited)).toBe(false);
    expect(edited.spec).toMatchObject({ template: { spec: { containers: [{ image: 'evil' }] } } });
    store.markKnown('a/hero', edited);
    expect(store.isKnown(store.get('a/hero')!)).toBe(true);
    expect(store.get('a/hero')!.spec).toEqual({ replicas: 1 });
  });

  it('of a metadata watch: knows only an apply’s answer or what was marked after a read, until it changes', () => {
    const store = new ObjectStore(projectionFor(Kinds.ConfigMap), {}, bodyKeeping(Kinds.ConfigMap));
    expect(store.isKnown(store.set('a/one', cm('a', 'one', '1')))).toBe(true);
    const changed = store.ingest('a/one', cm('a', 'one', '2'), true);
    expect(store.isKnown(changed)).toBe(false);
    store.markKnown('a/one', changed);
    expect(store.isKnown(store.get('a/one')!)).toBe(true);
    expect(store.isKnown(store.ingest('a/one', cm('a', 'one', '3'), true))).toBe(false);
  });

  it('a store that keeps bodies drops none', () => {
    const store = new ObjectStore(projectionFor(Kinds.Secret));
    expect(store.dropsBodies).toBe(false);
    expect(store.set('a/one', { ...cm('a', 'one'), kind: 'Secret' }).data).toEqual({ a: '1' });
  });
});
