import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayUrl, restUrl } from '../communication/urls.ts';
import { readBundle } from './bundle.ts';
import { UsageError } from './usage-error.ts';

const bundle = {
  kind: 'CharacterConnection',
  version: 1,
  characterId: 'edge-fighter-abc',
  apiUrl: 'https://dungeon.example',
  websocketUrl: 'wss://dungeon.example/ws',
  apiKey: 'dd_key',
  character: { name: 'Edge Fighter', class: 'fighter', level: 3 },
};

describe('readBundle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dd-bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string) => {
    const p = path.join(dir, name);
    await writeFile(p, text);
    return p;
  };

  it('reads the bundle the operator writes', async () => {
    expect(await readBundle(await file('ok.json', JSON.stringify(bundle)))).toEqual(bundle);
  });

  it('keeps the path prefix of a platform behind an Ingress path: REST and the gateway the SDK builds on it are the bundle\'s', async () => {
    // As the operator writes it for apiServer.externalUrl https://host.example/dungeon.
    const prefixed = { ...bundle, apiUrl: 'https://host.example/dungeon', websocketUrl: 'wss://host.example/dungeon/ws' };
    const read = await readBundle(await file('prefixed.json', JSON.stringify(prefixed)));
    expect(read.apiUrl).toBe('https://host.example/dungeon');
    expect(restUrl(read.apiUrl, '/api/registry/character')).toBe('https://host.example/dungeon/api/registry/character');
    // The registration names the gateway as the api-server sees it (/ws); under the prefix it is the bundle's.
    expect(gatewayUrl(read.apiUrl, '/ws').href).toBe(read.websocketUrl);
  });

  it.each([
    ['missing.json', undefined, /cannot read the connection bundle .*kubectl get secret/],
    ['junk.json', 'not json', /is not JSON/],
    ['other.json', JSON.stringify({ ...bundle, apiKey: undefined }), /is not a connection bundle \(apiKey: /],
    ['url.json', JSON.stringify({ ...bundle, apiUrl: 'dungeon.example' }), /apiUrl: /],
  ])('%s: a usage error that says what is wrong and how to get the bundle', async (name, text, message) => {
    const p = text === undefined ? path.join(dir, name) : await file(name, text);
    const err = await readBundle(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });
});
