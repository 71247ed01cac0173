// One session on the real node, as `make demo` shows it: open a session through a port-forward
// to the api-server, apply the three example Characters (images from the node's registry), print
// `kubectl get characters` as it changes and the adventure from Redis, then delete them.
import { eventually, Narrator, type SessionEnd } from '@distributed-dungeon/testkit';
import { kubectlBin, runTool } from '../../../charts/dungeon/src/chart.ts';
import { ADMIN_PORT, portForward } from '../kind/cluster-flow.ts';
import { EXAMPLES, parseTable } from '../local-platform.ts';
import { exampleCharacter, type NodePlatform } from './node-platform.ts';

export async function playOnNode(p: NodePlatform, o: {
  playerNamespace: string; say: (l: string) => void; onLine: (l: string) => void; onTable: (t: string) => void; timeoutMs: number;
}): Promise<{ sessionId: string; end: SessionEnd }> {
  const kubectl = async (args: string[], input?: string) => (await runTool(kubectlBin(), args, { kubeconfig: p.kubeconfig, input })).stdout;
  const secret = async (name: string, key: string) => {
    const s = JSON.parse(await kubectl(['get', 'secret', name, '-n', p.namespace, '-o', 'json'])) as { data: Record<string, string> };
    return Buffer.from(s.data[key] ?? '', 'base64').toString('utf8');
  };
  // The game master opens the session through the admin port (the public one refuses the token).
  const api = await portForward(p.kubeconfig, p.namespace, `svc/${p.release}-api-server`, ADMIN_PORT);
  const redis = await portForward(p.kubeconfig, p.namespace, `svc/${p.release}-redis`, 6379);
  let narrator: Narrator | undefined;
  let watching = true;
  try {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await secret(`${p.release}-auth`, 'admin-token')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `demo-${Date.now().toString(36)}`, name: 'demo' }),
    });
    if (!res.ok) throw new Error(`POST /api/sessions: HTTP ${res.status} ${await res.text()}`);
    const sessionId = ((await res.json()) as { id: string }).id;
    o.say(`game master opened session ${sessionId}`);
    const redisPassword = await secret(`${p.release}-redis`, 'password');
    narrator = new Narrator({ redisUrl: `redis://dungeon-admin:${encodeURIComponent(redisPassword)}@127.0.0.1:${redis.port}`, sessionId, onLine: o.onLine });
    await narrator.start();
    // Made before the install that opened it to players; apply keeps it as it is.
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.playerNamespace } }));
    await kubectl(['label', '--overwrite', 'namespace', o.playerNamespace, 'pod-security.kubernetes.io/enforce=restricted']);
    for (const e of EXAMPLES) {
      const doc = exampleCharacter(p.registry, e);
      doc.spec.session = sessionId;
      o.say(`kubectl apply -n ${o.playerNamespace} -f e2e/fixtures/characters/${e.file}  (image ${String(doc.spec.image)})`);
      await kubectl(['apply', '-n', o.playerNamespace, '-f', '-'], JSON.stringify(doc));
    }
    let last = '';
    const table = async () => {
      const t = await kubectl(['get', 'characters', '-n', o.playerNamespace]);
      const key = t.split('\n').map((l) => l.replace(/\s+\S+\s*$/, '')).join('\n');
      if (key !== last) {
        last = key;
        o.onTable(t);
      }
      return t;
    };
    const watcher = (async () => {
      while (watching) {
        await table().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    await eventually('every Character Registered', async () => {
      const rows = parseTable(await table());
      return rows.length === EXAMPLES.length && rows.every((r) => r.phase === 'Registered');
    }, 300_000, 2000);
    o.say((await kubectl(['get', 'pods', '-n', o.playerNamespace, '-o', 'wide'])).trimEnd());
    const end = await Promise.race([
      narrator.ended,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`session ${sessionId} did not end within ${o.timeoutMs / 1000}s`)), o.timeoutMs).unref()),
    ]);
    watching = false;
    await watcher;
    o.say(`kubectl delete characters --all -n ${o.playerNamespace}: the finalizer revokes each key, garbage collection removes the rest`);
    await kubectl(['delete', 'characters', '--all', '-n', o.playerNamespace, '--wait=true', '--timeout=180s']);
    return { sessionId, end };
  } finally {
    watching = false;
    await narrator?.stop();
    api.stop();
    redis.stop();
  }
}
