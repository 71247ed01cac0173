// The part of a kubelet that e2e/local and `make demo` play for workloads whose pods are only
// fake on kwok: read the live Deployment, build its container's environment (secretKeyRef,
// configMapKeyRef, fieldRef, $(VAR) expansion, through the chart's resolveEnv), and lay its
// configMap, secret, emptyDir and PVC volumes out as local folders, so that the same program runs
// as a process with the configuration it would have in the pod.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveEnv, type Container, type KubeObject } from '../../charts/dungeon/src/chart.ts';

export interface Volume {
  name: string;
  configMap?: { name: string; items?: { key: string; path: string }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: unknown;
  persistentVolumeClaim?: { claimName: string };
}

export interface DeploymentObject extends KubeObject {
  spec: {
    replicas?: number;
    template: {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Container[]; volumes?: Volume[]; serviceAccountName?: string };
    };
  };
}

interface DataObject extends KubeObject {
  data?: Record<string, string>;
}

/** Secrets and ConfigMaps of one namespace, as read from the cluster (Secret data decoded). */
export interface NamespaceData {
  secrets: Map<string, Record<string, string>>;
  configMaps: Map<string, Record<string, string>>;
}

export function namespaceData(secrets: DataObject[], configMaps: DataObject[]): NamespaceData {
  const decode = (d: Record<string, string> = {}) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return {
    secrets: new Map(secrets.map((s) => [s.metadata.name, decode(s.data)])),
    configMaps: new Map(configMaps.map((c) => [c.metadata.name, { ...(c.data ?? {}) }])),
  };
}

export interface LocalPod {
  /** The container's environment as the kubelet would give it, mount paths moved to local folders. */
  env: Record<string, string>;
  /** Mount path in the pod → local folder. */
  mounts: Map<string, string>;
}

/**
 * The environment and volumes of `containerName` in `deployment`, laid out under `dir`. Env
 * values that name a file under a mount path point at the local copy instead. Throws, as the
 * kubelet refuses to start the container, when a referenced Secret or ConfigMap key is missing.
 */
export function localPod(deployment: DeploymentObject, containerName: string, data: NamespaceData, dir: string, podName: string): LocalPod {
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c) => c.name === containerName);
  if (!container) throw new Error(`${deployment.metadata.name} has no container ${containerName}`);
  const namespace = deployment.metadata.namespace ?? 'default';
  const env = resolveEnv(container, {
    secret: (name, key) => data.secrets.get(name)?.[key],
    configMap: (name, key) => data.configMaps.get(name)?.[key],
    fields: { 'metadata.namespace': namespace, 'metadata.name': podName, 'spec.nodeName': 'kwok-node-0', 'status.podIP': '127.0.0.1' },
  });
  const mounts = new Map<string, string>();
  for (const m of container.volumeMounts ?? []) {
    const volume = (pod.volumes ?? []).find((v) => v.name === m.name);
    if (!volume) throw new Error(`${deployment.metadata.name}: volume ${m.name} is mounted but not declared`);
    const local = join(dir, 'volumes', m.name);
    mkdirSync(local, { recursive: true });
    const files = volume.configMap
      ? data.configMaps.get(volume.configMap.name)
      : volume.secret
        ? data.secrets.get(volume.secret.secretName)
        : {};
    if (!files) throw new Error(`${deployment.metadata.name}: volume ${m.name} refers to ${JSON.stringify(volume)}, which does not exist`);
    const items = volume.configMap?.items ?? volume.secret?.items;
    for (const [key, content] of Object.entries(files)) {
      const path = items ? items.find((i) => i.key === key)?.path : key;
      if (path) writeFileSync(join(local, path), content);
    }
    mounts.set(m.mountPath, local);
  }
  for (const [name, value] of Object.entries(env)) {
    for (const [mountPath, local] of mounts) {
      if (value === mountPath || value.startsWith(`${mountPath}/`)) env[name] = local + value.slice(mountPath.length);
    }
  }
  return { env, mounts };
}

/**
 * Cluster DNS for processes: `http://<service>.<namespace>.svc[.cluster.local]:<port>` → the
 * local address that stands in for that Service.
 */
export class ServiceMap {
  readonly #routes = new Map<string, string>();

  /** `service.namespace:port` answered by `127.0.0.1:<localPort>` (or another host:port). */
  add(service: string, namespace: string, port: number, local: string): void {
    this.#routes.set(`${service}.${namespace}:${port}`, local);
  }

  /** The URL with an in-cluster Service host swapped for its local stand-in; others unchanged. */
  resolve(url: string): string {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return url;
    }
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(u.hostname);
    if (!m) return url;
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    const local = this.#routes.get(`${m[1]}.${m[2]}:${port}`);
    if (!local) return url;
    const [host, localPort] = local.split(':');
    u.hostname = host!;
    u.port = localPort ?? '';
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  }
}
