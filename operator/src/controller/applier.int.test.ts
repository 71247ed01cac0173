// The Applier against the real kube-apiserver: a child the cache does not hold is created with a
// POST, and its first apply afterwards takes over the POST's ownership, so that a field it stops
// writing is removed while another manager's field stays.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNamespace, waitFor } from '../../test/harness.ts';
import { KubeClient } from '../kube/client.ts';
import type { ManagedFieldsEntry } from '../kube/ownership.ts';
import { CREATED_SHAPE_ANNOTATION, createdByPost } from '../kube/ownership.ts';
import { Kinds, objectPath, type KubeObject } from '../kube/resources.ts';
import { ResilientWatch } from '../kube/watch.ts';
import { FIELD_MANAGER } from '../names.ts';
import { Applier } from './applier.ts';

const client = KubeClient.load(inject('kubeconfig'));
const ns = `applier-${Math.random().toString(36).slice(2, 8)}`;
const LABEL = 'distributed-dungeon.io/applier-test';
let cache: ResilientWatch;
const log = pino({ level: 'silent' });
const applier = new Applier(client, log);
// The same, on a client of its own whose requests are counted.
const counted = KubeClient.load(inject('kubeconfig'));
const requests: string[] = [];
counted.onRequest((verb, path) => requests.push(`${verb} ${path.split('?')[0]}`));
const countedApplier = new Applier(counted, log);

type ConfigMap = KubeObject & { data?: Record<string, string> };
const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { [LABEL]: 'yes' } }, data });
const read = (name: string) => client.request<ConfigMap>('GET', objectPath(Kinds.ConfigMap, ns, name));
const ours = (o: KubeObject) => (o.metadata.managedFields ?? []).filter((e: ManagedFieldsEntry) => e.manager === FIELD_MANAGER).map((e) => e.operation);

beforeAll(async () => {
  await createNamespace(client, ns);
  cache = new ResilientWatch(client, { kind: Kinds.ConfigMap, namespace: ns, labelSelector: `${LABEL}=yes`, metadataOnly: false, onEvent: () => undefined, log });
  cache.start();
  await cache.synced;
});

afterAll(async () => {
  await cache?.stop();
  await client.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => undefined);
  client.close();
  counted.close();
});

describe('writing a child', () => {
  it('creates it with a POST, then writes nothing while it holds what was written', async () => {
    await applier.apply(Kinds.ConfigMap, cache, configMap('fresh', { a: '1' }));
    const created = await read('fresh');
    expect(created.data).toEqual({ a: '1' });
    expect(ours(created)).toEqual(['Update']);
    expect(createdByPost(cache.get(ns, 'fresh')!.metadata)).toBe(true);

    await waitFor('the watch event', async () => cache.get(ns, 'fresh')?.metadata.resourceVersion === created.metadata.resourceVersion);
    await applier.apply(Kinds.ConfigMap, cache, configMap('fresh', { a: '1' }));
    expect((await read('fresh')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('takes the POST’s ownership over at the first apply: a key it stops writing goes, another manager’s key stays', async () => {
    await applier.apply(Kinds.ConfigMap, cache, configMap('changed', { a: '1', b: '2' }));
    await client.request('PATCH', objectPath(Kinds.ConfigMap, ns, 'changed'), { body: { data: { c: '3' } }, contentType: 'application/merge-patch+json', query: { fieldManager: 'someone-else' } });
    await waitFor('the other manager’s key in the cache', async () => ours((await read('changed'))).length === 1 && cache.get(ns, 'changed')?.metadata.resourceVersion === (await read('changed')).metadata.resourceVersion);

    await applier.apply(Kinds.ConfigMap, cache, configMap('changed', { a: '1' }));
    const after = await read('changed');
    expect(after.data).toEqual({ a: '1', c: '3' });
    expect(ours(after)).toEqual(['Apply']);
    expect(createdByPost(cache.get(ns, 'changed')!.metadata)).toBe(false);
  });

  it('takes the ownership over in one request when the POST’s entry is the first, as on an object it made', async () => {
    await applier.apply(Kinds.ConfigMap, cache, configMap('one-request', { a: '1', b: '2' }));
    requests.length = 0;
    await countedApplier.apply(Kinds.ConfigMap, cache, configMap('one-request', { a: '1' }));
    const path = objectPath(Kinds.ConfigMap, ns, 'one-request');
    expect(requests).toEqual([`PATCH ${path}`, `PATCH ${path}`]); // the JSON patch, then the apply
    const after = await read('one-request');
    expect(after.data).toEqual({ a: '1' });
    expect(ours(after)).toEqual(['Apply']);
  });

  it('reads the entries and writes them back when the POST’s is not the first (another manager made the object)', async () => {
    await client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: configMap('second-entry', { x: '1' }), query: { fieldManager: 'someone-else' } });
    // Later, so after the other manager's entry: an Update entry of ours, as a POST leaves.
    await new Promise((r) => setTimeout(r, 1_100));
    await client.request('PATCH', objectPath(Kinds.ConfigMap, ns, 'second-entry'), { body: { data: { a: '1', b: '2' } }, contentType: 'application/merge-patch+json', query: { fieldManager: FIELD_MANAGER } });
    const before = await read('second-entry');
    expect(before.metadata.managedFields?.map((e: ManagedFieldsEntry) => e.manager)).toEqual(['someone-else', FIELD_MANAGER]);
    await waitFor('our entry in the cache', async () => cache.get(ns, 'second-entry')?.metadata.resourceVersion === before.metadata.resourceVersion);
    expect(createdByPost(cache.get(ns, 'second-entry')!.metadata)).toBe(true);

    requests.length = 0;
    await countedApplier.apply(Kinds.ConfigMap, cache, configMap('second-entry', { a: '1' }));
    const path = objectPath(Kinds.ConfigMap, ns, 'second-entry');
    // The JSON patch's test fails (nothing written), then GET, the merge patch, the apply.
    expect(requests).toEqual([`PATCH ${path}`, `GET ${path}`, `PATCH ${path}`, `PATCH ${path}`]);
    const after = await read('second-entry');
    expect(after.data).toEqual({ x: '1', a: '1' });
    expect(ours(after)).toEqual(['Apply']);
  });

  it('takes the ownership over ahead of the apply when asked (takeOver), and the apply then removes the key without a second upgrade', async () => {
    await applier.apply(Kinds.ConfigMap, cache, configMap('ahead', { a: '1', b: '2' }));
    expect(await applier.takeOver(Kinds.ConfigMap, cache, ns, 'ahead')).toBe(true);
    expect(ours(await read('ahead'))).toEqual(['Apply']);
    await applier.apply(Kinds.ConfigMap, cache, configMap('ahead', { a: '1' }), true);
    const after = await read('ahead');
    expect(after.data).toEqual({ a: '1' });
    expect(ours(after)).toEqual(['Apply']);
    // Applied since: nothing left to take over.
    await waitFor('the apply’s answer or event in the cache', async () => !createdByPost(cache.get(ns, 'ahead')!.metadata));
    expect(await applier.takeOver(Kinds.ConfigMap, cache, ns, 'ahead')).toBe(false);
  });

  it('skips the take-over when the apply has the shape the POST wrote: one request, the POST’s entry kept beside the apply’s', async () => {
    await applier.apply(Kinds.ConfigMap, cache, configMap('same-shape', { a: '1', b: '2' }));
    const created = await read('same-shape');
    expect(created.metadata.annotations?.[CREATED_SHAPE_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
    await waitFor('the POST in the cache', async () => cache.get(ns, 'same-shape')?.metadata.resourceVersion === created.metadata.resourceVersion);
    requests.length = 0;
    await countedApplier.apply(Kinds.ConfigMap, cache, configMap('same-shape', { a: 'one', b: 'two' }));
    expect(requests).toEqual([`PATCH ${objectPath(Kinds.ConfigMap, ns, 'same-shape')}`]); // the apply alone
    const after = await read('same-shape');
    expect(after.data).toEqual({ a: 'one', b: 'two' });
    expect(ours(after).sort()).toEqual(['Apply', 'Update']);
    expect(after.metadata.annotations?.[CREATED_SHAPE_ANNOTATION]).toBe(created.metadata.annotations?.[CREATED_SHAPE_ANNOTATION]);
    expect(createdByPost(cache.get(ns, 'same-shape')!.metadata)).toBe(true);

    // Another shape later: taken over then (the entries read and written back, ours no longer
    // first), and the key it stops writing goes.
    requests.length = 0;
    await countedApplier.apply(Kinds.ConfigMap, cache, configMap('same-shape', { a: 'one' }));
    const last = await read('same-shape');
    expect(last.data).toEqual({ a: 'one' });
    expect(ours(last)).toEqual(['Apply']);
    expect(requests.at(-1)).toBe(`PATCH ${objectPath(Kinds.ConfigMap, ns, 'same-shape')}`);
    expect(requests.length).toBeGreaterThan(1);
  });

  it('takes over ahead of the apply only when the probe’s shape is not the POST’s', async () => {
    await applier.apply(Kinds.ConfigMap, cache, configMap('probed', { a: '1' }));
    await waitFor('the POST in the cache', async () => cache.get(ns, 'probed') !== undefined);
    expect(await applier.takeOver(Kinds.ConfigMap, cache, ns, 'probed', configMap('probed', { a: 'new value' }))).toBe(false);
    expect(ours(await read('probed'))).toEqual(['Update']);
    expect(await applier.takeOver(Kinds.ConfigMap, cache, ns, 'probed', configMap('probed', { a: '1', b: 'a new key' }))).toBe(true);
    expect(ours(await read('probed'))).toEqual(['Apply']);
  });

  it('applies over an object that was there before the cache saw it (the POST answers 409)', async () => {
    // Not labelled: the cache never holds it.
    await client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unseen' }, data: { old: 'x' } } });
    await applier.apply(Kinds.ConfigMap, cache, configMap('unseen', { a: '1' }));
    const after = await read('unseen');
    expect(after.data).toEqual({ old: 'x', a: '1' });
    expect(after.metadata.labels?.[LABEL]).toBe('yes');
    expect(ours(after)).toEqual(['Apply']);
  });
});
