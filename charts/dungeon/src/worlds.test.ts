// Custom worlds through the chart: `worlds` in values → a ConfigMap → mounted on the
// api-server's worlds directory, which the api-server's own config parser and world loader read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../api-server/src/config/config.ts';
import { loadWorlds } from '../../../api-server/src/game/world-files.ts';
import { CommandError, container, findObject, parseManifests, renderChart, repoRoot, resolveEnv, secretFromManifests, type KubeObject } from './chart.ts';

const NS = 'dungeon-system';
const bundled = JSON.parse(readFileSync(join(repoRoot, 'api-server/worlds/crypt-of-dawn.json'), 'utf8')) as Record<string, unknown>;
const keep = { ...bundled, id: 'frost-keep', name: 'The Frost Keep' };

interface PodSpec {
  volumes?: { name: string; configMap?: { name: string } }[];
  containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
}
const podOf = (d: KubeObject) => (d as unknown as { spec: { template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec } } }).spec.template;

function apiEnv(objects: KubeObject[]) {
  return resolveEnv(container(findObject(objects, 'Deployment', 'dungeon-api-server'), 'api-server'), {
    secret: secretFromManifests(objects),
    fields: { 'metadata.namespace': NS, 'metadata.name': 'dungeon-api-server-7d9f8-abcde', 'status.podIP': '10.1.2.3' },
  });
}

describe('custom worlds (values.worlds)', () => {
  it('become a ConfigMap mounted on the directory the api-server loads worlds from', async () => {
    const objects = parseManifests(await renderChart({ values: { worlds: { 'frost-keep.json': keep } } }));
    const cm = findObject(objects, 'ConfigMap', 'dungeon-worlds') as KubeObject & { data: Record<string, string> };
    expect(Object.keys(cm.data)).toEqual(['frost-keep.json']);
    expect(JSON.parse(cm.data['frost-keep.json']!)).toEqual(keep);

    const deployment = findObject(objects, 'Deployment', 'dungeon-api-server');
    const pod = podOf(deployment);
    const volume = pod.spec.volumes!.find((v) => v.configMap?.name === 'dungeon-worlds')!;
    const mount = pod.spec.containers.find((c) => c.name === 'api-server')!.volumeMounts!.find((m) => m.name === volume.name)!;
    expect(mount.readOnly).toBe(true);
    expect(pod.metadata.annotations?.['checksum/worlds']).toMatch(/^[0-9a-f]{64}$/);

    // The api-server's own parser takes the env the chart gives it, and its loader reads the
    // ConfigMap's files as the kubelet would write them into the mount.
    const config = loadConfig({ ...apiEnv(objects), LOG_LEVEL: 'silent' });
    expect(config.game.worldsDir).toBe(mount.mountPath);
    const dir = mkdtempSync(join(tmpdir(), 'dungeon-worlds-'));
    try {
      for (const [file, text] of Object.entries(cm.data)) writeFileSync(join(dir, file), text);
      const worlds = await loadWorlds(dir);
      expect(worlds.get('frost-keep')?.name).toBe('The Frost Keep');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a changed world changes the checksum, so the pods roll', async () => {
    const sum = async (name: string) =>
      podOf(findObject(parseManifests(await renderChart({ values: { worlds: { 'frost-keep.json': { ...keep, name } } } })), 'Deployment', 'dungeon-api-server')).metadata.annotations?.['checksum/worlds'];
    expect(await sum('A')).not.toBe(await sum('B'));
  });

  it('none given: no ConfigMap, no mount, no DUNGEON_WORLDS_DIR', async () => {
    const objects = parseManifests(await renderChart());
    expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'dungeon-worlds')).toBe(false);
    expect(apiEnv(objects).DUNGEON_WORLDS_DIR).toBeUndefined();
    expect(podOf(findObject(objects, 'Deployment', 'dungeon-api-server')).spec.volumes!.map((v) => v.name)).not.toContain('worlds');
  });

  it('refuses a file name that is not <id>.json, and a world that is not an object with an id', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'Frost Keep.json': keep }, /'Frost Keep\.json' does not match pattern/],
      [{ 'frost-keep.yaml': keep }, /'frost-keep\.yaml' does not match pattern/],
      [{ 'frost-keep.json': { name: 'no id' } }, /frost-keep\.json.*missing propert.*id|missing propert.*id/s],
      [{ 'frost-keep.json': 'text' }, /frost-keep\.json.*(object|type)/s],
    ];
    for (const [worlds, says] of cases) {
      const err = await renderChart({ values: { worlds } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(worlds)).toBeInstanceOf(CommandError);
      expect((err as CommandError).stderr).toMatch(says);
    }
  });
});
