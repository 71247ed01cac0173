// The Characters cache's indexes: by character id (the check that no other Character holds an id)
// and by namespace and pod label (which Character a pod or ReplicaSet event concerns), so neither
// scans every cached Character.
import { characterIdFor } from '@distributed-dungeon/contracts';
import type { KubeObject } from '../kube/resources.ts';
import type { Indexer } from '../kube/store.ts';
import { labelValue } from '../names.ts';

export const BY_ID = 'characterId';
export const BY_LABEL = 'namespaceLabel';

/** The key of the label index: a namespace and the value of the character label there. */
export const labelKey = (namespace: string, label: string): string => `${namespace}/${label}`;

export const characterIndexers: Record<string, Indexer> = {
  [BY_ID]: (c: KubeObject) => characterIdFor(c.metadata.namespace!, c.metadata.name),
  [BY_LABEL]: (c: KubeObject) => labelKey(c.metadata.namespace!, labelValue(c.metadata.name)),
};
