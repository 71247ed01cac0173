// What the integration and e2e projects' globalSetup (global-setup.ts) hands to suites through
// vitest's inject(). Importing @distributed-dungeon/testkit brings this declaration along, so
// every workspace type-checks inject() the same way.
import type { KubeIdentity } from './kube-client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL; suites make their own database with createDatabase(). */
    postgresAdminUrl: string;
    /** URL of the run's Redis as its `default` (admin) user. */
    redisUrl: string;
    /** Admin kubeconfig of the run's control plane. */
    kubeconfig: string;
    /** The same admin identity, for testkit's kubeRequest. */
    kubeAdmin: KubeIdentity;
    /** The pinned Kubernetes version the control plane runs. */
    kubeVersion: string;
    /** Folder holding the control plane's PKI (ca.crt, ca.key) for minting other identities. */
    kubePkiDir: string;
  }
}

export {};
