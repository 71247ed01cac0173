export { ownedMeta, type BuildContext, type ObjectMeta } from './context.ts';
export { buildServiceAccount, buildSecret, buildConfigMap, apiKeyFromSecret, characterIdFromSecret, characterJson, contentHash, KEY_SPEC_ANNOTATION } from './identity.ts';
export { buildPvc } from './storage.ts';
export { buildService, buildNetworkPolicy } from './network.ts';
export { buildResourceQuota, buildLimitRange } from './namespace.ts';
export { buildDeployment, effectiveResources } from './workload.ts';
export { buildConnectionSecret, connectionBundle, websocketUrlFor, BUNDLE_KEY } from './connection.ts';
