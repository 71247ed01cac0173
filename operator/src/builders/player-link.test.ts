import { describe, expect, it } from 'vitest';
import { buildPlayerSecret, needsPlayerLink, playerSecretName } from './player-link.ts';

const ctx = {
  ref: { name: 'thorin-ironbeard', namespace: 'player-alice', uid: 'uid-1' },
  characterId: 'c-abc',
  spec: {},
  policy: {},
} as unknown as Parameters<typeof buildPlayerSecret>[0];

describe('the player sign-in Secret', () => {
  it('is <name>-player in the player namespace, owned by the Character, holding the link', () => {
    const s = buildPlayerSecret(ctx, { code: 'secret-code-0123456789', path: '/#/sign-in/secret-code-0123456789' });
    expect(s.metadata.name).toBe('thorin-ironbeard-player');
    expect(s.metadata.namespace).toBe('player-alice');
    expect(s.metadata.ownerReferences?.[0]?.uid).toBe('uid-1');
    expect(s.metadata.labels['app.kubernetes.io/managed-by']).toBe('dungeon-operator');
    expect(Buffer.from(s.data.path, 'base64').toString()).toBe('/#/sign-in/secret-code-0123456789');
    expect(Buffer.from(s.data.CHARACTER_ID, 'base64').toString()).toBe('c-abc');
    expect(playerSecretName('x'.repeat(70))).toHaveLength(63);
  });

  it('is minted only when the Character has none of its own', () => {
    expect(needsPlayerLink(undefined, 'uid-1')).toBe(true);
    expect(needsPlayerLink({ metadata: { ownerReferences: [{ uid: 'uid-0' }] } }, 'uid-1')).toBe(true);
    expect(needsPlayerLink({ metadata: { ownerReferences: [{ uid: 'uid-1' }] } }, 'uid-1')).toBe(false);
  });
});
