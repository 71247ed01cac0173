// The bundle the image runs (build/bundle.ts), run as the image runs it: copied out of the
// repository, so no node_modules can be found beside it, started with the chart's Node flags, a
// YAML policy file and a kubeconfig (both parsed by the bundled yaml). It must sync its caches and
// provision a Character with the policy's resources: a dependency the bundle failed to carry, or
// one it carried in a shape that does not work (a CommonJS package behind a dynamic import has
// only a default export there), fails here rather than in a pod.
import type {} from '@distributed-dungeon/testkit'; // brings the inject() declarations
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '@distributed-dungeon/api-server';
import { freePort, makeWorkdir, startProcess, type ManagedProcess } from '@distributed-dungeon/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleDir, bundleOperator } from '../build/bundle.ts';
import { KubeClient } from '../src/kube/client.ts';
import { ADMIN_TOKEN, applyCrd, characterYaml, createNamespace, getOrUndefined, kubectl, startRegistry, waitFor } from './harness.ts';

const ns = 'bundled';
const POLICY_YAML = `# as the chart renders it
resources:
  default:
    requests: { cpu: 10m, memory: 32Mi }
    limits: { cpu: 100m, memory: 48Mi }
  max: { cpu: "1", memory: 1Gi }
`;
let client: KubeClient;
let api: RunningServer;
let operator: ManagedProcess | undefined;

beforeAll(async () => {
  client = KubeClient.load(inject('kubeconfig'));
  await applyCrd(inject('kubeconfig'));
  api = await startRegistry(inject('postgresAdminUrl'), inject('redisUrl'));
  await createNamespace(client, ns);
}, 120_000);

afterAll(async () => {
  if (operator) {
    operator.child.kill('SIGTERM');
    await operator.exited;
  }
  client?.close();
  await api?.stop();
});

interface Deployment {
  spec: { template: { spec: { containers: { resources?: { limits?: Record<string, string> } }[] } } };
}

describe('the bundled operator', () => {
  it('runs alone outside the repository: syncs, reads the YAML policy, provisions a Character', async () => {
    const workdir = makeWorkdir('operator-bundle');
    await bundleOperator();
    const dir = join(workdir, 'bundle');
    cpSync(bundleDir, dir, { recursive: true });
    const policyFile = join(workdir, 'policy.yaml');
    writeFileSync(policyFile, POLICY_YAML);
    const port = await freePort();
    operator = startProcess('bundled-operator', process.execPath, ['--max-old-space-size=128', '--max-semi-space-size=2', join(dir, 'main.mjs')], {
      logFile: join(workdir, 'operator.log'),
      cwd: workdir,
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: inject('kubeconfig'),
        DUNGEON_REGISTRY_URL: api.url,
        DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
        OPERATOR_PORT: String(port),
        OPERATOR_POLICY_FILE: policyFile,
        // Its own namespace only and no Lease: other suites' operators share this control plane.
        OPERATOR_NAMESPACES: ns,
        OPERATOR_LEADER_ELECTION: 'false',
        LOG_LEVEL: 'info',
      },
    });
    await waitFor('the bundle syncs its caches', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return res?.status === 200;
    }, 60_000);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^dungeon_operator_/m);

    const res = await kubectl(inject('kubeconfig'), ['apply', '-f', '-'], characterYaml(ns, 'bundled', { displayName: 'Bundled', class: 'wizard', level: 1, image: 'registry.example/b/bundled:1.0.0' }));
    expect(res.code, res.stderr).toBe(0);
    const deployment = await waitFor('the Character\'s Deployment', () => getOrUndefined<Deployment>(client, `/apis/apps/v1/namespaces/${ns}/deployments/bundled`), 60_000);
    expect(deployment.spec.template.spec.containers[0]?.resources?.limits?.memory).toBe('48Mi');
  }, 180_000);
});
