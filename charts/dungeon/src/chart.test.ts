// The chart as helm renders it, without a cluster: lint, the strict schema, names, labels, pod
// security, and the contract with the programs it runs (their own config parsers read what the
// chart gives them).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../api-server/src/config/config.ts';
import { parseOperatorEnv } from '../../../operator/src/config.ts';
import { parsePolicy } from '../../../operator/src/policy.ts';
import {
  chartDir,
  CommandError,
  container,
  findObject,
  helm,
  parseManifests,
  renderChart,
  resolveEnv,
  secretFromManifests,
  workloads,
  type KubeObject,
  type RenderOptions,
  type Workload,
} from './chart.ts';

const NS = 'dungeon-system';

async function render(o: RenderOptions = {}) {
  return parseManifests(await renderChart(o));
}

async function renderError(o: RenderOptions): Promise<string> {
  const err = await renderChart(o).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'helm should have refused these values').toBeInstanceOf(CommandError);
  return (err as CommandError).stderr;
}

function envOf(objects: KubeObject[], kind: string, name: string, containerName: string) {
  return resolveEnv(container(findObject(objects, kind, name), containerName), {
    secret: secretFromManifests(objects),
    fields: { 'metadata.namespace': NS, 'metadata.name': `${name}-7d9f8-abcde`, 'status.podIP': '10.1.2.3' },
  });
}

describe('helm lint', () => {
  it('is clean, also with --strict', async () => {
    for (const args of [['lint', chartDir], ['lint', '--strict', chartDir]]) {
      const { stdout } = await helm(args);
      expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });
});

describe('values.schema.json', () => {
  it('refuses a misspelled top-level value, naming it', async () => {
    const stderr = await renderError({ set: ['operater.replicas=3'] });
    expect(stderr).toMatch(/additional properties 'operater' not allowed/);
  });

  it('refuses a misspelled nested value, naming it and where it is', async () => {
    const stderr = await renderError({ set: ['operator.replcas=3'] });
    expect(stderr).toMatch(/at '\/operator'.*additional properties 'replcas' not allowed/);
  });

  it('refuses values of the wrong type or outside their enum', async () => {
    expect(await renderError({ set: ['apiServer.config.logLevel=loud'] })).toMatch(/\/apiServer\/config\/logLevel/);
    expect(await renderError({ values: { operator: { replicas: 'two' } } })).toMatch(/\/operator\/replicas/);
    expect(await renderError({ values: { externalRedis: { url: 'http://redis:6379' } } })).toMatch(/\/externalRedis\/url/);
  });

  it('is strict everywhere: every object with properties refuses unknown keys, every map types its values', () => {
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as unknown;
    const loose: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && n.properties && n.additionalProperties !== false) loose.push(path);
      for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`);
    };
    walk(schema, '');
    expect(loose).toEqual([]);
    expect((schema as { additionalProperties: unknown }).additionalProperties).toBe(false);
  });
});

describe('values.yaml', () => {
  it('documents every value (a comment above the key, or above the group it belongs to)', () => {
    const undocumented = undocumentedValues(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
    expect(undocumented).toEqual([]);
    // The check itself finds a value without a comment.
    expect(undocumentedValues('# -- a\na: 1\nsection:\n  # -- b\n  b: 2\n  c: 3\n')).toEqual(['section.c']);
  });
});

/**
 * Keys of a values file with no comment on the line above them nor on an enclosing group (top-
 * level sections are headings and do not count). List items are part of their key's value.
 */
function undocumentedValues(text: string): string[] {
  interface Entry { indent: number; key: string; documented: boolean; children: number }
  const stack: Entry[] = [];
  const missing: string[] = [];
  let commentAbove = false;
  const check = (key: string, documented: boolean) => {
    const covered = documented || stack.slice(1).some((e) => e.documented);
    if (!covered) missing.push([...stack.map((e) => e.key), key].join('.'));
  };
  const close = (indent: number) => {
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) {
      const e = stack.pop()!;
      if (e.children === 0) check(e.key, e.documented);
    }
  };
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    // A `# @schema` line constrains a value; it does not describe it.
    if (trimmed.startsWith('# @')) continue;
    if (trimmed.startsWith('#')) {
      commentAbove = true;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const top = stack[stack.length - 1];
    // List items (and what is nested in them) belong to the value of the key above.
    if (trimmed.startsWith('-') || (top && top.children === -1 && indent > top.indent)) {
      if (top && top.children <= 0) top.children = -1;
      commentAbove = false;
      continue;
    }
    close(indent);
    const m = /^([-\w./]+):(.*)$/.exec(trimmed);
    if (!m) throw new Error(`values.yaml: cannot read line ${JSON.stringify(line)}`);
    const parent = stack[stack.length - 1];
    if (parent) parent.children = Math.max(parent.children, 0) + 1;
    if (m[2]!.trim() === '') stack.push({ indent, key: m[1]!, documented: commentAbove, children: 0 });
    else check(m[1]!, commentAbove);
    commentAbove = false;
  }
  close(-1);
  return missing;
}

describe('names', () => {
  const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
  // helm itself caps release names at 53 characters; with a name override the prefix reaches 74.
  const longRelease = `r${'x'.repeat(51)}9`;

  it('helm refuses a release name over 53 characters, so 53 is the longest to handle', async () => {
    expect(longRelease).toHaveLength(53);
    expect(await renderError({ release: `r${'x'.repeat(58)}9` })).toMatch(/must not be longer than 53/);
  });

  it('fit in 63 characters for the longest release name and a long nameOverride, stay distinct, keep their component', async () => {
    for (const values of [{}, { nameOverride: 'dungeon-of-the-very-long-name' }]) {
      const objects = await render({ release: longRelease, values: { ...values, apiServer: { autoscaling: { enabled: true } } } });
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(names).size).toBe(names.length);
      for (const o of objects) {
        expect(o.metadata.name.length, `${o.kind}/${o.metadata.name}`).toBeLessThanOrEqual(63);
        expect(o.metadata.name, `${o.kind}/${o.metadata.name}`).toMatch(dns1035);
        for (const [k, v] of Object.entries(o.metadata.labels ?? {})) expect(v.length, `${o.kind}/${o.metadata.name} label ${k}`).toBeLessThanOrEqual(63);
      }
      // StatefulSet pods carry controller-revision-hash=<name>-<10 chars>, which must fit 63.
      for (const s of objects.filter((o) => o.kind === 'StatefulSet')) expect(s.metadata.name.length).toBeLessThanOrEqual(52);
      for (const suffix of ['-api-server', '-operator', '-redis', '-postgresql', '-operator-metrics', '-auth']) {
        expect(names.some((n) => n.endsWith(suffix)), suffix).toBe(true);
      }
      expect(names.some((n) => n.length > 'Deployment/'.length + 60), 'names are really at the limit').toBe(true);
    }
  });

  it('use fullnameOverride and nameOverride, truncated too', async () => {
    const objects = await render({ values: { fullnameOverride: `f${'y'.repeat(62)}` } });
    const deploy = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deploy.every((n) => n.length <= 63 && n.startsWith('fyyy'))).toBe(true);
    const named = await render({ release: 'castle', values: { nameOverride: 'keep' } });
    expect(named.some((o) => o.kind === 'Deployment' && o.metadata.name === 'castle-keep-api-server')).toBe(true);
  });

  it('do not repeat the chart name when the release name holds it', async () => {
    const objects = await render({ release: 'dungeon' });
    expect(findObject(objects, 'Deployment', 'dungeon-operator').kind).toBe('Deployment');
    const other = await render({ release: 'prod' });
    expect(findObject(other, 'Deployment', 'prod-dungeon-api-server').kind).toBe('Deployment');
  });
});

describe('labels', () => {
  it('select pods with stable labels only, apart from the metadata labels that change on upgrade', async () => {
    const objects = await render();
    for (const w of workloads(objects)) {
      const selector = w.spec.selector.matchLabels;
      expect(Object.keys(selector).sort(), w.metadata.name).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
      expect(w.spec.template.metadata.labels).toMatchObject(selector);
      expect(w.metadata.labels).toMatchObject({ 'helm.sh/chart': 'dungeon-0.1.0', 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/version': '0.1.0' });
    }
    // Every Service, PDB and NetworkPolicy selects the pods of exactly one workload.
    const pods = workloads(objects).map((w) => w.spec.template.metadata.labels);
    const matches = (sel: Record<string, string>) => pods.filter((l) => Object.entries(sel).every(([k, v]) => l[k] === v)).length;
    for (const o of objects) {
      const spec = o.spec as { selector?: Record<string, string> | { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } };
      const sel = o.kind === 'Service' ? (spec.selector as Record<string, string>)
        : o.kind === 'PodDisruptionBudget' ? (spec.selector as { matchLabels: Record<string, string> }).matchLabels
        : o.kind === 'NetworkPolicy' ? spec.podSelector!.matchLabels : undefined;
      if (sel) expect(matches(sel), `${o.kind}/${o.metadata.name}`).toBe(1);
    }
  });
});

describe('pod security', () => {
  it('every workload is restricted, probed and resource-bounded', async () => {
    const objects = await render({ values: { redis: { persistence: { enabled: true } }, apiServer: { tls: { enabled: true, secretName: 'api-tls' } } } });
    const all = workloads(objects);
    expect(all.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      'Deployment/dungeon-api-server', 'Deployment/dungeon-operator', 'StatefulSet/dungeon-postgresql', 'StatefulSet/dungeon-redis',
    ]);
    for (const w of all) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext, w.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      if (w.metadata.name !== 'dungeon-operator') expect(pod.automountServiceAccountToken, w.metadata.name).toBe(false);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const where = `${w.metadata.name}/${c.name}`;
        expect(c.securityContext, where).toMatchObject({
          allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
          capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(c.resources?.requests, where).toHaveProperty('cpu');
        expect(c.resources?.requests, where).toHaveProperty('memory');
        expect(c.resources?.limits, where).toHaveProperty('memory');
        expect(c.livenessProbe, where).toBeDefined();
        expect(c.readinessProbe, where).toBeDefined();
        expect(c.image, where).toMatch(/^[a-z0-9./-]+(:[\w.-]+|@sha256:[a-f0-9]{64})$/);
      }
    }
  });

  it('images default to the chart appVersion and honour global.imageRegistry and digests', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const objects = await render({ values: { global: { imageRegistry: 'registry.example' }, operator: { image: { digest } } } });
    expect(container(findObject(objects, 'Deployment', 'dungeon-api-server'), 'api-server').image).toBe('registry.example/distributed-dungeon/api-server:0.1.0');
    expect(container(findObject(objects, 'Deployment', 'dungeon-operator'), 'operator').image).toBe(`registry.example/distributed-dungeon/operator@${digest}`);
    expect(container(findObject(objects, 'StatefulSet', 'dungeon-redis'), 'redis').image).toBe('registry.example/redis:7.4');
  });
});

describe('what the chart gives the programs it runs', () => {
  it('api-server: its own config parser accepts the environment, pointed at the bundled PostgreSQL and Redis', async () => {
    const objects = await render();
    const env = envOf(objects, 'Deployment', 'dungeon-api-server', 'api-server');
    const config = loadConfig(env);
    const secret = secretFromManifests(objects);
    expect(config.port).toBe(8080);
    expect(config.adminToken).toBe(secret('dungeon-auth', 'admin-token'));
    expect(config.jwt.generated).toBe(false);
    expect(config.jwt.keys[0]!.secret.length).toBeGreaterThanOrEqual(32);
    const db = new URL(config.databaseUrl);
    expect([db.hostname, db.port, db.username, db.pathname]).toEqual([`dungeon-postgresql.${NS}.svc`, '5432', 'dungeon', '/dungeon']);
    expect(decodeURIComponent(db.password)).toBe(secret('dungeon-postgresql', 'password'));
    const redis = new URL(config.redisUrl);
    expect([redis.protocol, redis.hostname, redis.username]).toEqual(['redis:', `dungeon-redis.${NS}.svc`, 'dungeon-admin']);
    expect(decodeURIComponent(redis.password)).toBe(secret('dungeon-redis', 'password'));
    // Characters get the bus address without the admin's credentials.
    expect(config.eventBus.publicUrl).toBe(`redis://dungeon-redis.${NS}.svc:6379`);
  });

  it('operator: its own config parser accepts the environment; it shares the admin token and reaches the api-server Service', async () => {
    const objects = await render();
    const op = parseOperatorEnv(envOf(objects, 'Deployment', 'dungeon-operator', 'operator'));
    expect(op.adminToken).toBe(loadConfig(envOf(objects, 'Deployment', 'dungeon-api-server', 'api-server')).adminToken);
    // The admin API (key minting) is on the admin port, which is on by default.
    expect(op.registryUrl).toBe(`http://dungeon-api-server.${NS}.svc:8081`);
    expect(op.characterRegistryUrl).toBe(`http://dungeon-api-server.${NS}.svc:8080`);
    expect(op.leaderElection).toBe(true);
    expect(op.leaseNamespace).toBe(NS);
    expect(op.identity).toMatch(/^dungeon-operator-/);
    expect(op.policyFile).toBe('/etc/dungeon/policy/policy.json');
    const deploy = findObject(objects, 'Deployment', 'dungeon-operator') as Workload;
    expect(deploy.spec.replicas).toBe(2);
    const svc = findObject(objects, 'Service', 'dungeon-api-server') as KubeObject & { spec: { ports: { port: number }[] } };
    expect(svc.spec.ports[0]!.port).toBe(8080);
  });

  it('operator: the policy file parses with the operator policy schema and carries the values', async () => {
    const objects = await render({
      values: {
        characterPolicy: {
          allowedImageRegistries: ['registry.example/players'],
          runtimeClassName: 'gvisor',
          quota: { pods: 7 },
          resources: { max: { cpu: '2', memory: '2Gi' } },
        },
      },
    });
    const cm = findObject(objects, 'ConfigMap', 'dungeon-operator-policy') as KubeObject & { data: Record<string, string> };
    const policy = parsePolicy(JSON.parse(cm.data['policy.json']!));
    expect(policy.allowedImageRegistries).toEqual(['registry.example/players']);
    expect(policy.runtimeClassName).toBe('gvisor');
    expect(policy.quota.pods).toBe(7);
    expect(policy.quota.maxStoragePerClaim).toBe('10Gi');
    expect(policy.resources.max).toEqual({ cpu: '2', memory: '2Gi' });
    // Characters' network policies let them reach exactly the chart's api-server and Redis pods.
    const apiPods = (findObject(objects, 'Deployment', 'dungeon-api-server') as Workload).spec.template.metadata.labels;
    const redisPods = (findObject(objects, 'StatefulSet', 'dungeon-redis') as Workload).spec.template.metadata.labels;
    expect(apiPods).toMatchObject(policy.apiServer.podSelector);
    expect(redisPods).toMatchObject(policy.redis.podSelector);
    expect([policy.apiServer.namespace, policy.redis.namespace]).toEqual([NS, NS]);
    // ...on the api-server's public port only (their egress policy), which is also the registry
    // address they are given: never the admin port.
    expect(policy.apiServer.port).toBe(8080);
    expect(policy.registryUrl).toBe(`http://dungeon-api-server.${NS}.svc:8080`);
    // The pods roll when the policy changes.
    const defaults = findObject(await render(), 'Deployment', 'dungeon-operator') as Workload;
    const changed = findObject(objects, 'Deployment', 'dungeon-operator') as Workload;
    const sum = (w: Workload) => (w.spec.template as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['checksum/policy'];
    expect(sum(changed)).toMatch(/^[a-f0-9]{64}$/);
    expect(sum(changed)).not.toBe(sum(defaults));
  });

  it('external PostgreSQL and Redis: no bundled servers, URLs from Secrets (made by the chart or given)', async () => {
    const made = await render({
      values: {
        postgresql: { enabled: false }, externalDatabase: { url: 'postgresql://app:pw@db.example:5432/dungeon' },
        redis: { enabled: false }, externalRedis: { url: 'rediss://admin:pw@cache.example:6380' },
      },
    });
    expect(made.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    const env = envOf(made, 'Deployment', 'dungeon-api-server', 'api-server');
    const config = loadConfig(env);
    expect(config.databaseUrl).toBe('postgresql://app:pw@db.example:5432/dungeon');
    expect(config.redisUrl).toBe('rediss://admin:pw@cache.example:6380');
    expect(made.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort()).toEqual(['dungeon-api-server', 'dungeon-operator']);

    const given = await render({
      values: {
        postgresql: { enabled: false }, externalDatabase: { existingSecret: 'db-creds', existingSecretKey: 'url' },
        redis: { enabled: false }, externalRedis: { existingSecret: 'bus-creds' },
        auth: { existingSecret: 'my-auth' },
      },
    });
    expect(given.filter((o) => o.kind === 'Secret')).toEqual([]);
    const refs = container(findObject(given, 'Deployment', 'dungeon-api-server'), 'api-server').env!
      .filter((e) => e.valueFrom?.secretKeyRef).map((e) => `${e.name}=${e.valueFrom!.secretKeyRef!.name}/${e.valueFrom!.secretKeyRef!.key}`);
    expect(refs).toEqual([
      'DUNGEON_ADMIN_TOKEN=my-auth/admin-token', 'JWT_SIGNING_KEYS=my-auth/jwt-signing-keys',
      'DATABASE_URL=db-creds/url', 'REDIS_URL=bus-creds/redis-url',
    ]);
  });

  it('refuses combinations that cannot work, saying which values to set', async () => {
    expect(await renderError({ values: { redis: { enabled: false } } })).toContain('redis.enabled=false needs externalRedis.url or externalRedis.existingSecret');
    expect(await renderError({ values: { postgresql: { enabled: false } } })).toContain('externalDatabase.url or externalDatabase.existingSecret');
    expect(await renderError({ values: { apiServer: { tls: { enabled: true } } } })).toContain('apiServer.tls.secretName');
    expect(await renderError({ values: { redis: { tls: { enabled: true } } } })).toContain('redis.tls.secretName');
  });
});

describe('generated secrets', () => {
  it('are long random values, and the Redis ACL file knows the admin by its password hash only', async () => {
    const objects = await render();
    const secret = secretFromManifests(objects);
    expect(secret('dungeon-auth', 'admin-token')).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secret('dungeon-auth', 'jwt-signing-keys')).toMatch(/^k[a-z0-9]{8}:[A-Za-z0-9]{64}$/);
    expect(secret('dungeon-postgresql', 'password')).toMatch(/^[A-Za-z0-9]{32}$/);
    const password = secret('dungeon-redis', 'password')!;
    const acl = secret('dungeon-redis', 'users.acl')!;
    const hash = createHash('sha256').update(password).digest('hex');
    expect(acl.split('\n').filter(Boolean)).toEqual([
      'user default off resetkeys resetchannels -@all',
      `user dungeon-admin on #${hash} ~* &* +@all`,
    ]);
    expect(acl).not.toContain(password);
    // Two renders without a cluster to look up: fresh values each time.
    const again = secretFromManifests(await render());
    expect(again('dungeon-auth', 'admin-token')).not.toBe(secret('dungeon-auth', 'admin-token'));
  });

  it('each can come from an existing Secret instead; with all of them, renders are identical (helm template, GitOps)', async () => {
    const values = {
      generateSecrets: false,
      auth: { adminTokenExistingSecret: 'gm-admin', jwtSigningKeysExistingSecret: 'jwt-keys' },
      postgresql: { auth: { existingSecret: 'pg-pass' } },
      redis: { auth: { existingSecret: 'redis-pass' } },
    };
    const first = await renderChart({ values });
    expect(await renderChart({ values })).toBe(first);
    const objects = parseManifests(first);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const refs = (kind: string, name: string, c: string) => container(findObject(objects, kind, name), c).env!
      .filter((e) => e.valueFrom?.secretKeyRef).map((e) => `${e.name}=${e.valueFrom!.secretKeyRef!.name}/${e.valueFrom!.secretKeyRef!.key}`);
    expect(refs('Deployment', 'dungeon-api-server', 'api-server')).toEqual([
      'DUNGEON_ADMIN_TOKEN=gm-admin/admin-token', 'JWT_SIGNING_KEYS=jwt-keys/jwt-signing-keys', 'DATABASE_PASSWORD=pg-pass/password', 'REDIS_PASSWORD=redis-pass/password',
    ]);
    expect(refs('Deployment', 'dungeon-operator', 'operator')).toEqual(['DUNGEON_ADMIN_TOKEN=gm-admin/admin-token']);
    expect(refs('StatefulSet', 'dungeon-postgresql', 'postgresql').every((r) => r.includes('=pg-pass/'))).toBe(true);
    expect(refs('StatefulSet', 'dungeon-redis', 'redis')).toEqual(['REDISCLI_AUTH=redis-pass/password']);
  });

  it('only the ones not given are generated: admin token given, JWT keys generated', async () => {
    const objects = await render({ values: { auth: { adminTokenExistingSecret: 'gm-admin' } } });
    const auth = findObject(objects, 'Secret', 'dungeon-auth') as KubeObject & { data: Record<string, string> };
    expect(Object.keys(auth.data)).toEqual(['jwt-signing-keys']);
    const env = container(findObject(objects, 'Deployment', 'dungeon-api-server'), 'api-server').env!;
    expect(env.find((e) => e.name === 'DUNGEON_ADMIN_TOKEN')!.valueFrom!.secretKeyRef!.name).toBe('gm-admin');
    expect(env.find((e) => e.name === 'JWT_SIGNING_KEYS')!.valueFrom!.secretKeyRef!.name).toBe('dungeon-auth');
  });

  it('generateSecrets=false refuses to render a credential it would have to make up, naming the values to set', async () => {
    const err = await renderError({ values: { generateSecrets: false, auth: { existingSecret: 'my-auth' } } });
    expect(err).toContain('postgresql.auth.existingSecret');
    expect(err).toContain('redis.auth.existingSecret');
    expect(err).not.toContain('auth.adminTokenExistingSecret');
    const all = await renderError({ values: { generateSecrets: false } });
    for (const v of ['auth.adminTokenExistingSecret', 'auth.jwtSigningKeysExistingSecret', 'postgresql.auth.existingSecret', 'redis.auth.existingSecret']) expect(all).toContain(v);
  });

  it('can be kept on uninstall', async () => {
    const objects = await render({ values: { auth: { keepOnUninstall: true } } });
    const secrets = objects.filter((o) => o.kind === 'Secret');
    expect(secrets).toHaveLength(3);
    for (const s of secrets) expect(s.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });
});

describe('optional parts', () => {
  it('HPA on: the api-server Deployment leaves replicas to the autoscaler', async () => {
    const objects = await render({ values: { apiServer: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9, targetMemoryUtilizationPercentage: 80 } } } });
    const deploy = findObject(objects, 'Deployment', 'dungeon-api-server') as Workload;
    expect(deploy.spec.replicas).toBeUndefined();
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'dungeon-api-server') as KubeObject & { spec: { minReplicas: number; maxReplicas: number; metrics: unknown[] } };
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas, hpa.spec.metrics.length]).toEqual([3, 9, 2]);
    expect((await render()).some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  it('TLS on: HTTPS api-server with probes to match, rediss:// with the CA trusted, operator trusts the api-server CA', async () => {
    const objects = await render({ values: { apiServer: { tls: { enabled: true, secretName: 'api-tls' } }, redis: { tls: { enabled: true, secretName: 'redis-tls' } } } });
    const api = container(findObject(objects, 'Deployment', 'dungeon-api-server'), 'api-server');
    expect(api.readinessProbe).toMatchObject({ httpGet: { scheme: 'HTTPS', path: '/readyz' } });
    const env = envOf(objects, 'Deployment', 'dungeon-api-server', 'api-server');
    expect(env).toMatchObject({ TLS_CERT_FILE: '/etc/dungeon/tls/tls.crt', TLS_KEY_FILE: '/etc/dungeon/tls/tls.key', NODE_EXTRA_CA_CERTS: '/etc/dungeon/redis-tls/ca.crt' });
    expect(loadConfig(env).redisUrl).toMatch(/^rediss:\/\/dungeon-admin:/);
    const op = envOf(objects, 'Deployment', 'dungeon-operator', 'operator');
    expect(op.DUNGEON_REGISTRY_URL).toBe(`https://dungeon-api-server.${NS}.svc:8081`);
    expect(op.NODE_EXTRA_CA_CERTS).toBe('/etc/dungeon/api-server-tls/ca.crt');
    const conf = (findObject(objects, 'ConfigMap', 'dungeon-redis') as KubeObject & { data: Record<string, string> }).data['redis.conf']!;
    expect(conf).toMatch(/^port 0$/m);
    expect(conf).toMatch(/^tls-port 6379$/m);
    expect(conf).toMatch(/^tls-ca-cert-file \/etc\/redis\/tls\/ca\.crt$/m);
  });

  it('ServiceMonitor: only when enabled and the cluster serves monitoring.coreos.com/v1', async () => {
    const kinds = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.name).sort();
    expect(kinds(await render({ values: { metrics: { serviceMonitor: { enabled: true } } } }))).toEqual([]);
    expect(kinds(await render({ apiVersions: ['monitoring.coreos.com/v1/ServiceMonitor'] }))).toEqual([]);
    const on = await render({ values: { metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } } }, apiVersions: ['monitoring.coreos.com/v1/ServiceMonitor'] });
    expect(kinds(on)).toEqual(['dungeon-api-server', 'dungeon-operator']);
    expect(findObject(on, 'ServiceMonitor', 'dungeon-operator').metadata.labels).toMatchObject({ release: 'prom' });
  });

  it('NetworkPolicies: PostgreSQL from the api-server only, Redis also from characters, api-server from characters, operator, its replicas and ingress', async () => {
    const players = ['player-alice', 'player-bob'];
    const objects = await render({ values: { players: { namespaces: players }, networkPolicy: { ingressNamespaces: ['ingress-nginx'] } } });
    type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };
    type Np = KubeObject & { spec: { ingress: { from: Record<string, Selector>[] }[] } };
    const nsOf = (sel: Selector) => {
      const named = sel.matchLabels?.['kubernetes.io/metadata.name'];
      const listed = sel.matchExpressions?.find((e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'In')?.values;
      return named ?? listed?.join(',') ?? '*';
    };
    const peers = (from: Np) => from.spec.ingress.flatMap((r) => r.from).map((f) => ({
      ns: f.namespaceSelector ? nsOf(f.namespaceSelector) : 'own',
      pods: f.podSelector?.matchLabels?.['app.kubernetes.io/component'] ?? f.podSelector?.matchLabels?.['app.kubernetes.io/managed-by'] ?? '*',
    }));
    const policy = (name: string) => findObject(objects, 'NetworkPolicy', name) as Np;
    expect(peers(policy('dungeon-postgresql'))).toEqual([{ ns: 'own', pods: 'api-server' }]);
    // Character pods count only in the namespaces the game master opened (a label Kubernetes sets
    // to the namespace's name), never "any namespace with the right pod label".
    expect(peers(policy('dungeon-redis'))).toEqual([{ ns: 'own', pods: 'api-server' }, { ns: players.join(','), pods: 'dungeon-operator' }]);
    // The public port: characters, the operator and the ingress; the admin port: the operator and
    // its own replicas (they forward a session's calls to its owner there).
    expect(peers(policy('dungeon-api-server'))).toEqual([
      { ns: players.join(','), pods: 'dungeon-operator' },
      { ns: 'own', pods: 'operator' },
      { ns: 'ingress-nginx', pods: '*' },
      { ns: 'own', pods: 'operator' },
      { ns: 'own', pods: 'api-server' },
    ]);
    for (const np of objects.filter((o) => o.kind === 'NetworkPolicy') as Np[]) {
      for (const f of np.spec.ingress.flatMap((r) => r.from)) {
        // An empty namespaceSelector would be every namespace of the cluster.
        if (f.namespaceSelector) expect(nsOf(f.namespaceSelector), np.metadata.name).not.toBe('*');
      }
    }
    const characterPeer = policy('dungeon-redis').spec.ingress[0]!.from[1]!;
    expect(characterPeer.podSelector!.matchLabels).toEqual({ 'app.kubernetes.io/managed-by': 'dungeon-operator', 'app.kubernetes.io/name': 'character' });

    // No namespace open: no character peer at all.
    const closed = await render();
    const closedPeers = (name: string) => peers(findObject(closed, 'NetworkPolicy', name) as Np);
    expect(closedPeers('dungeon-redis')).toEqual([{ ns: 'own', pods: 'api-server' }]);
    expect(closedPeers('dungeon-api-server')).toEqual([{ ns: 'own', pods: 'operator' }, { ns: 'own', pods: 'operator' }, { ns: 'own', pods: 'api-server' }]);
    expect((await render({ values: { networkPolicy: { enabled: false } } })).some((o) => o.kind === 'NetworkPolicy')).toBe(false);
  });
});

describe('the admin port', () => {
  type Peer = { namespaceSelector?: unknown; podSelector?: { matchLabels: Record<string, string> } };
  type Rule = { from: Peer[]; ports: { protocol: string; port: number }[] };
  const rulesOf = (objects: KubeObject[]) => (findObject(objects, 'NetworkPolicy', 'dungeon-api-server') as KubeObject & { spec: { ingress: Rule[] } }).spec.ingress;
  const isCharacter = (f: Peer) => f.podSelector?.matchLabels['app.kubernetes.io/managed-by'] === 'dungeon-operator';
  /** The ports a peer may reach under the policy: every rule that lists it. */
  const portsFor = (rules: Rule[], peer: (f: Peer) => boolean) => rules.filter((r) => r.from.some(peer)).flatMap((r) => r.ports.map((p) => p.port)).sort();

  it('on by default (8081): a separate Service port, the operator mints keys there, character pods never reach it', async () => {
    const objects = await render({ values: { players: { namespaces: ['player-alice'] } } });
    const config = loadConfig(envOf(objects, 'Deployment', 'dungeon-api-server', 'api-server'));
    expect([config.port, config.adminPort]).toEqual([8080, 8081]);
    const op = parseOperatorEnv(envOf(objects, 'Deployment', 'dungeon-operator', 'operator'));
    expect(op.registryUrl).toBe(`http://dungeon-api-server.${NS}.svc:8081`);
    expect(op.characterRegistryUrl).toBe(`http://dungeon-api-server.${NS}.svc:8080`);
    const svc = findObject(objects, 'Service', 'dungeon-api-server') as KubeObject & { spec: { ports: { name: string; port: number; targetPort: string }[] } };
    expect(svc.spec.ports.map((p) => `${p.name}:${p.port}->${p.targetPort}`)).toEqual(['http:8080->http', 'admin:8081->admin']);
    const ports = container(findObject(objects, 'Deployment', 'dungeon-api-server'), 'api-server').ports!;
    expect(ports.map((p) => `${p.name}:${p.containerPort}`)).toEqual(['http:8080', 'admin:8081']);
    const rules = rulesOf(objects);
    // Every rule names its ports (a rule without ports would open all of them), and character pods
    // are in no rule that lists the admin port: they get the public port only.
    for (const r of rules) expect(r.ports.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.from.some(isCharacter)).length).toBeGreaterThan(0);
    expect(portsFor(rules, isCharacter)).toEqual([8080]);
    // Nor may any namespace-wide peer (which would admit character pods too) reach the admin port.
    const admin = rules.filter((r) => r.ports.some((p) => p.port === 8081));
    expect(admin).toHaveLength(1);
    expect(admin[0]!.ports).toEqual([{ protocol: 'TCP', port: 8081 }]);
    expect(admin[0]!.from.map((f) => f.podSelector?.matchLabels['app.kubernetes.io/component'])).toEqual(['operator', 'api-server']);
    expect(admin[0]!.from.some((f) => f.namespaceSelector)).toBe(false);
  });

  it('another port, and networkPolicy.adminNamespaces reach it (an ingress for game masters), still not characters', async () => {
    const objects = await render({ values: { apiServer: { adminPort: 8090 }, players: { namespaces: ['player-alice'] }, networkPolicy: { adminNamespaces: ['gm-ingress'] } } });
    expect(loadConfig(envOf(objects, 'Deployment', 'dungeon-api-server', 'api-server')).adminPort).toBe(8090);
    expect(parseOperatorEnv(envOf(objects, 'Deployment', 'dungeon-operator', 'operator')).registryUrl).toBe(`http://dungeon-api-server.${NS}.svc:8090`);
    const rules = rulesOf(objects);
    expect(portsFor(rules, isCharacter)).toEqual([8080]);
    const admin = rules.find((r) => r.ports.some((p) => p.port === 8090))!;
    expect(admin.from.at(-1)).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gm-ingress' } } });
    expect(await renderError({ values: { apiServer: { adminPort: 8080 } } })).toContain('apiServer.adminPort must differ');
  });

  it('0: the admin API back on the one port, the operator and the characters share it', async () => {
    const objects = await render({ values: { apiServer: { adminPort: 0 } } });
    expect(loadConfig(envOf(objects, 'Deployment', 'dungeon-api-server', 'api-server')).adminPort).toBeUndefined();
    const op = parseOperatorEnv(envOf(objects, 'Deployment', 'dungeon-operator', 'operator'));
    expect(op.registryUrl).toBe(op.characterRegistryUrl);
    const svc = findObject(objects, 'Service', 'dungeon-api-server') as KubeObject & { spec: { ports: { name: string }[] } };
    expect(svc.spec.ports.map((p) => p.name)).toEqual(['http']);
  });
});

describe('operator RBAC', () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const rulesOf = (file: string) => (parseYaml(readFileSync(join(chartDir, 'files', file), 'utf8')) as { rules: Rule[] }).rules;

  it('cluster-wide, only Characters: no Secret, Deployment or other namespaced object of any namespace', async () => {
    const objects = await render();
    const role = findObject(objects, 'ClusterRole', 'dungeon-operator') as KubeObject & { rules: Rule[] };
    expect(role.rules).toEqual(rulesOf('operator-clusterrole.yaml'));
    expect(role.rules.flatMap((r) => r.apiGroups)).toEqual(role.rules.map(() => 'distributed-dungeon.io'));
    const binding = findObject(objects, 'ClusterRoleBinding', 'dungeon-operator') as KubeObject & { roleRef: { name: string }; subjects: { name: string; namespace: string }[] };
    expect(binding.roleRef.name).toBe('dungeon-operator');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'dungeon-operator', namespace: NS }]);
    // Nothing binds the player-namespace role cluster-wide.
    expect(objects.filter((o) => o.kind === 'ClusterRoleBinding').map((o) => o.metadata.name)).toEqual(['dungeon-operator']);
    expect((findObject(objects, 'Deployment', 'dungeon-operator') as Workload).spec.template.spec.serviceAccountName).toBe('dungeon-operator');
  });

  it('in each namespace opened to players, a RoleBinding to the player-namespace rules; the operator is told those namespaces', async () => {
    const players = ['player-alice', 'player-bob'];
    const objects = await render({ values: { players: { namespaces: players } } });
    const role = findObject(objects, 'ClusterRole', 'dungeon-operator-player-namespace') as KubeObject & { rules: Rule[] };
    expect(role.rules).toEqual(rulesOf('operator-player-namespace-clusterrole.yaml'));
    expect(role.rules.some((r) => r.resources.includes('secrets'))).toBe(true);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'dungeon-operator-player-namespace') as (KubeObject & {
      roleRef: { kind: string; name: string };
      subjects: unknown[];
    })[];
    expect(bindings.map((b) => b.metadata.namespace)).toEqual(players);
    for (const b of bindings) {
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dungeon-operator-player-namespace' });
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'dungeon-operator', namespace: NS }]);
    }
    expect(parseOperatorEnv(envOf(objects, 'Deployment', 'dungeon-operator', 'operator')).namespaces).toEqual(players);
    // None open: none bound, and the operator works nowhere (not everywhere).
    const none = await render();
    expect(none.some((o) => o.kind === 'RoleBinding' && o.metadata.name === 'dungeon-operator-player-namespace')).toBe(false);
    expect(parseOperatorEnv(envOf(none, 'Deployment', 'dungeon-operator', 'operator')).namespaces).toEqual([]);
  });

  it('players.createNamespaces makes the namespaces, restricted and kept on uninstall', async () => {
    const objects = await render({ values: { players: { namespaces: ['player-alice'], createNamespaces: true } } });
    const ns = findObject(objects, 'Namespace', 'player-alice');
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(ns.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    expect((await render({ values: { players: { namespaces: ['player-alice'] } } })).some((o) => o.kind === 'Namespace')).toBe(false);
  });
});
