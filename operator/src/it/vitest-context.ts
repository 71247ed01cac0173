// What the integration project's globalSetup (testkit/src/global-setup.ts) provides.
export {};
declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    postgresAdminUrl: string;
    redisUrl: string;
  }
}
