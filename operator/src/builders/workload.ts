// The character's Deployment: one pod (none when suspended), the restricted pod security profile.
import type { CharacterResources } from '@distributed-dungeon/contracts';
import { CONTAINER_NAME, CONTAINER_PORT, endpointFor, names, selectorLabels, characterLabels } from '../names.ts';
import type { Policy } from '../policy.ts';
import { compareQuantities, minQuantity } from '../quantity.ts';
import { ownedMeta, type BuildContext } from './context.ts';
import { API_KEY_KEY } from './identity.ts';

export const DATA_DIR = '/data';
export const CONFIG_DIR = '/config';
const CONFIG_HASH_ANNOTATION = 'distributed-dungeon.io/config-hash';
const CREDENTIALS_HASH_ANNOTATION = 'distributed-dungeon.io/credentials-hash';

interface ResourceRequirements {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** The player's resources, defaulted from policy, capped at the policy max, requests ≤ limits. */
export function effectiveResources(asked: CharacterResources | undefined, policy: Policy): ResourceRequirements {
  const out: ResourceRequirements = { requests: { cpu: '', memory: '' }, limits: { cpu: '', memory: '' } };
  for (const r of ['cpu', 'memory'] as const) {
    const max = policy.resources.max[r];
    const limit = minQuantity(asked?.limits?.[r] ?? policy.resources.default.limits[r], max);
    let request = minQuantity(asked?.requests?.[r] ?? policy.resources.default.requests[r], max);
    if (compareQuantities(request, limit) > 0) request = limit;
    out.limits[r] = limit;
    out.requests[r] = request;
  }
  return out;
}

interface DeploymentHashes {
  /** Hash of the ConfigMap data: a new character.json restarts the pod. */
  config: string;
  /** Hash of the Secret data: a new key restarts the pod (env is read at start). */
  credentials: string;
}

export function buildDeployment(ctx: BuildContext, hashes: DeploymentHashes) {
  const { ref, spec, policy } = ctx;
  const restricted = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const probe = (path: string, extra: Record<string, number>) => ({
    httpGet: { path, port: 'http', scheme: 'HTTP' },
    timeoutSeconds: 2,
    ...extra,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMeta(ctx, names.deployment(ref.name)),
    spec: {
      replicas: spec.suspend ? 0 : 1,
      revisionHistoryLimit: 2,
      // Recreate: the volume is ReadWriteOnce and two copies of a character must never play at once.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(ref.name) },
      template: {
        metadata: {
          labels: characterLabels(ref.name),
          annotations: { [CONFIG_HASH_ANNOTATION]: hashes.config, [CREDENTIALS_HASH_ANNOTATION]: hashes.credentials },
        },
        spec: {
          serviceAccountName: names.serviceAccount(ref.name),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(policy.runtimeClassName ? { runtimeClassName: policy.runtimeClassName } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: policy.runAsUser,
            runAsGroup: policy.runAsUser,
            fsGroup: policy.runAsUser,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: CONTAINER_NAME,
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              env: [
                { name: 'CHARACTER_ID', value: ctx.characterId },
                { name: 'DUNGEON_REGISTRY_URL', value: policy.registryUrl },
                { name: 'DUNGEON_API_KEY', valueFrom: { secretKeyRef: { name: names.secret(ref.name), key: API_KEY_KEY } } },
                { name: 'CHARACTER_ENDPOINT', value: endpointFor(ref.name, ref.namespace) },
                { name: 'DATA_DIR', value: DATA_DIR },
                { name: 'CONFIG_DIR', value: CONFIG_DIR },
                { name: 'PORT', value: String(CONTAINER_PORT) },
              ],
              resources: effectiveResources(spec.resources, policy),
              securityContext: restricted,
              volumeMounts: [
                { name: 'data', mountPath: DATA_DIR },
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
              startupProbe: probe('/healthz', { periodSeconds: 2, failureThreshold: 30 }),
              livenessProbe: probe('/healthz', { periodSeconds: 10, failureThreshold: 3 }),
              readinessProbe: probe('/readyz', { periodSeconds: 5, failureThreshold: 3 }),
            },
          ],
          volumes: [
            { name: 'data', persistentVolumeClaim: { claimName: names.pvc(ref.name) } },
            { name: 'config', configMap: { name: names.configMap(ref.name) } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
}
