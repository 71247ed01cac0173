// Operator configuration from the environment, validated once at start-up.
import { hostname } from 'node:os';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const OperatorEnvSchema = z.object({
  KUBECONFIG: z.string().min(1).optional(),
  /** The api-server's admin API (key minting, player links, platform status): its admin port, by the chart's default. */
  DUNGEON_REGISTRY_URL: z.url(),
  DUNGEON_ADMIN_TOKEN: z.string().min(8, 'must be at least 8 characters'),
  /** Registry URL handed to characters (the public port, which refuses the admin token), when it differs from DUNGEON_REGISTRY_URL. */
  DUNGEON_CHARACTER_REGISTRY_URL: z.url().optional(),
  /** The api-server's URL from outside the cluster, for external Characters' connection bundles. */
  DUNGEON_EXTERNAL_URL: z.url().optional(),
  OPERATOR_WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  OPERATOR_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  OPERATOR_POLICY_FILE: z.string().min(1).optional(),
  /** Policy as inline JSON (chart values), merged over the file. */
  OPERATOR_POLICY_JSON: z.string().min(2).optional(),
  OPERATOR_RESYNC_SECONDS: z.coerce.number().int().min(0).default(300),
  OPERATOR_LEADER_ELECTION: bool.default(true),
  OPERATOR_LEASE_NAMESPACE: z.string().min(1).optional(),
  OPERATOR_LEASE_NAME: z.string().min(1).default('dungeon-operator'),
  /** A standby takes over this long after the leader stopped renewing. */
  OPERATOR_LEASE_DURATION_SECONDS: z.coerce.number().int().min(2).max(300).default(15),
  OPERATOR_IDENTITY: z.string().min(1).optional(),
  /**
   * Comma-separated namespaces opened to players (the chart's players.namespaces, where it binds
   * the operator's namespaced rights). Set, even empty, the operator works there only; unset, in
   * every namespace (it then needs those rights cluster-wide).
   */
  OPERATOR_NAMESPACES: z
    .string()
    .transform((v) => v.split(',').map((n) => n.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'namespace names, comma-separated').max(63)))
    .optional(),
  POD_NAMESPACE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface OperatorConfig {
  kubeconfig?: string;
  registryUrl: string;
  adminToken: string;
  characterRegistryUrl: string;
  externalUrl?: string;
  workers: number;
  port: number;
  policyFile?: string;
  policyJson?: string;
  resyncMs: number;
  leaderElection: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationSeconds: number;
  identity: string;
  logLevel: string;
  namespaces?: string[];
}

export function parseOperatorEnv(env: Record<string, string | undefined>): OperatorConfig {
  const result = OperatorEnvSchema.safeParse(env);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid operator configuration: ${details}`);
  }
  const e = result.data;
  return {
    kubeconfig: e.KUBECONFIG,
    registryUrl: e.DUNGEON_REGISTRY_URL,
    adminToken: e.DUNGEON_ADMIN_TOKEN,
    characterRegistryUrl: e.DUNGEON_CHARACTER_REGISTRY_URL ?? e.DUNGEON_REGISTRY_URL,
    externalUrl: e.DUNGEON_EXTERNAL_URL,
    workers: e.OPERATOR_WORKERS,
    port: e.OPERATOR_PORT,
    policyFile: e.OPERATOR_POLICY_FILE,
    policyJson: e.OPERATOR_POLICY_JSON,
    resyncMs: e.OPERATOR_RESYNC_SECONDS * 1000,
    leaderElection: e.OPERATOR_LEADER_ELECTION,
    leaseNamespace: e.OPERATOR_LEASE_NAMESPACE ?? e.POD_NAMESPACE ?? 'default',
    leaseName: e.OPERATOR_LEASE_NAME,
    leaseDurationSeconds: e.OPERATOR_LEASE_DURATION_SECONDS,
    identity: e.OPERATOR_IDENTITY ?? `${hostname()}-${process.pid}`,
    logLevel: e.LOG_LEVEL,
    namespaces: e.OPERATOR_NAMESPACES,
  };
}
