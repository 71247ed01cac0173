import './provided-context.ts';
export { eventually } from './eventually.ts';
export { freePort } from './ports.ts';
export { startProcess, waitUntil, logTail, type ManagedProcess } from './process.ts';
export { startPostgres, type PostgresServer } from './postgres.ts';
export { startRedis, type RedisServer } from './redis.ts';
export { makeWorkdir, removeWorkdir } from './workdir.ts';
export { createDatabase } from './database.ts';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './controlplane.ts';
export { kubeRequest, type KubeIdentity, type KubeResponse } from './kube-client.ts';
export { LOCAL_STORAGE_CLASS } from './provisioner.ts';
export { generatePki, writeKubeconfig } from './pki.ts';
export { controlPlaneBinDir, ensureControlPlaneBinaries, pinnedVersions } from './controlplane-binaries.ts';
export { missingNodePrograms, nodeBinDir, ensureNodeBinaries } from './node-binaries.ts';
export { startRealNode, type RealNode, type RealNodeOptions } from './node.ts';
export { NODE_NAME } from './node-config.ts';
export {
  CharacterProcess,
  EXAMPLE_CHARACTERS,
  Narrator,
  REPO_ROOT,
  configDirFor,
  createGameSession,
  keySpecOf,
  mintApiKey,
  type CharacterProcessOptions,
  type CharacterSpec,
  type Envelope,
  type SessionEnd,
} from './local-play.ts';
export { acquireSuiteLock } from './suite-lock.ts';
