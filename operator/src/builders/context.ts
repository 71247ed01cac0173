import type { CharacterSpec } from '@distributed-dungeon/contracts';
import type { Policy } from '../policy.ts';
import { characterLabels, ownerReference, type CharacterRef, type OwnerReference } from '../names.ts';

/** Everything a builder needs: the Character (spec already parsed, so defaults are filled in). */
export interface BuildContext {
  ref: CharacterRef;
  spec: CharacterSpec;
  characterId: string;
  policy: Policy;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export function ownedMeta(ctx: BuildContext, name: string, component = 'character'): ObjectMeta {
  return {
    name,
    namespace: ctx.ref.namespace,
    labels: characterLabels(ctx.ref.name, component),
    ownerReferences: [ownerReference(ctx.ref)],
  };
}
