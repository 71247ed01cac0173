import { names } from '../names.ts';
import { ownedMeta, type BuildContext } from './context.ts';

export interface LivePvc {
  spec?: { accessModes?: string[]; resources?: { requests?: Record<string, string> }; storageClassName?: string; volumeMode?: string };
}

/**
 * The data volume. A claim's spec is immutable once bound, so when one exists its spec is
 * carried over as it is and only metadata (labels, owner) is ours to set.
 */
export function buildPvc(ctx: BuildContext, live?: LivePvc) {
  const { storage } = ctx.spec;
  const spec = live?.spec
    ? {
        accessModes: live.spec.accessModes,
        resources: { requests: { storage: live.spec.resources?.requests?.storage } },
        ...(live.spec.storageClassName ? { storageClassName: live.spec.storageClassName } : {}),
      }
    : {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: String(storage.size) } },
        ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
      };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: ownedMeta(ctx, names.pvc(ctx.ref.name), 'data'),
    spec,
  };
}
