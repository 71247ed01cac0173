// The credentials Secret of an external Character (spec.placement: external): the process runs on
// the player's own machine, so instead of a pod's environment the Secret holds a connection
// bundle, the api-server's external URL, its WebSocket gateway and the key:
//   kubectl get secret <name>-credentials -o jsonpath='{.data.bundle\.json}' | base64 -d > bundle.json
//   dungeon dev character.ts --bundle bundle.json
import type { ConnectionBundle } from '@distributed-dungeon/contracts';
import { names } from '../names.ts';
import { ownedMeta, type BuildContext } from './context.ts';
import { API_KEY_KEY, CHARACTER_ID_KEY, characterJson, KEY_SPEC_ANNOTATION } from './identity.ts';

export const BUNDLE_KEY = 'bundle.json';
const REGISTRY_URL_KEY = 'DUNGEON_REGISTRY_URL';
const WEBSOCKET_URL_KEY = 'DUNGEON_WEBSOCKET_URL';
/** The api-server's gateway path (api-server config ws.path). */
const WEBSOCKET_PATH = '/ws';

/** `wss://host/ws` for `https://host` (a path prefix of the external URL is kept). */
export function websocketUrlFor(externalUrl: string): string {
  const url = new URL(externalUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${WEBSOCKET_PATH}`;
  url.search = '';
  url.hash = '';
  return url.href;
}

export function connectionBundle(ctx: BuildContext, externalUrl: string, apiKey: string): ConnectionBundle {
  return {
    kind: 'CharacterConnection',
    version: 1,
    characterId: ctx.characterId,
    apiUrl: externalUrl.replace(/\/+$/, ''),
    websocketUrl: websocketUrlFor(externalUrl),
    apiKey,
    character: JSON.parse(characterJson(ctx)) as Record<string, unknown>,
  };
}

/**
 * Same name and key entries as buildSecret (so the key is found and reused the same way), plus
 * the bundle whole and its URLs one by one (for `envFrom` or a shell's `export`).
 */
export function buildConnectionSecret(ctx: BuildContext, externalUrl: string, apiKey: string, keySpecHash?: string) {
  const bundle = connectionBundle(ctx, externalUrl, apiKey);
  const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...ownedMeta(ctx, names.secret(ctx.ref.name), 'connection'),
      ...(keySpecHash ? { annotations: { [KEY_SPEC_ANNOTATION]: keySpecHash } } : {}),
    },
    type: 'Opaque',
    data: {
      [API_KEY_KEY]: b64(apiKey),
      [CHARACTER_ID_KEY]: b64(ctx.characterId),
      [REGISTRY_URL_KEY]: b64(bundle.apiUrl),
      [WEBSOCKET_URL_KEY]: b64(bundle.websocketUrl),
      [BUNDLE_KEY]: b64(`${JSON.stringify(bundle, null, 2)}\n`),
    },
  };
}
