// `make e2e-kind`: the e2e/local flow on a kind cluster with the real images. Creates the cluster,
// builds and loads the images, `helm install`s the chart, applies the three example Characters,
// waits for Registered and for the session to end, checks the delete path, `helm upgrade`s and
// `helm uninstall`s, and deletes the cluster (KEEP_CLUSTER=1 keeps it). Refuses to start, saying
// why, where Docker or kind is missing. Not part of `make test`.
//
// Environment: KIND_CLUSTER_NAME (dungeon-e2e), KIND_NODE_IMAGE (kind's default), KEEP_CLUSTER,
// DOCKER (docker), E2E_KIND_TIMEOUT_MS (session timeout, 600000).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureControlPlaneBinaries } from '@distributed-dungeon/testkit';
import { chartDir, helmBin, kubectlBin, runTool } from '../../../charts/dungeon/src/chart.ts';
import { parseTable } from '../local-platform.ts';
import { cleanUpCluster, runOnCluster, stream } from './cluster-flow.ts';
import { dockerStatus, kindRefusal, kindStatus } from './environment.ts';

const t0 = Date.now();
const say = (line: string) => console.log(`[e2e-kind ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);

async function main(): Promise<number> {
  const [docker, kind] = await Promise.all([dockerStatus(), kindStatus()]);
  const refusal = kindRefusal(docker, kind);
  if (refusal) {
    console.error(refusal);
    return 2;
  }
  say(`${docker.detail}; ${kind.detail}`);
  ensureControlPlaneBinaries(); // the pinned helm and kubectl
  const cluster = process.env.KIND_CLUSTER_NAME || 'dungeon-e2e';
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'dungeon-kind-')), 'kubeconfig');
  const release = 'dungeon';
  const namespace = 'dungeon-system';
  const playerNamespace = 'player-e2e';
  say(`kind create cluster --name ${cluster}`);
  await stream('kind', ['create', 'cluster', '--name', cluster, '--kubeconfig', kubeconfig, '--wait', '180s', ...(process.env.KIND_NODE_IMAGE ? ['--image', process.env.KIND_NODE_IMAGE] : [])]);
  const kubectl = async (args: string[]) => (await runTool(kubectlBin(), args, { kubeconfig })).stdout;
  const helm = async (args: string[]) => (await runTool(helmBin(), args, { kubeconfig })).stdout;
  try {
    const result = await runOnCluster({
      kubeconfig, kindCluster: cluster, release, namespace, playerNamespace, say,
      onLine: (l) => say(`  ${l}`),
      onTable: (t) => say(`kubectl get characters -n ${playerNamespace}\n${t}`),
      timeoutMs: Number(process.env.E2E_KIND_TIMEOUT_MS || 600_000),
    });
    const rows = parseTable(result.registeredTable);
    assert.deepEqual(rows.map((r) => r.phase), ['Registered', 'Registered', 'Registered'], 'every Character Registered');
    assert.ok(['victory', 'defeat'].includes(result.end.outcome), `the session ended (${JSON.stringify(result.end)})`);
    assert.equal(result.revokedKeyStatus, 401, 'a deleted Character’s key is revoked');
    assert.equal(result.leftAfterDelete, '', 'the Characters’ children are garbage-collected');
    say(`session ${result.sessionId}: ${result.end.outcome} (${result.end.reason}); keys revoked, children collected`);

    say('helm upgrade --reuse-values --set apiServer.config.logLevel=debug --wait');
    assert.match(await helm(['upgrade', release, chartDir, '-n', namespace, '--reuse-values', '--set', 'apiServer.config.logLevel=debug', '--wait', '--timeout', '5m']), /REVISION: 2/);
    const env = await kubectl(['get', 'deployment', `${release}-api-server`, '-n', namespace, '-o', 'jsonpath={.spec.template.spec.containers[0].env[?(@.name=="LOG_LEVEL")].value}']);
    assert.equal(env, 'debug', 'the upgrade rolled the new value out');
    await cleanUpCluster({ kubeconfig, release, namespace, playerNamespace, say });
    const left = (await kubectl(['get', 'deployments,statefulsets,services,secrets', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name'])).trim();
    assert.equal(left, '', 'helm uninstall removed the release');
    say('e2e-kind passed');
    return 0;
  } finally {
    if (process.env.KEEP_CLUSTER === '1') say(`keeping kind cluster ${cluster} (KUBECONFIG=${kubeconfig})`);
    else {
      say(`kind delete cluster --name ${cluster}`);
      await stream('kind', ['delete', 'cluster', '--name', cluster]).catch((e: Error) => say(e.message));
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`e2e-kind failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
