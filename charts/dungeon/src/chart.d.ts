export declare const chartDir: string;
export declare const repoRoot: string;
export declare const helmBin: () => string;
export declare const kubectlBin: () => string;
export interface RunResult {
    stdout: string;
    stderr: string;
}
/** A helm or kubectl run that failed, with its stderr (helm's message names the bad value). */
export declare class CommandError extends Error {
    readonly stderr: string;
    readonly stdout: string;
    constructor(command: string, stdout: string, stderr: string, code: unknown);
}
export declare function runTool(bin: string, args: string[], opts?: {
    kubeconfig?: string;
    input?: string;
}): Promise<RunResult>;
export declare const helm: (args: string[], opts?: {
    kubeconfig?: string;
}) => Promise<RunResult>;
export declare const kubectl: (args: string[], opts?: {
    kubeconfig?: string;
    input?: string;
}) => Promise<RunResult>;
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
export declare function withValuesFile<T>(values: Record<string, unknown> | undefined, fn: (args: string[]) => Promise<T>): Promise<T>;
export declare function setArgs(o: RenderOptions): string[];
export declare function renderChart(o?: RenderOptions): Promise<string>;
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    [key: string]: unknown;
}
export declare function parseManifests(text: string): KubeObject[];
export declare function findObject(objects: KubeObject[], kind: string, name: string): KubeObject;
export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: {
        secretKeyRef?: {
            name: string;
            key: string;
            optional?: boolean;
        };
        configMapKeyRef?: {
            name: string;
            key: string;
            optional?: boolean;
        };
        fieldRef?: {
            fieldPath: string;
        };
    };
}
export interface Container {
    name: string;
    image: string;
    env?: EnvVar[];
    ports?: {
        name: string;
        containerPort: number;
    }[];
    volumeMounts?: {
        name: string;
        mountPath: string;
        subPath?: string;
    }[];
    securityContext?: Record<string, unknown>;
    resources?: {
        requests?: Record<string, unknown>;
        limits?: Record<string, unknown>;
    };
    livenessProbe?: unknown;
    readinessProbe?: unknown;
    startupProbe?: unknown;
}
export interface PodSpec {
    containers: Container[];
    initContainers?: Container[];
    securityContext?: Record<string, unknown>;
    volumes?: {
        name: string;
        secret?: {
            secretName: string;
        };
        configMap?: {
            name: string;
        };
        emptyDir?: unknown;
    }[];
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
}
export interface Workload extends KubeObject {
    spec: {
        replicas?: number;
        selector: {
            matchLabels: Record<string, string>;
        };
        template: {
            metadata: {
                labels: Record<string, string>;
            };
            spec: PodSpec;
        };
    };
}
export declare const WORKLOAD_KINDS: string[];
export declare function workloads(objects: KubeObject[]): Workload[];
export declare function container(workload: KubeObject, name: string): Container;
/** Reads a key of a Secret from the rendered objects (data is base64, stringData plain). */
export declare function secretFromManifests(objects: KubeObject[]): (name: string, key: string) => string | undefined;
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
export declare function resolveEnv(c: Container, sources: EnvSources): Record<string, string>;
