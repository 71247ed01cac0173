// Operator policy: what every Character gets by default, what it may not exceed, where its
// images may come from, and what each namespace that holds Characters is allowed in total.
import { readFileSync } from 'node:fs';
import { QUANTITY_PATTERN } from '@distributed-dungeon/contracts';
import { parse } from 'yaml';
import { z } from 'zod';
import { compareQuantities } from './quantity.ts';

const Quantity = z.union([z.number().nonnegative(), z.string().regex(QUANTITY_PATTERN, 'must be a quantity such as 1Gi or 500m')]);
const CpuMemory = z.object({ cpu: Quantity, memory: Quantity }).strict();
const Labels = z.record(z.string(), z.string());

const PeerSchema = z
  .object({
    /** Namespace of the peer; null means the Character's own namespace. */
    namespace: z.string().min(1).nullable(),
    podSelector: Labels,
    port: z.int().min(1).max(65535),
  })
  .strict();

export const PolicySchema = z
  .object({
    /** The registry URL handed to characters (in-cluster address of the api-server). */
    registryUrl: z.url(),
    /**
     * The api-server as seen from outside the cluster (the chart's apiServer.externalUrl), handed
     * to external Characters in their connection bundle; null: external placement is unavailable.
     */
    externalUrl: z.url().nullable().default(null),
    resources: z
      .object({
        default: z.object({ requests: CpuMemory, limits: CpuMemory }).strict(),
        max: CpuMemory,
      })
      .strict()
      .default({
        default: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        max: { cpu: '1', memory: '1Gi' },
      }),
    /** Registries (or registry/path prefixes) images may come from; empty allows any. */
    allowedImageRegistries: z.array(z.string().min(1)).default([]),
    runtimeClassName: z.string().min(1).nullable().default(null),
    /** Numeric user the character container runs as (the base image's non-root user). */
    runAsUser: z.int().min(1).default(1000),
    quota: z
      .object({
        pods: z.int().positive(),
        requestsCpu: Quantity,
        requestsMemory: Quantity,
        limitsCpu: Quantity,
        limitsMemory: Quantity,
        requestsStorage: Quantity,
        persistentVolumeClaims: z.int().positive(),
        maxStoragePerClaim: Quantity,
      })
      .strict()
      .default({
        pods: 20,
        requestsCpu: '4',
        requestsMemory: '8Gi',
        limitsCpu: '10',
        limitsMemory: '20Gi',
        requestsStorage: '50Gi',
        persistentVolumeClaims: 20,
        maxStoragePerClaim: '10Gi',
      }),
    apiServer: PeerSchema.default({
      namespace: 'dungeon-system',
      podSelector: { 'app.kubernetes.io/name': 'dungeon-api-server' },
      port: 8080,
    }),
    redis: PeerSchema.default({
      namespace: 'dungeon-system',
      podSelector: { 'app.kubernetes.io/name': 'redis' },
      port: 6379,
    }),
    dns: PeerSchema.default({ namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' }, port: 53 }),
  })
  .strict()
  .superRefine((p, ctx) => {
    for (const r of ['cpu', 'memory'] as const) {
      if (compareQuantities(p.resources.default.requests[r], p.resources.default.limits[r]) > 0) {
        ctx.addIssue({ code: 'custom', path: ['resources', 'default', 'requests', r], message: `default request exceeds default limit` });
      }
      if (compareQuantities(p.resources.default.limits[r], p.resources.max[r]) > 0) {
        ctx.addIssue({ code: 'custom', path: ['resources', 'default', 'limits', r], message: `default limit exceeds max` });
      }
    }
  });
export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

export function parsePolicy(input: unknown): Policy {
  const result = PolicySchema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid operator policy: ${details}`);
  }
  return result.data;
}

/** Policy from a JSON or YAML file (chart values render it), with the registry URL as fallback. */
export async function loadPolicyFile(path: string, overrides: Partial<PolicyInput> = {}): Promise<Policy> {
  const raw: unknown = parse(readFileSync(path, 'utf8')) ?? {};
  return parsePolicy({ ...(raw as object), ...overrides });
}

/** `docker.io/library/nginx` style: registry host first, as container runtimes resolve it. */
export function normalizeImage(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const first = withoutDigest.split('/')[0] ?? '';
  const hasRegistry = withoutDigest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  let path = hasRegistry ? withoutDigest : `docker.io/${withoutDigest.includes('/') ? withoutDigest : `library/${withoutDigest}`}`;
  // Strip the tag (a ':' after the last '/').
  const slash = path.lastIndexOf('/');
  const colon = path.lastIndexOf(':');
  if (colon > slash) path = path.slice(0, colon);
  return path;
}

export function imageAllowed(image: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const normalized = normalizeImage(image);
  return allowed.some((entry) => {
    const prefix = entry.replace(/\/+$/, '');
    return normalized === prefix || normalized.startsWith(`${prefix}/`);
  });
}
