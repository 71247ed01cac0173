import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kubeRequest, type KubeIdentity } from './kube-client.ts';

/** The StorageClass the local control plane marks as default; kwok pods need bound claims to schedule. */
export const LOCAL_STORAGE_CLASS = 'dungeon-local';
const PROVISIONER = 'testkit.distributed-dungeon.io/hostpath';

interface Pvc {
  metadata: { name: string; namespace: string; uid: string };
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
  const tick = async () => {
    const pvcs = await kubeRequest<{ items: Pvc[] }>(id, 'GET', '/api/v1/persistentvolumeclaims');
    for (const pvc of pvcs.body?.items ?? []) {
      if (pvc.status?.phase !== 'Pending' || pvc.spec.volumeName) continue;
      if ((pvc.spec.storageClassName ?? LOCAL_STORAGE_CLASS) !== LOCAL_STORAGE_CLASS) continue;
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
    }
    const pvs = await kubeRequest<{ items: Pv[] }>(id, 'GET', '/api/v1/persistentvolumes');
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
      await new Promise((r) => setTimeout(r, intervalMs));
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
