// The api-server's replicas forward a session's calls to its owner (api-server/src/engine/
// forwarding.ts): the chart must tell each pod its own address and let the replicas reach
// each other, on the admin port when there is one.
import { describe, expect, it } from 'vitest';
import { container, findObject, parseManifests, renderChart, type KubeObject, type RenderOptions } from './chart.ts';

type Rule = { from: { podSelector?: { matchLabels: Record<string, string> } }[]; ports: { port: number }[] };

async function rendered(o: RenderOptions = {}) {
  const objects = parseManifests(await renderChart(o));
  const env = container(findObject(objects, 'Deployment', 'dungeon-api-server'), 'api-server').env!;
  const rules = (findObject(objects, 'NetworkPolicy', 'dungeon-api-server') as KubeObject & { spec: { ingress: Rule[] } }).spec.ingress;
  const replicasOn = (port: number) =>
    rules.some((r) => r.ports.some((p) => p.port === port) && r.from.some((f) => f.podSelector?.matchLabels['app.kubernetes.io/component'] === 'api-server'));
  return { env, replicasOn };
}

describe('api-server replicas find each other', () => {
  it('without an admin port (0), each pod announces its own address on the public port, which the replicas may reach', async () => {
    const { env, replicasOn } = await rendered({ values: { apiServer: { adminPort: 0 } } });
    expect(env.find((e) => e.name === 'POD_IP')).toMatchObject({ valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    expect(env.find((e) => e.name === 'DUNGEON_REPLICA_URL')?.value).toBe('http://$(POD_IP):8080');
    // $(POD_IP) expands only when POD_IP comes first.
    expect(env.findIndex((e) => e.name === 'POD_IP')).toBeLessThan(env.findIndex((e) => e.name === 'DUNGEON_REPLICA_URL'));
    expect(replicasOn(8080)).toBe(true);
  });

  it('with the admin port (on by default), they forward there, and the public port no longer admits them', async () => {
    const { env, replicasOn } = await rendered();
    expect(env.find((e) => e.name === 'DUNGEON_REPLICA_URL')?.value).toBe('http://$(POD_IP):8081');
    expect(replicasOn(8081)).toBe(true);
    expect(replicasOn(8080)).toBe(false);
    expect((await rendered({ values: { apiServer: { adminPort: 8090 } } })).env.find((e) => e.name === 'DUNGEON_REPLICA_URL')?.value).toBe('http://$(POD_IP):8090');
  });
});
