// ServiceAccount, credentials Secret and character.json ConfigMap.
import { createHash } from 'node:crypto';
import { names } from '../names.ts';
import { ownedMeta, type BuildContext, type ObjectMeta } from './context.ts';

export const API_KEY_KEY = 'DUNGEON_API_KEY';
export const CHARACTER_ID_KEY = 'CHARACTER_ID';
const CHARACTER_JSON = 'character.json';
/** Hash of the key spec (controller/registry.ts keySpecOf) the registry holds for the key in this Secret. */
export const KEY_SPEC_ANNOTATION = 'distributed-dungeon.io/key-spec-hash';

export function buildServiceAccount(ctx: BuildContext) {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: ownedMeta(ctx, names.serviceAccount(ctx.ref.name)),
    automountServiceAccountToken: false,
  };
}

/** `keySpecHash`: contentHash of the key spec the registry recorded with this key. */
export function buildSecret(ctx: BuildContext, apiKey: string, keySpecHash?: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...ownedMeta(ctx, names.secret(ctx.ref.name), 'credentials'), ...(keySpecHash ? { annotations: { [KEY_SPEC_ANNOTATION]: keySpecHash } } : {}) },
    type: 'Opaque',
    data: {
      [API_KEY_KEY]: Buffer.from(apiKey, 'utf8').toString('base64'),
      [CHARACTER_ID_KEY]: Buffer.from(ctx.characterId, 'utf8').toString('base64'),
    },
  };
}

/** The API key stored in a Secret built by buildSecret, if any. */
export function apiKeyFromSecret(secret: { data?: Record<string, string> } | undefined): string | undefined {
  const encoded = secret?.data?.[API_KEY_KEY];
  if (!encoded) return undefined;
  const key = Buffer.from(encoded, 'base64').toString('utf8');
  return key || undefined;
}

/** The character id a Secret built by buildSecret was minted for, if any. */
export function characterIdFromSecret(secret: { data?: Record<string, string> } | undefined): string | undefined {
  const encoded = secret?.data?.[CHARACTER_ID_KEY];
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}

/** character.json: the player's free-form config with the identity the operator vouches for on top. */
export function characterJson(ctx: BuildContext): string {
  const { spec } = ctx;
  const identity = {
    characterId: ctx.characterId,
    name: spec.displayName,
    class: spec.class,
    level: spec.level,
    capabilities: spec.capabilities,
    ...(spec.session ? { session: spec.session } : {}),
    // The runtime registers with these picks (they win over an image's abilities.json).
    ...(spec.abilities ? { abilities: spec.abilities } : {}),
  };
  return `${JSON.stringify({ ...spec.config, ...identity }, null, 2)}\n`;
}

export function buildConfigMap(ctx: BuildContext): { apiVersion: string; kind: string; metadata: ObjectMeta; data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(ctx, names.configMap(ctx.ref.name), 'config'),
    data: { [CHARACTER_JSON]: characterJson(ctx) },
  };
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
