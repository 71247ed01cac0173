import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kubeRequest, type KubeIdentity } from './kube-client.ts';

/** The StorageClass the local control plane marks as default; kwok pods need bound claims to schedule. */
export const LOCAL_STORAGE_CLASS = 'dungeon-local';
const PROVISIONER = 'testkit.distributed-dungeon.io/hostpath';

interface Pvc {
  metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string> };
  spec: { storageClassName?: string; volumeName?: string; resources?: { requests?: { storage?: string } }; accessModes?: string[] };
  status?: { phase?: string };
}
interface Pv {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: { phase?: string };
}

export async function installStorageClass(id: KubeIdentity): Promise<void> {
  const res = await kubeRequest(id, 'POST', '/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating StorageClass: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * The local cluster's volume provisioner, in the role kind's local-path-provisioner plays: a
 * pending claim of our class gets a hostPath PersistentVolume pre-bound to it, and a released
 * volume is deleted. Without `hostRoot` nothing is written to disk: kwok pods never mount
 * anything. With it (a real node) each volume is a real folder there, writable by the pod's
 * non-root user, removed with the volume.
 */
export function startProvisioner(id: KubeIdentity, intervalMs = 500, hostRoot?: string): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  /** How long the last tick's two lists took: the next tick waits at least four times that. */
  let listedMs = 0;
  const provision = async (pvc: Pvc) => {
    const name = `pvc-${pvc.metadata.uid}`;
    const path = hostRoot ? join(hostRoot, name) : `/var/lib/dungeon-local/${name}`;
    if (hostRoot) {
      mkdirSync(path, { recursive: true });
      // hostPath volumes ignore fsGroup, so the folder itself lets any pod user write.
      chmodSync(path, 0o777);
    }
    await kubeRequest(id, 'POST', '/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
      spec: {
        capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: LOCAL_STORAGE_CLASS,
        hostPath: { path, type: 'DirectoryOrCreate' },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
      },
    });
    // The claim is bound here as well (what the controller-manager's volume binder would write
    // next), so the scheduler takes its pod at once: that binder works one claim at a time,
    // a few a second, and thousands of claims (the operator benchmark) queued behind it for
    // many minutes. The binder then only confirms the phases. The volume name can be set once.
    const claim = `/api/v1/namespaces/${pvc.metadata.namespace}/persistentvolumeclaims/${pvc.metadata.name}`;
    await kubeRequest(id, 'PATCH', claim, {
      metadata: { uid: pvc.metadata.uid, annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: { volumeName: name },
    }, 'application/merge-patch+json');
  };
  const tick = async () => {
    const listStarted = performance.now();
    // From the apiserver's watch cache (resourceVersion 0), not a quorum read of etcd: with
    // thousands of claims and volumes (the operator benchmark) these two lists, every tick,
    // took etcd's time from everyone's writes. A claim the cache has not seen yet waits a tick.
    const pvcs = await kubeRequest<{ items: Pvc[] }>(id, 'GET', '/api/v1/persistentvolumeclaims?resourceVersion=0');
    listedMs = performance.now() - listStarted;
    const pending = (pvcs.body?.items ?? []).filter(
      (pvc) => pvc.status?.phase === 'Pending' && !pvc.spec.volumeName && (pvc.spec.storageClassName ?? LOCAL_STORAGE_CLASS) === LOCAL_STORAGE_CLASS,
    );
    // Sixteen at a time: one after another (each on a fresh TLS connection) a burst of claims
    // waited for seconds. A failure only leaves that claim pending for the next tick.
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(16, pending.length) }, async () => {
      while (next < pending.length) await provision(pending[next++]!).catch(() => undefined);
    }));
    const pvsStarted = performance.now();
    const pvs = await kubeRequest<{ items: Pv[] }>(id, 'GET', '/api/v1/persistentvolumes?resourceVersion=0');
    listedMs += performance.now() - pvsStarted;
    for (const pv of pvs.body?.items ?? []) {
      if (pv.status?.phase === 'Released' && pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === PROVISIONER) {
        const res = await kubeRequest(id, 'DELETE', `/api/v1/persistentvolumes/${pv.metadata.name}`);
        if (hostRoot && res.status < 300) rmSync(join(hostRoot, pv.metadata.name), { recursive: true, force: true });
      }
    }
  };
  const loop = async () => {
    while (!stopped) {
      // An apiserver that is down for a while (tests restart it) only delays provisioning.
      running = tick().catch(() => undefined);
      await running;
      // Listing every claim and volume of a cluster with thousands of them is work for the
      // apiserver too: the pause grows with what the lists cost (500 ms for a test's few).
      await new Promise((r) => setTimeout(r, Math.max(intervalMs, 4 * listedMs)));
    }
  };
  void loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}
