// The chart against the real control plane of the run (globalSetup): what `helm template` renders
// is accepted by kube-apiserver (server-side dry run, restricted Pod Security admission on), a real
// install creates the platform, its generated secrets survive `helm upgrade`, and `helm
// uninstall` removes it. The rendered Redis configuration and ACL file run in a real redis-server.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, freePort, startProcess, waitUntil } from '@distributed-dungeon/testkit';
import {
  chartDir,
  findObject,
  helm,
  kubectl as kubectlAt,
  parseManifests,
  renderChart,
  secretFromManifests,
  withValuesFile,
  type KubeObject,
  type RenderOptions,
} from './chart.ts';

const kubeconfig = () => inject('kubeconfig');
const kubectl = (args: string[], input?: string) => kubectlAt(args, { kubeconfig: kubeconfig(), input });
const suffix = () => Math.random().toString(36).slice(2, 8);

/** A namespace where Pod Security admission enforces (and warns about) the restricted profile. */
async function restrictedNamespace(prefix: string): Promise<string> {
  const ns = `${prefix}-${suffix()}`;
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
  return ns;
}


async function dryRunApply(o: RenderOptions & { namespace: string }): Promise<{ manifest: string; out: string; warnings: string }> {
  const manifest = await renderChart(o);
  const { stdout, stderr } = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-n', o.namespace, '-f', '-'], manifest);
  return { manifest, out: stdout, warnings: stderr };
}

async function secretData(ns: string, name: string): Promise<Record<string, string>> {
  const s = JSON.parse((await kubectl(['get', 'secret', name, '-n', ns, '-o', 'json'])).stdout) as { data: Record<string, string> };
  return Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

beforeAll(async () => {
  // The chart's CRD, installed for real (as `helm install` does from crds/), so the server knows it.
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(chartDir, 'crds')]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/characters.distributed-dungeon.io']);
});

describe('helm template output, applied with --dry-run=server', () => {
  const combinations: [string, Record<string, unknown>][] = [
    ['defaults', {}],
    ['external PostgreSQL and Redis', {
      postgresql: { enabled: false }, externalDatabase: { url: 'postgresql://app:pw@db.example:5432/dungeon' },
      redis: { enabled: false }, externalRedis: { existingSecret: 'bus-creds' },
    }],
    ['TLS on, Redis persistent, Ingress on', {
      apiServer: { tls: { enabled: true, secretName: 'api-tls' }, ingress: { enabled: true, className: 'nginx', tls: [{ secretName: 'web-tls', hosts: ['dungeon.example'] }] } },
      redis: { tls: { enabled: true, secretName: 'redis-tls' }, persistence: { enabled: true } },
    }],
    ['HPA on, policy and network settings, kept secrets', {
      apiServer: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5, targetMemoryUtilizationPercentage: 80 } },
      networkPolicy: { ingressNamespaces: ['ingress-nginx'], monitoringNamespaces: ['monitoring'] },
      characterPolicy: { allowedImageRegistries: ['registry.example/players'], runtimeClassName: 'gvisor' },
      auth: { keepOnUninstall: true }, postgresql: { persistence: { enabled: false } },
    }],
  ];

  for (const [label, values] of combinations) {
    it(`is accepted: ${label}, with no Pod Security warning`, async () => {
      const namespace = await restrictedNamespace('chart-dry');
      const { out, warnings } = await dryRunApply({ namespace, values });
      expect(out).toMatch(/deployment\.apps\/dungeon-api-server created \(server dry run\)/);
      expect(out).toMatch(/deployment\.apps\/dungeon-operator created \(server dry run\)/);
      expect(out).toMatch(/clusterrole\.rbac\.authorization\.k8s\.io\/dungeon-operator created \(server dry run\)/);
      expect(warnings).toBe('');
      if ('autoscaling' in ((values.apiServer as object | undefined) ?? {})) expect(out).toContain('horizontalpodautoscaler.autoscaling/dungeon-api-server created (server dry run)');
      if ((values.postgresql as { enabled?: boolean } | undefined)?.enabled === false) expect(out).not.toContain('statefulset.apps/dungeon-postgresql');
      else expect(out).toContain('statefulset.apps/dungeon-postgresql created (server dry run)');
    });
  }

  it('the server does report a workload that breaks the restricted profile (the check above can fail)', async () => {
    const namespace = await restrictedNamespace('chart-dry');
    const { warnings } = await dryRunApply({ namespace, values: { redis: { containerSecurityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } } } });
    expect(warnings).toMatch(/would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "redis"/);
  });

  it('ServiceMonitor: none while the cluster lacks the CRD; rendered and accepted once it serves monitoring.coreos.com/v1', async () => {
    const namespace = await restrictedNamespace('chart-sm');
    const values = { metrics: { serviceMonitor: { enabled: true } } };
    const monitors = (text: string) => parseManifests(text).filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name).sort();
    const crdName = 'servicemonitors.monitoring.coreos.com';
    const present = (await kubectl(['get', 'crd', crdName, '--ignore-not-found', '-o', 'name'])).stdout.trim();
    if (!present) {
      const before = await renderChart({ namespace, values, kubeconfig: kubeconfig() });
      expect(monitors(before)).toEqual([]);
      // The Prometheus Operator's CRD, reduced to what the API server needs to serve the kind.
      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: crdName },
        spec: {
          group: 'monitoring.coreos.com',
          scope: 'Namespaced',
          names: { kind: 'ServiceMonitor', listKind: 'ServiceMonitorList', plural: 'servicemonitors', singular: 'servicemonitor' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
      }));
      await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crdName}`]);
    }
    const after = await eventually('helm to see monitoring.coreos.com/v1', async () => {
      const text = await renderChart({ namespace, values, kubeconfig: kubeconfig() });
      return monitors(text).length > 0 ? text : undefined;
    });
    expect(monitors(after)).toEqual(['dungeon-api-server', 'dungeon-operator']);
    const { stdout } = await kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', '-'], after);
    expect(stdout).toContain('servicemonitor.monitoring.coreos.com/dungeon-operator created (server dry run)');
  });
});

describe('helm install, upgrade and uninstall on the control plane', () => {
  let ns = '';
  const release = 'dungeon';
  const kc = () => ['--kubeconfig', kubeconfig()];

  beforeAll(async () => {
    ns = await restrictedNamespace('chart-install');
  });

  afterAll(async () => {
    if (!ns) return;
    await helm(['uninstall', release, '-n', ns, '--ignore-not-found', ...kc()]);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('installs, keeps every generated secret across an upgrade that changes values, and uninstalls', async () => {
    const install = await helm(['install', release, chartDir, '-n', ns, ...kc()]);
    expect(install.stdout).toContain('STATUS: deployed');
    // NOTES.txt tells the game master what to do next.
    expect(install.stdout).toContain('kubectl create namespace player-alice');
    expect(install.stdout).toContain('kubectl get characters');

    // Pod Security admission (restricted, enforced) lets every pod in; kwok runs them.
    const pods = await eventually('the platform pods', async () => {
      const list = JSON.parse((await kubectl(['get', 'pods', '-n', ns, '-o', 'json'])).stdout) as {
        items: { metadata: { labels: Record<string, string> }; status: { phase: string } }[];
      };
      const running = list.items.filter((p) => p.status.phase === 'Running').map((p) => p.metadata.labels['app.kubernetes.io/component']).sort();
      return running.length === 6 ? running : undefined;
    }, 120_000);
    expect(pods).toEqual(['api-server', 'api-server', 'operator', 'operator', 'postgresql', 'redis']);

    const before = {
      auth: await secretData(ns, 'dungeon-auth'),
      postgresql: await secretData(ns, 'dungeon-postgresql'),
      redis: await secretData(ns, 'dungeon-redis'),
    };
    expect(before.auth['admin-token']).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(before.redis['users.acl']).toContain('user default off');

    // A server-side render of the upgrade already reuses them (lookup sees the cluster).
    const preview = parseManifests(await renderChart({ namespace: ns, kubeconfig: kubeconfig() }));
    expect(secretFromManifests(preview)('dungeon-auth', 'admin-token')).toBe(before.auth['admin-token']);

    const upgrade = await withValuesFile({ operator: { replicas: 3 }, apiServer: { config: { logLevel: 'debug' } } }, (valuesArgs) =>
      helm(['upgrade', release, chartDir, '-n', ns, ...valuesArgs, ...kc()]));
    expect(upgrade.stdout).toMatch(/REVISION: 2/);
    const operator = JSON.parse((await kubectl(['get', 'deployment', 'dungeon-operator', '-n', ns, '-o', 'json'])).stdout) as { spec: { replicas: number } };
    expect(operator.spec.replicas).toBe(3);
    const apiServer = JSON.parse((await kubectl(['get', 'deployment', 'dungeon-api-server', '-n', ns, '-o', 'json'])).stdout) as KubeObject & {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    expect(apiServer.spec.template.spec.containers[0]!.env.find((e) => e.name === 'LOG_LEVEL')?.value).toBe('debug');

    expect(await secretData(ns, 'dungeon-auth')).toEqual(before.auth);
    expect(await secretData(ns, 'dungeon-postgresql')).toEqual(before.postgresql);
    expect(await secretData(ns, 'dungeon-redis')).toEqual(before.redis);

    // The CRD came with the chart (crds/) and stays: uninstall never deletes players' Characters.
    await helm(['uninstall', release, '-n', ns, '--wait', '--timeout', '2m', ...kc()]);
    const left = (await kubectl(['get', 'deployments,statefulsets,secrets,services,configmaps', '-n', ns, '-l', 'app.kubernetes.io/instance=dungeon', '-o', 'name'])).stdout.trim();
    expect(left).toBe('');
    expect((await kubectl(['get', 'clusterrole', 'dungeon-operator', '--ignore-not-found', '-o', 'name'])).stdout.trim()).toBe('');
    expect((await helm(['list', '-n', ns, '-q', ...kc()])).stdout.trim()).toBe('');
    expect((await kubectl(['get', 'crd', 'characters.distributed-dungeon.io', '-o', 'name'])).stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/characters.distributed-dungeon.io');
  });
});

describe('the rendered Redis configuration in a real redis-server', () => {
  it('refuses the default user, admits the api-server admin, and lets it create a character user', async () => {
    const objects = parseManifests(await renderChart());
    const conf = (findObject(objects, 'ConfigMap', 'dungeon-redis') as KubeObject & { data: Record<string, string> }).data['redis.conf']!;
    const secret = secretFromManifests(objects);
    const dir = mkdtempSync(join(tmpdir(), 'dungeon-chart-redis-'));
    const port = await freePort();
    writeFileSync(join(dir, 'users.acl'), secret('dungeon-redis', 'users.acl')!);
    // The same file, with the pod's paths and port swapped for local ones (and loopback only).
    writeFileSync(join(dir, 'redis.conf'), conf
      .replace('/etc/redis/acl/users.acl', join(dir, 'users.acl'))
      .replace(/^dir \/data$/m, `dir ${dir}`)
      .replace(/^port 6379$/m, `port ${port}`)
      .replace(/^bind .*$/m, 'bind 127.0.0.1'));
    const server = startProcess('chart-redis', 'redis-server', [join(dir, 'redis.conf')], { logFile: join(dir, 'redis.log') });
    const admin = new Redis({ port, host: '127.0.0.1', username: 'dungeon-admin', password: secret('dungeon-redis', 'password')!, lazyConnect: true, maxRetriesPerRequest: 1 });
    const anon = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const refusals: string[] = [];
    anon.on('error', (e: Error) => refusals.push(e.message));
    try {
      await waitUntil('redis-server to accept the admin', async () => {
        try {
          if (admin.status === 'wait' || admin.status === 'end') await admin.connect();
          return (await admin.ping()) === 'PONG';
        } catch (error) {
          // Not up yet (connection refused or loading): try again until waitUntil gives up.
          return !(error instanceof Error);
        }
      }, { process: server, timeoutMs: 20_000 });
      expect(await admin.call('ACL', 'WHOAMI')).toBe('dungeon-admin');
      await expect(anon.connect().then(() => anon.get('k'))).rejects.toThrow();
      expect(refusals.join('\n')).toMatch(/NOAUTH/);
      // What the api-server does for each character: a subscribe-only user of its own.
      await admin.call('ACL', 'SETUSER', 'char-1', 'on', '>secret-secret', 'resetchannels', '&character:1', '-@all', '+subscribe');
      expect(await admin.call('ACL', 'USERS')).toEqual(['char-1', 'default', 'dungeon-admin']);
    } finally {
      admin.disconnect();
      anon.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
