// e2e/local: the whole path on the run's local control plane (globalSetup). `helm install` the
// chart; run the operator and the api-server as processes with the configuration the chart gives
// their pods; `kubectl apply` the three example Characters and run their workloads as processes
// with the environment of the Deployments the operator made; play a session to its end; then
// `helm upgrade`, `kubectl delete character` and `helm uninstall`.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { characterIdFor } from '@distributed-dungeon/contracts';
import { makeWorkdir } from '@distributed-dungeon/testkit';
import { names } from '@distributed-dungeon/operator';
import { playExamples, type Adventure } from '../adventure.ts';
import { eventually, LocalPlatform, parseTable } from '../local-platform.ts';

const suffix = randomBytes(3).toString('hex');
const releaseNs = `dungeon-e2e-${suffix}`;
const playerNs = `player-e2e-${suffix}`;
let platform: LocalPlatform | undefined;
let adventure: Adventure | undefined;
let installOutput = '';
/** Tests that ran to their end; the logs are kept unless every one did (or DUNGEON_KEEP_LOGS=1). */
let passed = 0;
const TESTS = 5;

const p = (): LocalPlatform => {
  if (!platform) throw new Error('the platform did not start');
  return platform;
};

interface Owned {
  metadata: { name: string; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
  status?: { phase?: string };
}

beforeAll(async () => {
  const started = Date.now();
  platform = await LocalPlatform.start({
    kubeconfig: inject('kubeconfig'),
    postgresAdminUrl: inject('postgresAdminUrl'),
    redisUrl: inject('redisUrl'),
    namespace: releaseNs,
    playerNamespaces: [playerNs],
    workdir: makeWorkdir('e2e-local'),
  });
  console.log(`[e2e/local] chart installed, api-server and operator up in ${((Date.now() - started) / 1000).toFixed(1)}s; logs in ${platform.workdir}`);
});

afterAll(async () => {
  await adventure?.stop();
  await platform?.stop();
  if (!platform) return;
  const installed = (await platform.helm(['list', '-n', releaseNs, '-q'])).trim();
  if (installed) await platform.helm(['uninstall', platform.release, '-n', releaseNs, '--ignore-not-found']);
  await platform.kubectl(['delete', 'namespace', playerNs, releaseNs, '--ignore-not-found', '--wait=false']);
  if (passed === TESTS && process.env.DUNGEON_KEEP_LOGS !== '1') rmSync(platform.workdir, { recursive: true, force: true });
  else console.log(`[e2e/local] logs of the api-server, operator and characters kept in ${platform.workdir}`);
});

describe('e2e/local: the chart, the operator, the api-server and three characters on the local control plane', () => {
  it('helm install deploys the release with generated credentials; the chart operator is scaled to zero', async () => {
    installOutput = (await p().helm(['status', p().release, '-n', releaseNs])).trim();
    expect(installOutput).toContain('STATUS: deployed');
    expect(p().adminToken).toMatch(/^[A-Za-z0-9]{48}$/);
    const operator = await p().getJson<{ spec: { replicas: number } }>(['get', 'deployment', 'dungeon-operator', '-n', releaseNs]);
    expect(operator.spec.replicas).toBe(0);
    const ready = await fetch(`${p().apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    // The chart's default puts the admin API on a port of its own: the public port, the one
    // character pods reach, refuses the admin token; the admin port takes it.
    expect(p().adminUrl).not.toBe(p().apiUrl);
    const asAdmin = { headers: { authorization: `Bearer ${p().adminToken}` } };
    const refused = await fetch(`${p().apiUrl}/api/registry/characters`, asAdmin);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('auth.admin_port_only');
    expect((await fetch(`${p().adminUrl}/api/registry/characters`, asAdmin)).status).toBe(200);
    passed++;
  });

  it('applied Characters get their owned objects, show Registered in kubectl get characters, and play a session to its end', async () => {
    const lines: string[] = [];
    adventure = await playExamples(p(), { namespace: playerNs, redisUrl: inject('redisUrl'), sessionName: 'e2e', onLine: (l) => lines.push(l) });

    // Registered, in the PHASE column, with the session the registry assigned.
    const rows = parseTable(adventure.registeredTable);
    expect(rows.map((r) => [r.name, r.class, r.phase]).sort()).toEqual([
      ['elara-moonwhisper', 'wizard', 'Registered'],
      ['thorin-ironbeard', 'fighter', 'Registered'],
      ['vex-shadowstep', 'rogue', 'Registered'],
    ]);
    const statuses = await p().getJson<{ items: { metadata: { name: string; uid: string }; status: { sessionId?: string } }[] }>(['get', 'characters', '-n', playerNs]);
    for (const c of statuses.items) expect(c.status.sessionId).toBe(adventure.sessionId);

    // Every child is owned by its Character.
    for (const c of statuses.items) {
      const n = c.metadata.name;
      const children: [string, string][] = [
        ['deployment', names.deployment(n)], ['service', names.service(n)], ['persistentvolumeclaim', names.pvc(n)],
        ['networkpolicy', names.networkPolicy(n)], ['secret', names.secret(n)], ['configmap', names.configMap(n)],
        ['serviceaccount', names.serviceAccount(n)],
      ];
      for (const [kind, name] of children) {
        const obj = await p().getJson<Owned>(['get', kind, name, '-n', playerNs]);
        expect(obj.metadata.ownerReferences, `${kind}/${name}`).toEqual([expect.objectContaining({ kind: 'Character', name: n, uid: c.metadata.uid, controller: true })]);
      }
      const pvc = await p().getJson<Owned>(['get', 'persistentvolumeclaim', names.pvc(n), '-n', playerNs]);
      expect(pvc.status?.phase).toBe('Bound');
    }
    const quota = await p().getJson<{ spec: { hard: Record<string, string> } }>(['get', 'resourcequota', names.resourceQuota, '-n', playerNs]);
    expect(quota.spec.hard.pods).toBe('20');
    expect((await p().kubectl(['get', 'limitrange', names.limitRange, '-n', playerNs, '-o', 'name'])).trim()).toBe(`limitrange/${names.limitRange}`);

    // The workloads ran with what the Deployments gave them: the in-cluster registry address
    // (reached through the local stand-in of the Service), the key from the credentials Secret.
    for (const w of adventure.workloads) {
      expect(w.characterId).toBe(characterIdFor(playerNs, w.name));
      expect(w.env.DUNGEON_API_KEY).toMatch(/\S{20,}/);
      expect(w.env.CONFIG_DIR).not.toBe('/config');
    }

    // The session was played to the end: fights happened and the api-server closed it.
    expect(['victory', 'defeat']).toContain(adventure.end.outcome);
    const types = new Set(adventure.events.map((e) => e.type));
    expect(types).toContain('combat.started');
    expect(types).toContain('system.session_closed');
    expect(lines.some((l) => l.startsWith('🏁 the session ends'))).toBe(true);
    const session = await (await fetch(`${p().adminUrl}/api/sessions/${adventure.sessionId}`, { headers: { authorization: `Bearer ${p().adminToken}` } })).json() as { status: string };
    expect(session.status).toBe('closed');
    console.log(`[e2e/local] session ${adventure.sessionId}: ${adventure.end.outcome} (${adventure.end.reason}), ${adventure.events.length} events`);
    passed++;
  });

  it('helm upgrade with a changed value keeps the credentials and rolls the operator onto the new policy', async () => {
    const before = await p().getJson<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(['get', 'deployment', 'dungeon-operator', '-n', releaseNs]);
    const out = await p().upgrade({ characterPolicy: { quota: { pods: 25 } } });
    expect(out).toMatch(/REVISION: 2/);
    const after = await p().getJson<typeof before>(['get', 'deployment', 'dungeon-operator', '-n', releaseNs]);
    expect(after.spec.template.metadata.annotations['checksum/policy']).not.toBe(before.spec.template.metadata.annotations['checksum/policy']);
    const auth = await p().getJson<{ data: Record<string, string> }>(['get', 'secret', 'dungeon-auth', '-n', releaseNs]);
    expect(Buffer.from(auth.data['admin-token']!, 'base64').toString('utf8')).toBe(p().adminToken);
    // The pod template changed, so the operator's pods are replaced: the process is too.
    await p().restartOperator();
    const pods = await eventually('ResourceQuota pods=25 from the upgraded policy', async () => {
      const q = await p().getJson<{ spec: { hard: Record<string, string> } }>(['get', 'resourcequota', names.resourceQuota, '-n', playerNs]);
      return q.spec.hard.pods === '25' ? q.spec.hard.pods : undefined;
    }, 60_000, 500);
    expect(pods).toBe('25');
    passed++;
  });

  it('kubectl delete character revokes the key and garbage-collects the children', async () => {
    const a = adventure!;
    for (const w of a.workloads) {
      await p().kubectl(['delete', 'character', w.name, '-n', playerNs, '--wait=true', '--timeout=90s']);
      // The pod goes with its Deployment: the kubelet stops the container.
      await p().stopCharacter(w);
      const res = await fetch(`${p().apiUrl}/api/registry/character`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.env.DUNGEON_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ characterId: w.characterId, name: w.name, class: 'fighter', level: 3, containerEndpoint: w.env.CHARACTER_ENDPOINT, capabilities: ['combat'], version: '1.0.0' }),
      });
      expect(res.status, `registering ${w.name} with its old key`).toBe(401);
    }
    const left = await eventually('the children to be garbage-collected', async () => {
      const out = (await p().kubectl(['get', 'deployments,services,persistentvolumeclaims,networkpolicies,secrets,configmaps,serviceaccounts', '-n', playerNs, '-l', 'app.kubernetes.io/managed-by=dungeon-operator,app.kubernetes.io/name=character', '-o', 'name'])).trim();
      return out === '' ? 'none' : undefined;
    }, 90_000, 1000);
    expect(left).toBe('none');
    expect((await p().kubectl(['get', 'characters', '-n', playerNs, '-o', 'name'])).trim()).toBe('');
    const registry = await (await fetch(`${p().adminUrl}/api/registry/characters`, { headers: { authorization: `Bearer ${p().adminToken}` } })).json() as { items: { characterId: string; status: string }[] };
    for (const w of a.workloads) expect(registry.items.find((r) => r.characterId === w.characterId)?.status ?? 'gone').not.toBe('registered');
    passed++;
  });

  it('helm uninstall removes the release and keeps the CRD', async () => {
    await p().stop();
    await p().uninstall();
    const left = (await p().kubectl(['get', 'deployments,statefulsets,secrets,services,configmaps', '-n', releaseNs, '-l', 'app.kubernetes.io/instance=dungeon', '-o', 'name'])).trim();
    expect(left).toBe('');
    expect((await p().helm(['list', '-n', releaseNs, '-q'])).trim()).toBe('');
    expect((await p().kubectl(['get', 'crd', 'characters.distributed-dungeon.io', '-o', 'name'])).trim()).toContain('characters.distributed-dungeon.io');
    passed++;
  });
});
