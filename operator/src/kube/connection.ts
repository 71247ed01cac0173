// Where the Kubernetes API is and how to authenticate to it: in-cluster (the service account's
// token and CA, KUBERNETES_SERVICE_HOST) or a kubeconfig with static credentials (certificates,
// a token) are read here; a kubeconfig user needing more (exec plugins, auth providers) is handed to @kubernetes/client-node's KubeConfig, imported only then. Importing that
// library loads its whole generated API: ~80 MiB of the operator's RSS and ~30 MiB of heap, for
// the four fields an operator in a pod needs.
import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface Connection {
  readonly server: string;
  /** Sets the TLS material and the credentials of one request. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Bound service-account tokens are rotated on disk; client-go re-reads them about this often. */
const TOKEN_REREAD_MS = 60_000;

interface Tls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure?: boolean;
}

class StaticConnection implements Connection {
  readonly server: string;
  private readonly tls: Tls;
  private readonly token: (() => string) | undefined;

  constructor(server: string, tls: Tls, token?: () => string) {
    this.server = server.replace(/\/+$/, '');
    this.tls = tls;
    this.token = token;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    if (this.tls.ca) options.ca = this.tls.ca;
    if (this.tls.cert) options.cert = this.tls.cert;
    if (this.tls.key) options.key = this.tls.key;
    if (this.tls.insecure) options.rejectUnauthorized = false;
    if (this.token) options.headers = { ...options.headers, authorization: `Bearer ${this.token()}` };
  }
}

function tokenFile(path: string): () => string {
  let token = '';
  let readAt = -Infinity;
  return () => {
    if (performance.now() - readAt > TOKEN_REREAD_MS) {
      token = readFileSync(path, 'utf8').trim();
      readAt = performance.now();
    }
    return token;
  };
}

/** The pod's own service account (what client-go's rest.InClusterConfig reads). */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): Connection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('no kubeconfig and not in a cluster (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset)');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new StaticConnection(server, { ca: readFileSync(join(dir, 'ca.crt')) }, tokenFile(join(dir, 'token')));
}

const KubeconfigSchema = z.object({
  clusters: z.array(z.object({ name: z.string(), cluster: z.looseObject({ server: z.string().url() }) })),
  users: z.array(z.object({ name: z.string(), user: z.record(z.string(), z.unknown()).nullish() })).default([]),
  contexts: z.array(z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string().optional() }) })),
  'current-context': z.string(),
});

const ClusterSchema = z.looseObject({
  server: z.string(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
});

/** The user fields read here; a user with any other (exec, auth-provider, username...) goes to the library. */
const StaticUserSchema = z.strictObject({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
});

/** Credentials the library works out (exec plugins, auth providers), imported on first use. */
class LibraryConnection implements Connection {
  readonly server: string;
  private kc: Promise<KubeConfig> | undefined;
  private readonly file: string;

  constructor(server: string, file: string) {
    this.server = server.replace(/\/+$/, '');
    this.file = file;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    this.kc ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const kc = new KubeConfig();
      kc.loadFromFile(this.file);
      return kc;
    });
    await (await this.kc).applyToHTTPSOptions(options);
  }
}

/** The current context of one kubeconfig file. */
export function kubeconfigConnection(file: string): Connection {
  const config = KubeconfigSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  const where = `kubeconfig ${file}`;
  const context = config.contexts.find((c) => c.name === config['current-context'])?.context;
  if (!context) throw new Error(`${where}: current-context ${config['current-context']} is not among its contexts`);
  const cluster = ClusterSchema.parse(config.clusters.find((c) => c.name === context.cluster)?.cluster);
  const user = context.user === undefined ? {} : (config.users.find((u) => u.name === context.user)?.user ?? {});
  const parsedUser = StaticUserSchema.safeParse(user);
  if (!parsedUser.success) return new LibraryConnection(cluster.server, file);
  const u = parsedUser.data;
  const path = (p: string) => (isAbsolute(p) ? p : join(dirname(file), p));
  const material = (data: string | undefined, p: string | undefined) => (data ? Buffer.from(data, 'base64') : p ? readFileSync(path(p)) : undefined);
  const tls: Tls = {
    ca: material(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: material(u['client-certificate-data'], u['client-certificate']),
    key: material(u['client-key-data'], u['client-key']),
    insecure: cluster['insecure-skip-tls-verify'],
  };
  const token = u.token !== undefined ? () => u.token! : u.tokenFile ? tokenFile(path(u.tokenFile)) : undefined;
  return new StaticConnection(cluster.server, tls, token);
}

/**
 * As KubeConfig.loadFromDefault: the file named (or $KUBECONFIG, or ~/.kube/config when it
 * exists), otherwise in-cluster.
 */
export function loadConnection(kubeconfigPath?: string, env: NodeJS.ProcessEnv = process.env): Connection {
  if (kubeconfigPath) return kubeconfigConnection(kubeconfigPath);
  const fromEnv = env.KUBECONFIG?.split(':').filter(Boolean) ?? [];
  if (fromEnv.length === 1) return kubeconfigConnection(fromEnv[0]!);
  if (fromEnv.length > 1) throw new Error(`KUBECONFIG names ${fromEnv.length} files; the operator reads one (kubectl config view --flatten merges them)`);
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return kubeconfigConnection(home);
  return inClusterConnection(env);
}
