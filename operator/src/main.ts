// `npm --workspace operator start`: KUBECONFIG (or in-cluster), DUNGEON_REGISTRY_URL and
// DUNGEON_ADMIN_TOKEN from the environment; a bad value stops the process naming it.
import { pino } from 'pino';
import { parseOperatorEnv } from './config.ts';
import { startOperator } from './controller/operator.ts';
import { loadPolicyFile, parsePolicy } from './policy.ts';

async function main(): Promise<void> {
  const config = parseOperatorEnv(process.env);
  const log = pino({ name: 'dungeon-operator', level: config.logLevel });
  const inline = config.policyJson ? (JSON.parse(config.policyJson) as object) : {};
  const urls = { registryUrl: config.characterRegistryUrl, ...(config.externalUrl ? { externalUrl: config.externalUrl } : {}) };
  const policy = config.policyFile ? await loadPolicyFile(config.policyFile, { ...urls, ...inline }) : parsePolicy({ ...urls, ...inline });
  const operator = await startOperator({
    kubeconfig: config.kubeconfig,
    registryUrl: config.registryUrl,
    adminToken: config.adminToken,
    policy,
    workers: config.workers,
    port: config.port,
    resyncMs: config.resyncMs,
    identity: config.identity,
    namespaces: config.namespaces,
    leaderElection: config.leaderElection
      ? {
          namespace: config.leaseNamespace,
          name: config.leaseName,
          identity: config.identity,
          leaseDurationSeconds: config.leaseDurationSeconds,
          // client-go's proportions: renew deadline 2/3 of the lease, retry every ~1/7.
          renewDeadlineMs: Math.round((config.leaseDurationSeconds * 1000 * 2) / 3),
          retryPeriodMs: Math.max(500, Math.round((config.leaseDurationSeconds * 1000) / 7)),
        }
      : false,
    // As controller-runtime does: a replica that lost the lease exits rather than risk acting
    // beside the new leader; Kubernetes restarts it and it comes back as a standby.
    onLeadershipLost: (reason) => {
      log.fatal({ reason }, 'leader election lost: exiting');
      process.exit(1);
    },
    log,
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
