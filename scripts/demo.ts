// `make demo`: bring the platform up on this machine and say what runs where.
// Later stages install the chart, apply the example Characters and play a session.
import { startControlPlane, startPostgres, startRedis } from '@distributed-dungeon/testkit';

const hold = process.env.DEMO_HOLD !== '0' && process.stdout.isTTY;
const t0 = Date.now();
const say = (line: string) => console.log(`[demo ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);

say('starting PostgreSQL, Redis and the local Kubernetes control plane');
const [postgres, redis, kube] = await Promise.all([
  startPostgres(),
  startRedis(),
  startControlPlane({ progress: (l) => say(`control plane: ${l}`) }),
]);
const nodes = await kube.kubectl(['get', 'nodes', '-o', 'wide']);
console.log(`
What is running:
  Kubernetes ${kube.version}   ${kube.server}
    export KUBECONFIG=${kube.kubeconfigPath}
  PostgreSQL             ${postgres.adminUrl}
  Redis                  redis://default:***@${redis.host}:${redis.port}
  logs                   ${kube.workdir}

${nodes}`);

const stop = async () => {
  say('stopping everything');
  await Promise.all([kube.stop(), postgres.destroy(), redis.destroy()]);
  say('done');
};
if (hold) {
  say('up; press Ctrl-C to stop');
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  setInterval(() => undefined, 1 << 30);
} else {
  await stop();
}
