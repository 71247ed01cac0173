// Secret `<name>-player`: the one-time sign-in link of the Character's player (issue 13). It lives
// in the player's own namespace, so Kubernetes RBAC decides who may play the character:
//   kubectl get secret <name>-player -o jsonpath='{.data.path}' | base64 -d
// and open it on the web client's address. Spent or lost? Delete the Secret: a fresh link follows.
import { childName } from '../names.ts';
import { ownedMeta, type BuildContext } from './context.ts';

const PLAYER_PATH_KEY = 'path';
const PLAYER_CODE_KEY = 'code';

export function playerSecretName(characterName: string): string {
  return childName(characterName, '-player');
}

export function buildPlayerSecret(ctx: BuildContext, link: { code: string; path: string }) {
  const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMeta(ctx, playerSecretName(ctx.ref.name), 'player-link'),
    type: 'Opaque',
    data: { [PLAYER_PATH_KEY]: b64(link.path), [PLAYER_CODE_KEY]: b64(link.code), CHARACTER_ID: b64(ctx.characterId) },
  };
}

/** A link is minted once per Secret: an existing Secret of this very Character is kept as it is. */
export function needsPlayerLink(existing: { metadata: { ownerReferences?: { uid: string }[] } } | undefined, uid: string): boolean {
  return !existing?.metadata.ownerReferences?.some((o) => o.uid === uid);
}
