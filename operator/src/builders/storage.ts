import { names } from '../names.ts';
import { compareQuantities } from '../quantity.ts';
import { ownedMeta, type BuildContext } from './context.ts';

interface LivePvc {
  spec?: { accessModes?: string[]; resources?: { requests?: Record<string, string> }; storageClassName?: string; volumeMode?: string };
}

/**
 * The data volume. A claim's spec is immutable once bound, so when one exists its spec is
 * carried over as it is and only metadata (labels, owner) is ours to set.
 */
export function buildPvc(ctx: BuildContext, live?: LivePvc) {
  const { storage } = ctx.spec;
  const liveSize = live?.spec?.resources?.requests?.storage;
  // Same value written differently (1Gi / 1073741824) is not a change worth an apply.
  const size = liveSize && compareQuantities(liveSize, storage.size) !== 0 ? liveSize : String(storage.size);
  const spec = live?.spec
    ? {
        accessModes: live.spec.accessModes,
        resources: { requests: { storage: size } },
        // The class a default-class admission filled in is not ours to claim.
        ...(storage.storageClassName ? { storageClassName: live.spec.storageClassName } : {}),
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
