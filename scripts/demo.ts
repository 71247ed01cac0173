// `make demo`: the platform end to end, from a fresh clone, with progress output.
//   - your own cluster, when `kubectl cluster-info` reaches one and DUNGEON_IMAGE_REGISTRY names
//     a registry it pulls from (the images are built and pushed there when Docker works);
//   - else kind, when Docker and kind work (images built and loaded into a `dungeon-demo` cluster);
//   - else the real node of this repository (testkit/src/node.ts: containerd, kubelet, our images
//     built with podman and pushed to its registry), every component and character a real pod;
//   - else, only when the node's programs are missing (or DEMO_MODE=local), the local control
//     plane with a kwok node: the chart is installed for real and, since kwok's pods are fake, the
//     operator, the api-server and the three example characters run as processes with the
//     environment their pods would get.
// It installs the chart, applies the example Characters, prints `kubectl get characters` as they
// come up and the adventure as it happens, and when the session ends cleans up and exits 0.
//
// Environment: DEMO_MODE=node|local|kind|cluster (force a path), DUNGEON_IMAGE_REGISTRY,
// DEMO_TIMEOUT_MS (session timeout, 600000), DEMO_HOLD=1 (local: keep everything up after the
// session until Ctrl-C), DUNGEON_KEEP_LOGS=1 (keep the processes' logs).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  controlPlaneBinDir,
  missingNodePrograms,
  makeWorkdir,
  startControlPlane,
  startPostgres,
  startRedis,
  type ControlPlane,
  type PostgresServer,
  type RedisServer,
} from '@distributed-dungeon/testkit';
import {
  chooseDemoPath,
  cleanUpCluster,
  clusterStatus,
  dockerStatus,
  kindStatus,
  LocalPlatform,
  playExamples,
  playOnNode,
  runOnCluster,
  startNodePlatform,
  stream,
  type Adventure,
} from '@distributed-dungeon/e2e';

const t0 = Date.now();
const clock = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
const say = (line: string) => console.log(`[demo ${clock()}] ${line}`);
const tell = (line: string) => console.log(`[${clock()}]   ${line}`);
const table = (t: string) => console.log(`\n  $ kubectl get characters\n${t.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')}\n`);
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS || 600_000);
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

async function onLocalControlPlane(): Promise<number> {
  const workdir = makeWorkdir('demo');
  say('starting PostgreSQL and Redis (stand-ins for the chart\'s bundled ones) and the local Kubernetes control plane');
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let kube: ControlPlane | undefined;
  let platform: LocalPlatform | undefined;
  let adventure: Adventure | undefined;
  const stopAll = async () => {
    await adventure?.stop().catch(() => undefined);
    await platform?.stop();
    await Promise.all([kube?.stop(), postgres?.destroy(), redis?.destroy()]);
  };
  try {
    [postgres, redis, kube] = await Promise.all([
      startPostgres(),
      startRedis(),
      startControlPlane({ progress: (l) => say(`control plane: ${l}`) }),
    ]);
    say(`Kubernetes ${kube.version} on ${kube.server} (one kwok node); to look around meanwhile: export KUBECONFIG=${kube.kubeconfigPath}`);
    platform = await LocalPlatform.start({
      kubeconfig: kube.kubeconfigPath,
      postgresAdminUrl: postgres.adminUrl,
      redisUrl: redis.url,
      namespace: 'dungeon-system',
      playerNamespaces: ['player-demo'],
      workdir,
      progress: say,
    });
    // helm's status and the top of NOTES.txt: what runs where.
    const notes = platform.installOutput.split('\n');
    const upTo = notes.findIndex((l) => l.startsWith('1. '));
    console.log(notes.slice(0, upTo > 0 ? upTo : 12).filter((l) => l.trim()).map((l) => `  ${l}`).join('\n'));
    say('the adventure, as it happens (logs of every process in ' + workdir + '):');
    adventure = await playExamples(platform, {
      namespace: 'player-demo',
      redisUrl: redis.url,
      sessionName: 'demo',
      onLine: tell,
      onTable: table,
      progress: say,
      timeoutMs,
    });
    await new Promise((r) => setTimeout(r, 1500)); // the last loot lands just after the final blow
    await adventure.stop();
    table(await platform.characterTable('player-demo'));
    say(`the session ended in ${adventure.end.outcome} after ${elapsed()}: ${adventure.end.reason}`);

    if (process.env.DEMO_HOLD === '1') {
      say(`still up: export KUBECONFIG=${kube.kubeconfigPath}; api-server ${platform.apiUrl} (characters), admin API and game-master sign-in ${platform.adminUrl}. Ctrl-C stops everything.`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    say('kubectl delete characters --all -n player-demo: the finalizer revokes each key, garbage collection removes the rest');
    const deleting = platform.kubectl(['delete', 'characters', '--all', '-n', 'player-demo', '--wait=true', '--timeout=90s']);
    await Promise.all(adventure.workloads.map((w) => platform!.stopCharacter(w)));
    await deleting;
    await platform.stop();
    await platform.uninstall();
    say('helm uninstall done; stopping the control plane, Redis and PostgreSQL');
    await stopAll();
    if (process.env.DUNGEON_KEEP_LOGS !== '1') rmSync(workdir, { recursive: true, force: true });
    say(`done in ${elapsed()}`);
    return 0;
  } catch (error) {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    say(`logs of the api-server, the operator and the characters are in ${workdir}`);
    await stopAll().catch(() => undefined);
    return 1;
  }
}

async function onRealNode(why: string): Promise<number> {
  say(`using the real node: ${why}`);
  let platform: Awaited<ReturnType<typeof startNodePlatform>> | undefined;
  try {
    platform = await startNodePlatform({ say, release: 'dungeon-demo', namespace: 'dungeon-demo' });
    say(`the platform runs as real pods; to look around meanwhile: export KUBECONFIG=${platform.kubeconfig}  (DUNGEON_REGISTRY=${platform.registry})`);
    say((await platform.node.cluster.kubectl(['get', 'pods', '-A', '-o', 'wide'])).trimEnd());
    const result = await playOnNode(platform, { playerNamespace: 'player-demo', say, onLine: tell, onTable: table, timeoutMs });
    say(`the session ${result.sessionId} ended in ${result.end.outcome} after ${elapsed()}: ${result.end.reason}`);
    if (process.env.DEMO_HOLD === '1') {
      say(`still up: export KUBECONFIG=${platform.kubeconfig}. Ctrl-C stops everything.`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return 0;
  } catch (error) {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    if (platform) say(`the node's logs are in ${platform.node.workdir}`);
    return 1;
  } finally {
    say('helm uninstall; stopping the node (containers, mounts, network namespace) and the control plane');
    await platform?.stop().catch((e: Error) => say(e.message));
    say(`done in ${elapsed()}`);
  }
}

async function onCluster(kind: boolean, why: string): Promise<number> {
  const name = 'dungeon-demo';
  const base = { release: name, namespace: name, playerNamespace: 'player-demo', say };
  let kubeconfig: string | undefined;
  if (kind) {
    kubeconfig = join(makeWorkdir('demo-kind'), 'kubeconfig');
    say(`using kind (${why}): kind create cluster --name ${name}`);
    await stream('kind', ['create', 'cluster', '--name', name, '--kubeconfig', kubeconfig, '--wait', '180s']);
  } else {
    say(`using your cluster (${why}); the demo installs release ${name} into namespace ${name} and removes it at the end`);
  }
  try {
    const result = await runOnCluster({
      ...base,
      kubeconfig,
      kindCluster: kind ? name : undefined,
      imageRegistry: kind ? undefined : process.env.DUNGEON_IMAGE_REGISTRY,
      buildImages: kind || (await dockerStatus()).ok,
      onLine: tell,
      onTable: table,
      timeoutMs,
    });
    say(`the session ${result.sessionId} ended in ${result.end.outcome} after ${elapsed()}: ${result.end.reason}`);
    return 0;
  } catch (error) {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await cleanUpCluster({ ...base, kubeconfig });
    if (kind && process.env.KEEP_CLUSTER !== '1') await stream('kind', ['delete', 'cluster', '--name', name]).catch((e: Error) => say(e.message));
  }
}

async function main(): Promise<number> {
  say('looking for a cluster of yours, Docker and kind');
  const [cluster, docker, kind] = await Promise.all([clusterStatus(join(controlPlaneBinDir(), 'kubectl')), dockerStatus(), kindStatus()]);
  const path = chooseDemoPath({ cluster, docker, kind }, process.env);
  if (path.kind === 'cluster') return onCluster(false, path.why);
  if (path.kind === 'kind') return onCluster(true, path.why);
  const missing = missingNodePrograms();
  if (process.env.DEMO_MODE === 'node' || (process.env.DEMO_MODE !== 'local' && missing.length === 0)) return onRealNode(path.why);
  say(`using the local control plane with kwok (processes stand in for pods): ${path.why}; ${process.env.DEMO_MODE === 'local' ? 'DEMO_MODE=local' : `the real node needs ${missing.join(', ')} (scripts/node-deps.sh installs them)`}`);
  return onLocalControlPlane();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
