import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/build-context.ts';
import { apiKeyFromSecret, buildConfigMap, buildSecret, buildServiceAccount } from './identity.ts';
import { buildLimitRange, buildResourceQuota } from './namespace.ts';
import { buildNetworkPolicy, buildService } from './network.ts';
import { buildPvc } from './storage.ts';
import { buildDeployment, effectiveResources } from './workload.ts';
import { selectorLabels } from '../names.ts';

const hashes = { config: 'c1', credentials: 'k1' };
const expectedLabels = {
  'app.kubernetes.io/name': 'character',
  'app.kubernetes.io/instance': 'thorin-ironbeard',
  'app.kubernetes.io/part-of': 'distributed-dungeon',
  'app.kubernetes.io/managed-by': 'dungeon-operator',
};

describe('owned objects', () => {
  const ctx = testContext();
  const all = [
    buildServiceAccount(ctx),
    buildSecret(ctx, 'key-123'),
    buildConfigMap(ctx),
    buildPvc(ctx),
    buildDeployment(ctx, hashes),
    buildService(ctx),
    buildNetworkPolicy(ctx),
  ];

  it('are labelled, namespaced and owned by the Character as controller', () => {
    for (const o of all) {
      expect(o.metadata.namespace).toBe('player-alice');
      expect(o.metadata.labels).toMatchObject(expectedLabels);
      expect(o.metadata.labels['app.kubernetes.io/component']).toBeTruthy();
      expect(o.metadata.ownerReferences).toEqual([
        { apiVersion: 'distributed-dungeon.io/v1alpha1', kind: 'Character', name: 'thorin-ironbeard', uid: ctx.ref.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
  });

  it('use the documented names', () => {
    expect(all.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/thorin-ironbeard',
      'Secret/thorin-ironbeard-credentials',
      'ConfigMap/thorin-ironbeard-config',
      'PersistentVolumeClaim/thorin-ironbeard-data',
      'Deployment/thorin-ironbeard',
      'Service/thorin-ironbeard',
      'NetworkPolicy/thorin-ironbeard',
    ]);
  });

  it('keep long names within DNS limits', () => {
    const long = testContext({}, {}, `thorin.${'x'.repeat(240)}`);
    for (const o of [buildService(long), buildSecret(long, 'k'), buildPvc(long), buildDeployment(long, hashes)]) {
      expect(o.metadata.name.length).toBeLessThanOrEqual(63);
      expect(o.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      expect(o.metadata.labels['app.kubernetes.io/instance']!.length).toBeLessThanOrEqual(63);
    }
  });
});

describe('Secret and ConfigMap', () => {
  it('stores the key and reads it back', () => {
    const ctx = testContext();
    const secret = buildSecret(ctx, 'dd_key_abc');
    expect(secret.type).toBe('Opaque');
    expect(apiKeyFromSecret(secret)).toBe('dd_key_abc');
    expect(apiKeyFromSecret(undefined)).toBeUndefined();
  });

  it('writes character.json from spec.config with the identity on top', () => {
    const ctx = testContext({ config: { abilities: ['cleave'], class: 'wizard' }, session: 'crypt-of-dawn' });
    const json = JSON.parse(buildConfigMap(ctx).data['character.json']!);
    expect(json).toMatchObject({ abilities: ['cleave'], class: 'fighter', level: 5, name: 'Thorin Ironbeard', session: 'crypt-of-dawn' });
    expect(json.characterId).toBe(ctx.characterId);
  });

  it("puts spec.abilities in character.json over the config's, for the runtime to register with", () => {
    const ctx = testContext({ class: 'rogue', config: { abilities: ['cleave'] }, abilities: ['lock-picking'] });
    expect(JSON.parse(buildConfigMap(ctx).data['character.json']!).abilities).toEqual(['lock-picking']);
  });
});

describe('PersistentVolumeClaim', () => {
  it('asks for the spec size and class', () => {
    const pvc = buildPvc(testContext({ storage: { size: '5Gi', storageClassName: 'fast' } }));
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' });
  });
  it('keeps the live spec of an existing claim (immutable once bound)', () => {
    const live = { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'std' } };
    const pvc = buildPvc(testContext({ storage: { size: '5Gi', storageClassName: 'fast' } }), live);
    expect(pvc.spec.resources.requests.storage).toBe('1Gi');
    expect(pvc.spec.storageClassName).toBe('std');
    // A class filled in by the default-class admission is left alone, so the apply is unchanged.
    expect(buildPvc(testContext({ storage: { size: 1073741824 } }), live)).toEqual(buildPvc(testContext({ storage: { size: 1073741824 } })));
  });
});

describe('Deployment', () => {
  const ctx = testContext();
  const d = buildDeployment(ctx, hashes);
  const pod = d.spec.template.spec;
  const c = pod.containers[0]!;

  it('runs one replica with Recreate, zero when suspended', () => {
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(buildDeployment(testContext({ suspend: true }), hashes).spec.replicas).toBe(0);
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'character', 'app.kubernetes.io/instance': 'thorin-ironbeard' });
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
  });

  it('follows the restricted pod security profile', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect('runtimeClassName' in pod).toBe(false);
    expect(buildDeployment(testContext({}, { runtimeClassName: 'gvisor' }), hashes).spec.template.spec.runtimeClassName).toBe('gvisor');
  });

  it('mounts /data, /config and a writable /tmp', () => {
    expect(c.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'config', mountPath: '/config', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'thorin-ironbeard-data' } },
      { name: 'config', configMap: { name: 'thorin-ironbeard-config' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
  });

  it('probes :3000 and passes identity, registry and key through env', () => {
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      CHARACTER_ID: ctx.characterId,
      DUNGEON_REGISTRY_URL: 'http://dungeon-api.dungeon-system.svc:8080',
      DUNGEON_API_KEY: { secretKeyRef: { name: 'thorin-ironbeard-credentials', key: 'DUNGEON_API_KEY' } },
      CHARACTER_ENDPOINT: 'http://thorin-ironbeard.player-alice.svc:3000',
      DATA_DIR: '/data',
      CONFIG_DIR: '/config',
    });
  });

  it('restarts the pod when config or credentials change', () => {
    expect(buildDeployment(ctx, { config: 'c2', credentials: 'k1' }).spec.template.metadata.annotations).not.toEqual(d.spec.template.metadata.annotations);
  });
});

describe('effectiveResources', () => {
  const { policy } = testContext();
  it('defaults from policy', () => {
    expect(effectiveResources(undefined, policy)).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });
  it('caps at the policy max and keeps requests within limits', () => {
    const r = effectiveResources({ requests: { cpu: '4', memory: '64Mi' }, limits: { cpu: 8, memory: '64Gi' } }, policy);
    expect(r.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(r.requests).toEqual({ cpu: '1', memory: '64Mi' });
    expect(effectiveResources({ requests: { memory: '512Mi' } }, policy).requests.memory).toBe('256Mi');
  });
});

describe('Service and NetworkPolicy', () => {
  const ctx = testContext();
  it('exposes port 3000, headless: the name resolves to the one pod, with no cluster IP', () => {
    const spec = buildService(ctx).spec;
    expect(spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 3000, targetPort: 'http' }]);
    expect(spec.clusterIP).toBe('None');
    expect(spec.selector).toEqual(selectorLabels('thorin-ironbeard'));
  });
  it('admits only the api-server and lets out only api-server, Redis and DNS', () => {
    const np = buildNetworkPolicy(ctx).spec;
    expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'dungeon-api-server' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dungeon-system' } } }],
        ports: [{ protocol: 'TCP', port: 3000 }],
      },
    ]);
    expect(np.egress.map((e) => e.to[0]!.podSelector.matchLabels)).toEqual([
      { 'app.kubernetes.io/name': 'dungeon-api-server' },
      { 'app.kubernetes.io/name': 'redis' },
      { 'k8s-app': 'kube-dns' },
    ]);
    expect(np.egress[2]!.ports.map((p) => p.protocol)).toEqual(['UDP', 'TCP']);
  });
});

describe('namespace policy', () => {
  const { policy } = testContext();
  it('builds an unowned ResourceQuota and LimitRange from policy', () => {
    const quota = buildResourceQuota('player-alice', policy);
    expect(quota.metadata).not.toHaveProperty('ownerReferences');
    expect(quota.spec.hard).toMatchObject({ pods: '20', 'limits.cpu': '10', 'requests.storage': '50Gi', persistentvolumeclaims: '20' });
    const lr = buildLimitRange('player-alice', policy);
    expect(lr.spec.limits[0]).toMatchObject({ type: 'Container', max: { cpu: '1', memory: '1Gi' } });
    expect(lr.spec.limits[1]).toEqual({ type: 'PersistentVolumeClaim', max: { storage: '10Gi' } });
  });
});
