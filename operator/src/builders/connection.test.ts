import { ConnectionBundleSchema } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/build-context.ts';
import { buildConnectionSecret, BUNDLE_KEY, websocketUrlFor } from './connection.ts';
import { apiKeyFromSecret, characterIdFromSecret, KEY_SPEC_ANNOTATION } from './identity.ts';

const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString('utf8');

describe('connection Secret of an external Character', () => {
  const ctx = testContext({ placement: 'external', image: undefined, session: 'crypt-1', config: { motto: 'steel' } });
  const secret = buildConnectionSecret(ctx, 'https://dungeon.example/', 'key-123', 'spec-hash');

  it('is the credentials Secret, owned by the Character, with the key where the operator reads it back', () => {
    expect(secret.metadata.name).toBe('thorin-ironbeard-credentials');
    expect(secret.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Character', uid: ctx.ref.uid, controller: true })]);
    expect(secret.metadata.labels['app.kubernetes.io/component']).toBe('connection');
    expect(secret.metadata.annotations).toEqual({ [KEY_SPEC_ANNOTATION]: 'spec-hash' });
    expect(apiKeyFromSecret(secret)).toBe('key-123');
    expect(characterIdFromSecret(secret)).toBe(ctx.characterId);
  });

  it('holds a bundle with the external URL, the gateway, the key and the character.json the key was minted for', () => {
    const bundle = ConnectionBundleSchema.parse(JSON.parse(decode(secret.data[BUNDLE_KEY])));
    expect(bundle).toEqual({
      kind: 'CharacterConnection',
      version: 1,
      characterId: ctx.characterId,
      apiUrl: 'https://dungeon.example',
      websocketUrl: 'wss://dungeon.example/ws',
      apiKey: 'key-123',
      character: {
        motto: 'steel',
        characterId: ctx.characterId,
        name: 'Thorin Ironbeard',
        class: 'fighter',
        level: 5,
        capabilities: ['combat', 'exploration', 'social'],
        session: 'crypt-1',
      },
    });
    expect(decode(secret.data.DUNGEON_REGISTRY_URL)).toBe('https://dungeon.example');
    expect(decode(secret.data.DUNGEON_WEBSOCKET_URL)).toBe('wss://dungeon.example/ws');
  });

  it('gives no key spec annotation when none is known', () => {
    expect(buildConnectionSecret(ctx, 'http://x.example', 'k').metadata.annotations).toBeUndefined();
  });
});

describe('websocketUrlFor', () => {
  it.each([
    ['https://dungeon.example', 'wss://dungeon.example/ws'],
    ['http://10.0.0.5:8080/', 'ws://10.0.0.5:8080/ws'],
    ['https://example.org/dungeon/?x=1', 'wss://example.org/dungeon/ws'],
  ])('%s → %s', (external, ws) => {
    expect(websocketUrlFor(external)).toBe(ws);
  });
});
