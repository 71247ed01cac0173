import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml against what plays it: every service of local play is there, built from the
// root Dockerfile's target (or the example's folder) it names; no credential has a value in the
// repository (make compose-up generates them); each character runs as the id its key is minted
// for (its character.json's characterId, read by scripts/compose.ts) with that character.json
// mounted.

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string; target?: string };
  environment?: Record<string, string>;
  volumes?: string[];
  command?: string[];
}
const file = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = file.services;

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Redis, the api-server and the three example characters', () => {
    expect(Object.keys(services).sort()).toEqual(['api-server', 'fighter', 'postgres', 'redis', 'rogue', 'wizard']);
    expect(services['api-server']!.build).toEqual({ context: '.', target: 'api-server' });
  });

  it('holds no credential: each is a variable that must be set, without a default', () => {
    const secret = /PASSWORD|TOKEN|SIGNING_KEY|API_KEY/;
    const values = [
      ...Object.values(services).flatMap((s) => Object.entries(s.environment ?? {}).filter(([k]) => secret.test(k))),
      ['redis command', (services.redis!.command ?? []).join(' ')],
    ] as [string, string][];
    // POSTGRES_PASSWORD, DUNGEON_ADMIN_TOKEN, JWT_SIGNING_KEYS, three DUNGEON_API_KEYs, Redis's password.
    expect(values.length).toBe(7);
    for (const [name, value] of values) {
      expect(value, name).toMatch(/\$\{[A-Z_]+(:\?[^}]*)?\}/);
      expect(value, name).not.toMatch(/:-/);
    }
    // The URLs carry the same variables, never a value.
    expect(services['api-server']!.environment?.DATABASE_URL).toBe('postgres://dungeon:${POSTGRES_PASSWORD}@postgres:5432/dungeon');
    expect(services['api-server']!.environment?.REDIS_URL).toBe('redis://:${REDIS_PASSWORD}@redis:6379');
  });

  for (const example of ['fighter', 'rogue', 'wizard']) {
    it(`${example}: built from its example, playing as the character its key is minted for`, () => {
      const s = services[example]!;
      const json = JSON.parse(read(`character-base-image/examples/${example}/character.json`)) as { characterId: string };
      expect(s.build).toBe(`character-base-image/examples/${example}`);
      // The tag scripts/images.sh gives the example images.
      expect(s.image).toBe(`distributed-dungeon/example-${example}:1.0.0`);
      expect(s.environment?.CHARACTER_ID).toBe(json.characterId);
      expect(s.environment?.DUNGEON_REGISTRY_URL).toBe('http://api-server:8080');
      expect(s.volumes).toContain(`./character-base-image/examples/${example}/character.json:/config/character.json:ro`);
      expect(read('scripts/compose.ts')).toContain(`{ service: '${example}', id: '${json.characterId}'`);
    });
  }

  it('tags the api-server as scripts/images.sh does by default (the chart\'s appVersion)', () => {
    const appVersion = /^appVersion:\s*"?([^"\s]+)"?/m.exec(read('charts/dungeon/Chart.yaml'))![1];
    expect(services['api-server']!.image).toBe(`distributed-dungeon/api-server:\${DUNGEON_TAG:-${appVersion}}`);
  });
});
