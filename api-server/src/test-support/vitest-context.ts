// What the integration project's globalSetup (testkit/src/global-setup.ts) provides, for type-checking
// `inject()` in this workspace's suites (the declaration there is outside this project).
declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    redisUrl: string;
  }
}
export {};
