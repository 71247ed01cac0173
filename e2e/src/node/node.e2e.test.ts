// e2e/node: the product on a real node. The globalSetup brought up kubelet, containerd, kube-proxy,
// kube-router and CoreDNS beside a control plane, built our images from our Dockerfiles, pushed
// them to the node's registry and `helm install`ed the chart from there. Here: the platform's pods
// and three example Characters as real containers, a session played to its end, the security
// claims checked from inside pods, volumes, failures and leader election.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, NODE_NAME, Narrator, type SessionEnd } from '@distributed-dungeon/testkit';
import { helmBin, kubectlBin, runTool } from '../../../charts/dungeon/src/chart.ts';
import { ADMIN_PORT, API_PORT, portForward } from '../kind/cluster-flow.ts';
import { EXAMPLES, parseTable } from '../local-platform.ts';
import { APP_VERSION, exampleCharacter } from './node-platform.ts';
import './provided.ts';

const run = promisify(execFile);
const kubeconfig = inject('nodeKubeconfig');
const registry = inject('nodeRegistry');
const ns = inject('nodeNamespace');
const release = inject('nodeRelease');
const player = 'player-node';
const kubectl = async (args: string[], input?: string) => (await runTool(kubectlBin(), args, { kubeconfig, input })).stdout;
const json = async <T>(args: string[]) => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;

interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; imageID?: string; restartCount: number; lastState?: { terminated?: { reason?: string } } }[];
  };
}
interface Character { status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] } }

const ready = (p: Pod) => p.status.phase === 'Running' && (p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
const pods = async (namespace: string, selector?: string) =>
  (await json<{ items: Pod[] }>(['get', 'pods', '-n', namespace, ...(selector ? ['-l', selector] : [])])).items;
const characterPod = async (name: string) => {
  const list = (await pods(player, `app.kubernetes.io/instance=${name}`)).filter(ready);
  return list[0];
};
/** Runs `node -e script` in the character's container; resolves with stdout. */
const nodeIn = async (namespace: string, pod: string, script: string, container?: string) =>
  (await kubectl(['exec', '-n', namespace, pod, ...(container ? ['-c', container] : []), '--', 'node', '-e', script])).trim();
/** A TCP connect from inside a pod: 'open', or why not, within 3 s. */
const connectScript = (host: string, port: number) =>
  `const s=require('net').connect(${port},${JSON.stringify(host)});s.setTimeout(3000);` +
  `s.on('connect',()=>{console.log('open');s.destroy()});s.on('timeout',()=>{console.log('timeout');s.destroy()});s.on('error',e=>console.log(e.code))`;

const secret = async (name: string, key: string) => {
  const s = await json<{ data: Record<string, string> }>(['get', 'secret', name, '-n', ns]);
  return Buffer.from(s.data[key] ?? '', 'base64').toString('utf8');
};

let apiForward: { port: number; stop: () => void } | undefined;
let adminForward: { port: number; stop: () => void } | undefined;
let redisForward: { port: number; stop: () => void } | undefined;
let narrator: Narrator | undefined;
let sessionEnd: Promise<SessionEnd> | undefined;
let sessionId = '';

beforeAll(async () => {
  // The chart opened and created the player namespace (players.namespaces).
  await kubectl(['label', '--overwrite', 'namespace', player, 'pod-security.kubernetes.io/enforce=restricted']);
  apiForward = await portForward(kubeconfig, ns, `svc/${release}-api-server`, API_PORT);
  adminForward = await portForward(kubeconfig, ns, `svc/${release}-api-server`, ADMIN_PORT);
  redisForward = await portForward(kubeconfig, ns, `svc/${release}-redis`, 6379);
});

afterAll(async () => {
  await narrator?.stop();
  apiForward?.stop();
  adminForward?.stop();
  redisForward?.stop();
  await kubectl(['delete', 'characters', '--all', '-n', player, '--wait=true', '--timeout=120s']).catch(() => undefined);
  await kubectl(['delete', 'namespace', player, 'player-copycat', '--ignore-not-found', '--wait=false']).catch(() => undefined);
});

describe('e2e/node: the platform on a real node', () => {
  it('runs every platform pod Running and Ready on the real node, images pulled from the local registry', async () => {
    const platform = [...await pods(ns), ...await pods('kube-system')];
    const components = new Set(platform.map((p) => p.metadata.labels?.['app.kubernetes.io/component'] ?? p.metadata.labels?.['k8s-app']));
    expect(components).toEqual(new Set(['api-server', 'operator', 'redis', 'postgresql', 'kube-dns']));
    expect(platform.filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'api-server')).toHaveLength(2);
    expect(platform.filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'operator')).toHaveLength(2);
    for (const p of platform) {
      expect({ pod: p.metadata.name, ready: ready(p), node: p.spec.nodeName }).toEqual({ pod: p.metadata.name, ready: true, node: NODE_NAME });
      for (const c of p.spec.containers) expect(c.image.startsWith(`${registry}/`), `${p.metadata.name}: ${c.image}`).toBe(true);
      for (const s of p.status.containerStatuses ?? []) expect(s.imageID, `${p.metadata.name}`).toContain(registry);
    }
    console.log(await kubectl(['get', 'pods', '-A', '-o', 'wide']));
  });

  it('plays a session to its end with the three example characters as containers, each Registered', async () => {
    const adminToken = await secret(`${release}-auth`, 'admin-token');
    const redisPassword = await secret(`${release}-redis`, 'password');
    const open = (port: number) => fetch(`http://127.0.0.1:${port}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `node-${Date.now().toString(36)}`, name: 'node' }),
    });
    // The chart's default: the admin API on its own port; the public one refuses the token.
    const refused = await open(apiForward!.port);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('auth.admin_port_only');
    const res = await open(adminForward!.port);
    expect(res.status).toBe(201);
    sessionId = ((await res.json()) as { id: string }).id;
    const lines: string[] = [];
    narrator = new Narrator({ redisUrl: `redis://dungeon-admin:${encodeURIComponent(redisPassword)}@127.0.0.1:${redisForward!.port}`, sessionId, onLine: (l) => lines.push(l) });
    await narrator.start();
    sessionEnd = narrator.ended;
    for (const e of EXAMPLES) {
      const doc = exampleCharacter(registry, e);
      doc.spec.session = sessionId;
      await kubectl(['apply', '-n', player, '-f', '-'], JSON.stringify(doc));
    }
    const table = await eventually('every Character Registered', async () => {
      const t = await kubectl(['get', 'characters', '-n', player]);
      const rows = parseTable(t);
      return rows.length === EXAMPLES.length && rows.every((r) => r.phase === 'Registered') ? t : undefined;
    }, 300_000, 2000);
    console.log(table);
    for (const e of EXAMPLES) {
      const pod = await characterPod(e.name);
      expect(pod?.spec.nodeName).toBe(NODE_NAME);
      expect(pod?.spec.containers[0]?.image).toBe(`${registry}/distributed-dungeon/example-${e.example}:1.0.0`);
    }
    const end = await Promise.race([
      sessionEnd,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`session ${sessionId} did not end in 10 minutes; narration:\n${lines.slice(-20).join('\n')}`)), 600_000).unref()),
    ]);
    console.log(lines.join('\n'));
    expect(['victory', 'defeat']).toContain(end.outcome);
  });

  it('runs a character container as uid 1000 with a read-only root and a writable /data', async () => {
    const pod = (await characterPod(EXAMPLES[0].name))!;
    const out = await nodeIn(player, pod.metadata.name, [
      "const fs=require('fs');",
      "let root='written';try{fs.writeFileSync('/probe','x')}catch(e){root=e.code}",
      "fs.writeFileSync('/data/probe','x');const data=fs.readFileSync('/data/probe','utf8');",
      'console.log(JSON.stringify({uid:process.getuid(),root,data}))',
    ].join(''));
    expect(JSON.parse(out)).toEqual({ uid: 1000, root: 'EROFS', data: 'x' });
  });

  it('enforces NetworkPolicy: a character reaches the api-server\'s public port and Redis, never its admin port or PostgreSQL', async () => {
    const pod = (await characterPod(EXAMPLES[0].name))!;
    const probe = (svc: string, port: number) => nodeIn(player, pod.metadata.name, connectScript(`${release}-${svc}.${ns}.svc.cluster.local`, port));
    expect(await probe('api-server', API_PORT)).toBe('open');
    expect(await probe('redis', 6379)).toBe('open');
    // kube-router rejects what the policy does not allow.
    expect(['timeout', 'ECONNREFUSED']).toContain(await probe('postgresql', 5432));
    expect(['timeout', 'ECONNREFUSED']).toContain(await probe('api-server', ADMIN_PORT));
    // The same Service from an api-server pod: PostgreSQL is up, only the character is kept out.
    const api = (await pods(ns, 'app.kubernetes.io/component=api-server')).find(ready)!;
    const fromApi = await kubectl(['exec', '-n', ns, api.metadata.name, '--', '/nodejs/bin/node', '-e', connectScript(`${release}-postgresql.${ns}.svc.cluster.local`, 5432)]);
    expect(fromApi.trim()).toBe('open');
    // And the admin port is open to the api-server's own pods: only the character is kept out.
    const adminFromApi = await kubectl(['exec', '-n', ns, api.metadata.name, '--', '/nodejs/bin/node', '-e', connectScript(`${release}-api-server.${ns}.svc.cluster.local`, ADMIN_PORT)]);
    expect(adminFromApi.trim()).toBe('open');
  });

  it('keeps a pod in another namespace that copies a character\'s labels away from Redis and the admin routes', async () => {
    const source = (await characterPod(EXAMPLES[0].name))!;
    await kubectl(['create', 'namespace', 'player-copycat']);
    const labels = source.metadata.labels ?? {};
    await kubectl(['apply', '-n', 'player-copycat', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'copycat', labels },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'copycat', image: `${registry}/distributed-dungeon/character-base:${APP_VERSION}`,
          command: ['node', '-e', 'setInterval(() => undefined, 1 << 30)'],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        }],
      },
    }));
    await eventually('the copycat pod Ready', async () => ((await pods('player-copycat')).some(ready) ? true : undefined), 120_000, 1000);
    const probe = (svc: string, port: number) => nodeIn('player-copycat', 'copycat', connectScript(`${release}-${svc}.${ns}.svc.cluster.local`, port));
    expect(['timeout', 'ECONNREFUSED']).toContain(await probe('redis', 6379));
    const admin = await nodeIn('player-copycat', 'copycat',
      `fetch('http://${release}-api-server.${ns}.svc.cluster.local:${API_PORT}/api/registry/keys',{method:'POST',signal:AbortSignal.timeout(3000)}).then(r=>console.log(r.status),e=>console.log(e.name))`);
    // No HTTP status at all: the connection never got through.
    expect(['TimeoutError', 'TypeError']).toContain(admin);
  });

  it('resumes a deleted character pod with the same /data', async () => {
    const name = EXAMPLES[1].name;
    const before = (await characterPod(name))!;
    const marker = `memory-${Date.now()}`;
    await nodeIn(player, before.metadata.name, `require('fs').writeFileSync('/data/e2e-marker', ${JSON.stringify(marker)})`);
    await kubectl(['delete', 'pod', '-n', player, before.metadata.name, '--wait=true']);
    const after = await eventually('a new pod Ready', async () => {
      const p = await characterPod(name);
      return p && p.metadata.name !== before.metadata.name ? p : undefined;
    }, 180_000, 1000);
    expect(await nodeIn(player, after.metadata.name, "process.stdout.write(require('fs').readFileSync('/data/e2e-marker','utf8'))")).toBe(marker);
  });

  it('suspend: true removes the pod and keeps the volume; resuming restores the state', async () => {
    const name = EXAMPLES[2].name;
    const pod = (await characterPod(name))!;
    await nodeIn(player, pod.metadata.name, "require('fs').writeFileSync('/data/e2e-suspend', 'kept')");
    await kubectl(['patch', 'character', name, '-n', player, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    await eventually('the pod gone', async () => ((await pods(player, `app.kubernetes.io/instance=${name}`)).length === 0 ? true : undefined), 120_000, 1000);
    const pvc = await json<{ status: { phase: string } }>(['get', 'pvc', `${name}-data`, '-n', player]);
    expect(pvc.status.phase).toBe('Bound');
    await eventually('phase Suspended', async () => ((await json<Character>(['get', 'character', name, '-n', player])).status?.phase === 'Suspended' ? true : undefined), 60_000, 1000);
    await kubectl(['patch', 'character', name, '-n', player, '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    const back = await eventually('the pod back', async () => characterPod(name), 180_000, 1000);
    expect(await nodeIn(player, back.metadata.name, "process.stdout.write(require('fs').readFileSync('/data/e2e-suspend','utf8'))")).toBe('kept');
  });

  it('reports a missing image as ImagePullFailed, a module that throws as CrashLooping and an OOM kill in a condition', async () => {
    const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: inject('nodeRegistriesConf') };
    const image = async (tag: string, code: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'dungeon-bad-'));
      writeFileSync(join(dir, 'character.cjs'), code);
      writeFileSync(join(dir, 'Dockerfile'), `FROM ${registry}/distributed-dungeon/character-base:${APP_VERSION}\nCOPY character.cjs /app/character/character.cjs\n`);
      const ref = `${registry}/e2e/${tag}:1.0.0`;
      await run('podman', ['build', '--quiet', '--pull=never', '--tag', ref, dir], { env });
      await run('podman', ['push', '--quiet', ref], { env });
      return ref;
    };
    const thrower = await image('thrower', "throw new Error('this module fails at start');\n");
    const hog = await image('hog', 'const hog = []; for (;;) hog.push(Buffer.alloc(8 << 20, 1));\n');
    const character = (name: string, img: string, extra: Record<string, unknown> = {}) => JSON.stringify({
      apiVersion: 'distributed-dungeon.io/v1alpha1', kind: 'Character',
      metadata: { name },
      spec: { displayName: name, class: 'fighter', level: 1, image: img, capabilities: ['combat'], storage: { size: '16Mi' }, ...extra },
    });
    await kubectl(['apply', '-n', player, '-f', '-'], character('missing-image', `${registry}/e2e/does-not-exist:1.0.0`));
    await kubectl(['apply', '-n', player, '-f', '-'], character('thrower', thrower));
    await kubectl(['apply', '-n', player, '-f', '-'], character('hog', hog, { resources: { limits: { memory: '128Mi' }, requests: { memory: '64Mi' } } }));
    // Problems are reasons of the stable Degraded condition (operator/README.md, "Status conditions").
    const degraded = (name: string, reason: string) => eventually(`${name}: Degraded=True ${reason}`, async () => {
      const c = await json<Character>(['get', 'character', name, '-n', player]);
      return c.status?.conditions?.find((x) => x.type === 'Degraded' && x.status === 'True' && x.reason === reason);
    }, 240_000, 2000);
    expect((await degraded('missing-image', 'ImagePullFailed')).message).toContain('does-not-exist');
    expect((await degraded('thrower', 'CrashLooping')).message).toContain('CrashLoopBackOff');
    const oom = await degraded('hog', 'OOMKilled');
    const hogPod = (await pods(player, 'app.kubernetes.io/instance=hog'))[0]!;
    expect(hogPod.status.containerStatuses?.[0]?.lastState?.terminated?.reason).toBe('OOMKilled');
    expect(oom.message).toContain('OOMKilled');
    await kubectl(['delete', 'characters', 'missing-image', 'thrower', 'hog', '-n', player, '--wait=true', '--timeout=120s']);
  });

  it('hands leadership to the standby operator within 15 s of deleting the leader, which then reconciles a change', async () => {
    const leaseName = `${release}-operator`;
    const lease = await json<{ spec: { holderIdentity?: string } }>(['get', 'lease', leaseName, '-n', ns]);
    const leader = lease.spec.holderIdentity ?? '';
    const operatorPods = await pods(ns, 'app.kubernetes.io/component=operator');
    const leaderPod = operatorPods.find((p) => leader.includes(p.metadata.name));
    expect(leaderPod, `lease holder ${leader} among ${operatorPods.map((p) => p.metadata.name).join(', ')}`).toBeDefined();
    await kubectl(['delete', 'pod', '-n', ns, leaderPod!.metadata.name, '--wait=false']);
    const deleted = Date.now();
    const next = await eventually('a new lease holder', async () => {
      const l = await json<{ spec: { holderIdentity?: string } }>(['get', 'lease', leaseName, '-n', ns]);
      const holder = l.spec.holderIdentity ?? '';
      return holder && !holder.includes(leaderPod!.metadata.name) ? holder : undefined;
    }, 15_000, 500);
    console.log(`[e2e/node] ${next} leads ${((Date.now() - deleted) / 1000).toFixed(1)}s after the leader pod was deleted`);
    const name = EXAMPLES[0].name;
    await kubectl(['patch', 'character', name, '-n', player, '--type=merge', '-p', '{"spec":{"config":{"version":"2.0.0","e2e":"after-failover"}}}']);
    await eventually('the ConfigMap updated by the new leader', async () => {
      const cm = await json<{ data?: Record<string, string> }>(['get', 'configmap', `${name}-config`, '-n', player]);
      return Object.values(cm.data ?? {}).some((v) => v.includes('after-failover')) ? true : undefined;
    }, 60_000, 1000);
    await runTool(helmBin(), ['status', release, '-n', ns], { kubeconfig });
  });
});
