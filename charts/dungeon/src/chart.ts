// Renders the chart with the pinned helm and reads what it gives each container, the way the
// kubelet would: env values with $(VAR) expansion, secretKeyRef, configMapKeyRef and fieldRef.
// Used by the chart's own tests, and meant for e2e/local, which runs the operator and the
// api-server as processes "with the configuration the chart gives them".
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { controlPlaneBinDir } from '../../../testkit/src/controlplane-binaries.ts';

const run = promisify(execFile);

export const chartDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(chartDir, '..', '..');

/** The pinned helm of the control plane build; DUNGEON_HELM names another (e.g. while that build runs). */
export const helmBin = (): string => process.env.DUNGEON_HELM || join(controlPlaneBinDir(), 'helm');
export const kubectlBin = (): string => join(controlPlaneBinDir(), 'kubectl');

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** A helm or kubectl run that failed, with its stderr (helm's message names the bad value). */
export class CommandError extends Error {
  readonly stderr: string;
  readonly stdout: string;
  constructor(command: string, stdout: string, stderr: string, code: unknown) {
    super(`${command} failed (${String(code)}): ${stderr.trim() || stdout.trim()}`);
    this.name = 'CommandError';
    this.stderr = stderr;
    this.stdout = stdout;
  }
}

export async function runTool(bin: string, args: string[], opts: { kubeconfig?: string; input?: string } = {}): Promise<RunResult> {
  // helm keeps its cache and config out of the user's home so parallel runs do not share state.
  const helmHome = join(tmpdir(), 'dungeon-chart-helm');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
  if (opts.kubeconfig) env.KUBECONFIG = opts.kubeconfig;
  try {
    const p = run(bin, args, { env, maxBuffer: 64 * 1024 * 1024 });
    if (opts.input !== undefined) p.child.stdin?.end(opts.input);
    const { stdout, stderr } = await p;
    return { stdout, stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: unknown };
    throw new CommandError(`${bin.split('/').pop()} ${args.slice(0, 2).join(' ')}`, e.stdout ?? '', e.stderr ?? String(error), e.code);
  }
}

export const helm = (args: string[], opts: { kubeconfig?: string } = {}) => runTool(helmBin(), args, opts);
export const kubectl = (args: string[], opts: { kubeconfig?: string; input?: string } = {}) => runTool(kubectlBin(), args, opts);

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values, written to a file and passed with --values (closest to what a game master does). */
  values?: Record<string, unknown>;
  /** `--set` pairs, for the schema tests that mimic a typo on the command line. */
  set?: string[];
  /** Extra Capabilities.APIVersions (e.g. monitoring.coreos.com/v1/ServiceMonitor). */
  apiVersions?: string[];
  /** Render against a cluster (`--dry-run=server`): lookup and Capabilities come from it. */
  kubeconfig?: string;
}

/** Values to a temporary file: helm reads them like a game master's values.yaml. */
export async function withValuesFile<T>(values: Record<string, unknown> | undefined, fn: (args: string[]) => Promise<T>): Promise<T> {
  if (!values) return fn([]);
  const dir = mkdtempSync(join(tmpdir(), 'dungeon-values-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    return await fn(['--values', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function setArgs(o: RenderOptions): string[] {
  return [
    ...(o.set ?? []).flatMap((s) => ['--set', s]),
    ...(o.apiVersions ?? []).flatMap((a) => ['--api-versions', a]),
  ];
}

export async function renderChart(o: RenderOptions = {}): Promise<string> {
  return withValuesFile(o.values, async (valuesArgs) => {
    const args = ['template', o.release ?? 'dungeon', chartDir, '--namespace', o.namespace ?? 'dungeon-system', ...valuesArgs, ...setArgs(o)];
    if (o.kubeconfig) args.push('--dry-run=server', '--kubeconfig', o.kubeconfig);
    return (await helm(args)).stdout;
  });
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null && typeof d === 'object' && 'kind' in d);
}

export function findObject(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered chart (have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string }; emptyDir?: unknown }[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

export interface Workload extends KubeObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

export function workloads(objects: KubeObject[]): Workload[] {
  return objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)) as Workload[];
}

export function container(workload: KubeObject, name: string): Container {
  const c = (workload as Workload).spec.template.spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`${workload.kind} ${workload.metadata.name} has no container ${name}`);
  return c;
}

/** Reads a key of a Secret from the rendered objects (data is base64, stringData plain). */
export function secretFromManifests(objects: KubeObject[]) {
  return (name: string, key: string): string | undefined => {
    const s = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name) as
      | (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> })
      | undefined;
    if (!s) return undefined;
    if (s.stringData?.[key] !== undefined) return s.stringData[key];
    const b64 = s.data?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  };
}

export interface EnvSources {
  secret: (name: string, key: string) => string | undefined;
  configMap?: (name: string, key: string) => string | undefined;
  /** Values of downward-API fields, e.g. `metadata.namespace`. */
  fields: Record<string, string>;
}

/**
 * The environment a container gets, as the kubelet builds it: in order, each `$(NAME)` of an
 * earlier variable expanded (`$$` escapes), references resolved. A missing non-optional
 * reference throws, as the kubelet refuses to start such a container.
 */
export function resolveEnv(c: Container, sources: EnvSources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of c.env ?? []) {
    if (v.value !== undefined) {
      out[v.name] = v.value.replace(/\$\$|\$\(([-._a-zA-Z0-9]+)\)/g, (m, ref: string | undefined) =>
        m === '$$' ? '$' : ref !== undefined && ref in out ? out[ref]! : m,
      );
      continue;
    }
    const from = v.valueFrom ?? {};
    let value: string | undefined;
    let optional = false;
    if (from.secretKeyRef) {
      value = sources.secret(from.secretKeyRef.name, from.secretKeyRef.key);
      optional = from.secretKeyRef.optional ?? false;
    } else if (from.configMapKeyRef) {
      value = sources.configMap?.(from.configMapKeyRef.name, from.configMapKeyRef.key);
      optional = from.configMapKeyRef.optional ?? false;
    } else if (from.fieldRef) {
      value = sources.fields[from.fieldRef.fieldPath];
    } else {
      value = '';
    }
    if (value === undefined) {
      if (optional) continue;
      throw new Error(`container ${c.name}: ${v.name} refers to ${JSON.stringify(from)}, which does not exist`);
    }
    out[v.name] = value;
  }
  return out;
}
