// What the e2e/node project's globalSetup hands its suite through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    nodeKubeconfig: string;
    /** `host:port` of the node's registry. */
    nodeRegistry: string;
    nodeRelease: string;
    nodeNamespace: string;
    /** containers-registries.conf marking that registry as plain HTTP, for podman pushes. */
    nodeRegistriesConf: string;
  }
}

export {};
