import { eventually } from './eventually.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createDatabase } from './database.ts';
import { kubeRequest, type KubeIdentity } from './kube-client.ts';
import { controlPlaneBinDir } from './controlplane-binaries.ts';
import { join } from 'node:path';

const run = promisify(execFile);
const kubectlBin = () => join(controlPlaneBinDir(), 'kubectl');
const kubectl = async (args: string[], input?: string) => {
  const p = run(kubectlBin(), args, { env: { ...process.env, KUBECONFIG: inject('kubeconfig') } });
  if (input !== undefined) p.child.stdin?.end(input);
  return (await p).stdout;
};


describe('PostgreSQL from the harness', () => {
  it('round-trips a row through a fresh database', async () => {
    const url = await createDatabase(inject('postgresAdminUrl'), 'smoke');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id serial PRIMARY KEY, v jsonb NOT NULL)');
      await client.query('INSERT INTO t (v) VALUES ($1)', [{ hp: 12 }]);
      const { rows } = await client.query('SELECT v FROM t');
      expect(rows).toEqual([{ v: { hp: 12 } }]);
      const { rows: version } = await client.query('SHOW server_version_num');
      expect(Number(version[0].server_version_num)).toBeGreaterThanOrEqual(150000);
    } finally {
      await client.end();
    }
  });
});

describe('Redis from the harness', () => {
  it('round-trips a value and a pub/sub message, and refuses a client without the password', async () => {
    const url = inject('redisUrl');
    const a = new Redis(url);
    const b = new Redis(url);
    try {
      await a.set('smoke', 'value');
      expect(await a.get('smoke')).toBe('value');
      await b.subscribe('smoke:channel');
      const got = new Promise<string>((resolve) => b.on('message', (_c, m: string) => resolve(m)));
      await a.publish('smoke:channel', 'hello');
      expect(await got).toBe('hello');
      const u = new URL(url);
      const anon = new Redis({ host: u.hostname, port: Number(u.port), lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
      const refusals: string[] = [];
      anon.on('error', (e: Error) => refusals.push(e.message));
      await expect(anon.connect().then(() => anon.get('smoke'))).rejects.toThrow();
      expect(refusals.join('\n')).toMatch(/NOAUTH/);
      anon.disconnect();
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});

describe('the local Kubernetes control plane', () => {
  it('reports the pinned version from /version', async () => {
    const out = JSON.parse(await kubectl(['get', '--raw', '/version'])) as { gitVersion: string };
    expect(out.gitVersion).toBe(inject('kubeVersion'));
  });

  it('has a Ready kwok node', async () => {
    const out = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
    };
    const ready = out.items.filter((n) => n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.map((n) => n.metadata.name)).toContain('kwok-node-0');
  });

  it('schedules a Deployment whose Pod reaches Running on the kwok node', async () => {
    const ns = `smoke-${Date.now().toString(36)}`;
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'hello' } },
        template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'hello', image: 'example.invalid/hello:1' }] } },
      },
    }));
    const pod = await eventually('a Running pod', async () => {
      const out = JSON.parse(await kubectl(['get', 'pods', '-n', ns, '-l', 'app=hello', '-o', 'json'])) as {
        items: { spec: { nodeName?: string }; status: { phase: string } }[];
      };
      return out.items.find((p) => p.status.phase === 'Running');
    });
    expect(pod.spec.nodeName).toBe('kwok-node-0');
  });

  it('binds a PersistentVolumeClaim through the local storage class', async () => {
    const ns = `pvc-${Date.now().toString(36)}`;
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }));
    const phase = await eventually('the claim to bind', async () => {
      const p = (await kubectl(['get', 'pvc', 'data', '-n', ns, '-o', 'jsonpath={.status.phase}'])).trim();
      return p === 'Bound' ? p : undefined;
    });
    expect(phase).toBe('Bound');
  });

  it('refuses an unprivileged identity through RBAC', async () => {
    const admin = inject('kubeAdmin');
    // A ServiceAccount with no bindings: its token authenticates but authorises nothing.
    const ns = `rbac-${Date.now().toString(36)}`;
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'serviceaccount', 'nobody', '-n', ns]);
    const token = (await kubectl(['create', 'token', 'nobody', '-n', ns])).trim();
    const nobody: KubeIdentity = { server: admin.server, ca: admin.ca, token };
    const denied = await kubeRequest<{ reason: string; message: string }>(nobody, 'GET', '/api/v1/namespaces/kube-system/secrets');
    expect(denied.status).toBe(403);
    expect(denied.body.reason).toBe('Forbidden');
    expect(denied.body.message).toContain(`system:serviceaccount:${ns}:nobody`);
    const allowed = await kubeRequest(admin, 'GET', '/api/v1/namespaces/kube-system/secrets');
    expect(allowed.status).toBe(200);
  });

  it('garbage-collects the dependents of a deleted owner', async () => {
    const ns = `gc-${Date.now().toString(36)}`;
    await kubectl(['create', 'namespace', ns]);
    const owner = JSON.parse(await kubectl(['create', 'configmap', 'owner', '-n', ns, '-o', 'json'])) as { metadata: { uid: string } };
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'dependent',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }],
      },
      data: { k: 'v' },
    }));
    await kubectl(['delete', 'configmap', 'owner', '-n', ns, '--wait=false']);
    const gone = await eventually('the dependent to be collected', async () => {
      const out = await kubectl(['get', 'configmaps', '-n', ns, '-o', 'name']);
      return out.includes('configmap/dependent') ? undefined : true;
    });
    expect(gone).toBe(true);
  });
});
