// Benchmark (a script, not a test): the heap each watch cache holds per Character, without a
// cluster. N Characters' objects are built with the operator's own builders, dressed as the API
// server returns them (uid, resourceVersion, timestamps, managedFields, defaults, status; Pods and
// ReplicaSets made from the Deployment's template), sent through JSON text and the store exactly as
// watch events are (ADDED, then MODIFIED as a pod starts), and the heap after a full GC is read
// after each cache is filled. Runs in seconds, so the projections can be tuned on it before a
// 30-minute run on kwok (provision.ts).
//   node --conditions=source --expose-gc operator/bench/cache-memory.ts [1000,5000]
import { randomUUID } from 'node:crypto';
import { characterIdFor, CharacterSpecSchema } from '@distributed-dungeon/contracts';
import {
  buildConfigMap,
  buildDeployment,
  buildLimitRange,
  buildNetworkPolicy,
  buildPvc,
  buildResourceQuota,
  buildSecret,
  buildService,
  buildServiceAccount,
  contentHash,
  type BuildContext,
} from '../src/builders/index.ts';
import { buildPlayerSecret } from '../src/builders/player-link.ts';
import { characterIndexers } from '../src/controller/character-index.ts';
import { bodyKeeping, projectionFor, watchedAsMetadata } from '../src/kube/projection.ts';
import { Kinds, objectKey, type Kind, type KubeObject } from '../src/kube/resources.ts';
import { ObjectStore } from '../src/kube/store.ts';
import { slim } from '../src/kube/watch.ts';
import { parsePolicy } from '../src/policy.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const sizes = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const PER_NAMESPACE = 100;
const policy = parsePolicy({
  registryUrl: 'http://dungeon-api.dungeon-system.svc:8080',
  resources: { default: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } }, max: { cpu: '1', memory: '1Gi' } },
  quota: { pods: 1000, requestsCpu: '100', requestsMemory: '1Ti', limitsCpu: '1000', limitsMemory: '1Ti', requestsStorage: '10Ti', persistentVolumeClaims: 1000, maxStoragePerClaim: '10Gi' },
});

type Loose = Record<string, unknown>;
let rv = 1000;
const now = () => new Date(Date.UTC(2026, 11, 1, 12, 0, rv % 60)).toISOString();

/** What the API server adds to every object it returns. */
function served(obj: Loose, manager = 'dungeon-operator'): KubeObject {
  const o = structuredClone(obj) as KubeObject;
  // FieldsV1 as the API server records it: lists of named items by their name, other lists whole.
  const fields = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      if (!v.every((el) => typeof el === 'object' && el !== null && typeof (el as Loose).name === 'string')) return {};
      return Object.fromEntries(v.map((el: Loose) => [`k:${JSON.stringify({ name: el.name })}`, { '.': {}, ...(fields(el) as Loose) }]));
    }
    return typeof v === 'object' && v !== null ? Object.fromEntries(Object.keys(v).map((k) => [`f:${k}`, fields((v as Loose)[k])])) : {};
  };
  Object.assign(o.metadata, {
    uid: randomUUID(),
    resourceVersion: String(++rv),
    creationTimestamp: now(),
    managedFields: [{ manager, operation: 'Apply', apiVersion: o.apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: fields({ metadata: { labels: o.metadata.labels }, spec: o.spec, data: o.data }) }],
  });
  return o;
}

/** A pod template as the API server defaults it. */
function defaultedTemplate(template: Loose): Loose {
  const t = structuredClone(template) as { metadata: Loose; spec: Loose & { containers: Loose[] } };
  Object.assign(t.spec, { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
  for (const c of t.spec.containers) {
    Object.assign(c, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' });
    for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
      if (c[p]) Object.assign(c[p] as Loose, { periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...(c[p] as Loose) });
    }
  }
  return t;
}

function condition(type: string, status = 'True', reason = 'Ready', message = `${type} is ${status}`): Loose {
  return { type, status, lastUpdateTime: now(), lastTransitionTime: now(), reason, message };
}

/** One Character's objects, as watch events deliver them (the last of a kind's list wins). */
function objectsOf(ns: string, name: string): Map<Kind, KubeObject[]> {
  const ctx: BuildContext = {
    ref: { name, namespace: ns, uid: randomUUID() },
    spec: CharacterSpecSchema.parse({ displayName: name, class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' }),
    characterId: characterIdFor(ns, name),
    policy,
  };
  const apiKey = `dd_${randomUUID().replaceAll('-', '')}`;
  const stamp = <T extends { metadata: { annotations?: Record<string, string> } }>(o: T): T => {
    o.metadata.annotations = { ...o.metadata.annotations, 'distributed-dungeon.io/applied-hash': contentHash(o) };
    return o;
  };
  const configMap = buildConfigMap(ctx);
  const deployment = served(stamp(buildDeployment(ctx, { config: contentHash(configMap.data), credentials: contentHash(apiKey) })) as unknown as Loose);
  const spec = deployment.spec as Loose & { template: Loose; selector: { matchLabels: Record<string, string> } };
  spec.template = defaultedTemplate(spec.template);
  Object.assign(spec, { progressDeadlineSeconds: 600 });
  deployment.metadata.generation = 1;
  deployment.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'), condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${name}-5d9c7b8f6" has successfully progressed.`)] };
  const owner = (o: KubeObject) => [{ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  const hash = '5d9c7b8f6';
  const labels = { ...(spec.template.metadata as { labels: Record<string, string> }).labels, 'pod-template-hash': hash };
  const replicaSet = served(
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${deployment.metadata.name}-${hash}`, namespace: ns, labels, annotations: { 'deployment.kubernetes.io/desired-replicas': '1', 'deployment.kubernetes.io/max-replicas': '1', 'deployment.kubernetes.io/revision': '1' }, ownerReferences: owner(deployment) }, spec: { replicas: 1, selector: { matchLabels: { ...spec.selector.matchLabels, 'pod-template-hash': hash } }, template: { ...spec.template, metadata: { ...(spec.template.metadata as Loose), labels } } }, status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } },
    'kube-controller-manager',
  );
  const podSpec = structuredClone((spec.template as { spec: Loose }).spec);
  Object.assign(podSpec, { nodeName: 'kwok-node-0', preemptionPolicy: 'PreemptLowerPriority', priority: 0, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] });
  const pod = (phase: string, ready: boolean): KubeObject =>
    served(
      {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${replicaSet.metadata.name}-x7k2p`, namespace: ns, generateName: `${replicaSet.metadata.name}-`, labels, annotations: (spec.template.metadata as { annotations: Loose }).annotations, ownerReferences: owner(replicaSet) },
        spec: podSpec,
        status: {
          phase, hostIP: '10.0.0.2', hostIPs: [{ ip: '10.0.0.2' }], podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }], qosClass: 'Burstable', startTime: now(),
          conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((t) => ({ type: t, status: ready || t === 'PodScheduled' ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now() })),
          containerStatuses: [{ name: 'character', ready, restartCount: 0, started: ready, image: 'registry.example/bench/hero:1', imageID: 'registry.example/bench/hero@sha256:' + 'a'.repeat(64), containerID: 'containerd://' + 'b'.repeat(64), state: ready ? { running: { startedAt: now() } } : { waiting: { reason: 'ContainerCreating' } }, lastState: {} }],
        },
      },
      'kube-scheduler',
    );
  const pvc = served(stamp(buildPvc(ctx)) as unknown as Loose);
  Object.assign(pvc.spec as Loose, { volumeMode: 'Filesystem', storageClassName: 'standard', volumeName: `pvc-${randomUUID()}` });
  pvc.status = { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } };
  const service = served(stamp(buildService(ctx)) as unknown as Loose);
  Object.assign(service.spec as Loose, { clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None' });
  service.status = { loadBalancer: {} };
  const b64 = (o: { data?: Record<string, string>; stringData?: Record<string, string> }) => {
    const data = { ...o.data };
    for (const [k, v] of Object.entries(o.stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
    return { ...o, data, stringData: undefined, type: 'Opaque' };
  };
  const secret = served(b64(stamp(buildSecret(ctx, apiKey, contentHash({ level: 1 }))) as never));
  const playerSecret = served(b64(stamp(buildPlayerSecret(ctx, { code: randomUUID(), path: `/play/${randomUUID()}` })) as never));
  const character = served({ apiVersion: Kinds.Character.apiVersion, kind: 'Character', metadata: { name, namespace: ns, generation: 1, finalizers: ['distributed-dungeon.io/finalizer'] }, spec: { displayName: name, class: 'fighter', level: 1, image: 'registry.example/bench/hero:1' } }, 'kubectl');
  character.status = {
    phase: 'Running', characterId: ctx.characterId, endpoint: `${name}.${ns}.svc:8080`, sessionId: randomUUID(), observedGeneration: 1,
    conditions: ['Ready', 'Registered', 'Available'].map((t) => ({ type: t, status: 'True', reason: 'Running', message: `${t}: the character runs`, observedGeneration: 1, lastTransitionTime: now() })),
  };
  return new Map<Kind, KubeObject[]>([
    [Kinds.Character, [character]],
    [Kinds.Deployment, [deployment]],
    [Kinds.ReplicaSet, [replicaSet]],
    [Kinds.Pod, [pod('Pending', false), pod('Running', true)]],
    [Kinds.Secret, [secret, playerSecret]],
    [Kinds.ConfigMap, [served(stamp(configMap) as unknown as Loose)]],
    [Kinds.PersistentVolumeClaim, [pvc]],
    [Kinds.Service, [service]],
    [Kinds.NetworkPolicy, [served(stamp(buildNetworkPolicy(ctx)) as unknown as Loose)]],
    [Kinds.ServiceAccount, [served(stamp(buildServiceAccount(ctx)) as unknown as Loose)]],
  ]);
}

function heapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const kinds: Kind[] = [Kinds.Character, Kinds.Deployment, Kinds.ReplicaSet, Kinds.Pod, Kinds.Secret, Kinds.ConfigMap, Kinds.PersistentVolumeClaim, Kinds.Service, Kinds.NetworkPolicy, Kinds.ServiceAccount, Kinds.ResourceQuota, Kinds.LimitRange];
const report: Record<string, unknown>[] = [];
for (const n of sizes) {
  const stores = new Map(kinds.map((k) => [k, new ObjectStore(projectionFor(k), k === Kinds.Character ? characterIndexers : {}, bodyKeeping(k))]));
  const start = heapMiB();
  let before = start;
  const row: Record<string, string | number> = { characters: n };
  for (const kind of kinds) {
    const store = stores.get(kind)!;
    for (let i = 0; i < n; i++) {
      const ns = `op-${n}-${Math.floor(i / PER_NAMESPACE)}`;
      let events: KubeObject[];
      if (kind === Kinds.ResourceQuota || kind === Kinds.LimitRange) {
        if (i % PER_NAMESPACE) continue;
        const built = kind === Kinds.ResourceQuota ? buildResourceQuota(ns, policy) : buildLimitRange(ns, policy);
        events = [served(built as unknown as Loose)];
      } else events = objectsOf(ns, `hero-${i}`).get(kind)!;
      // As off the wire: fresh strings from JSON text, one event at a time, then the store. A
      // kind whose body is dropped once known (projection.ts bodyKeeping) is first kept from the
      // operator's own apply's answer (write-through); a metadata watch's event of that same
      // version is then skipped (watch.ts), a Deployment's status event is kept.
      const keeping = bodyKeeping(kind) !== undefined;
      const texts = events.map((e) => JSON.stringify(e));
      if (keeping) texts.unshift(texts[0]!);
      for (const [j, text] of texts.entries()) {
        const obj = JSON.parse(text) as KubeObject;
        slim(obj);
        if (keeping && j === 0) store.set(objectKey(obj), obj);
        else if (watchedAsMetadata(kind)) continue;
        else store.ingest(objectKey(obj), obj);
      }
      // Readers as the reconciler has them: one namespace's list kept per namespace.
      store.list(ns);
    }
    const after = heapMiB();
    row[kind.kind] = `${(after - before).toFixed(1)} MiB (${Math.round(((after - before) * 2 ** 20) / n)} B/Character)`;
    before = after;
  }
  const total = before - start;
  row.total = `${total.toFixed(1)} MiB (${Math.round((total * 2 ** 20) / n)} B/Character)`;
  row.heapAfterGcMiB = +before.toFixed(1);
  report.push(row);
  process.stdout.write(`${JSON.stringify(row, null, 1)}\n`);
  stores.clear();
}
