// Names and labels for the objects a Character owns. Character names are DNS subdomains (up to
// 253 characters, dots allowed); most children need DNS-1035 labels of at most 63 characters.
import { createHash } from 'node:crypto';
import { CHARACTER_API_VERSION, CHARACTER_KIND } from '@distributed-dungeon/contracts';

export const FIELD_MANAGER = 'dungeon-operator';
export const FINALIZER = 'distributed-dungeon.io/finalizer';
const PART_OF = 'distributed-dungeon';
export const CHARACTER_LABEL = 'distributed-dungeon.io/character';
export const MANAGED_BY_SELECTOR = `app.kubernetes.io/managed-by=${FIELD_MANAGER}`;
export const CONTAINER_PORT = 3000;
export const CONTAINER_NAME = 'character';

function shortHash(value: string, length = 8): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * A DNS-1035 label (lower-case alphanumerics and '-', starts with a letter, at most `max`
 * characters) built from `name` + `suffix`. Names that fit are kept as they are; longer ones are
 * cut and given a hash of the full name so two long names never collide.
 */
export function childName(name: string, suffix = '', max = 63): string {
  let base = name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]/.test(base)) base = `c-${base}`;
  const changed = base !== name;
  if (!changed && base.length + suffix.length <= max) return base + suffix;
  const hash = shortHash(name);
  const room = max - suffix.length - hash.length - 1;
  const cut = base.slice(0, room).replace(/-+$/, '');
  return `${cut}-${hash}${suffix}`;
}

/** A label value (at most 63 characters, alphanumeric at both ends). */
export function labelValue(value: string): string {
  if (value.length <= 63 && /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value)) return value;
  const hash = shortHash(value);
  const cut = value.replace(/[^-A-Za-z0-9_.]/g, '-').slice(0, 63 - hash.length - 1).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cut ? `${cut}-${hash}` : hash;
}

export interface CharacterRef {
  name: string;
  namespace: string;
  uid: string;
}

/** Labels that pick one Character's pods; never change them (Deployment selectors are immutable). */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'character', 'app.kubernetes.io/instance': labelValue(name) };
}

export function characterLabels(name: string, component = 'character'): Record<string, string> {
  return {
    ...selectorLabels(name),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
    [CHARACTER_LABEL]: labelValue(name),
  };
}

export function namespacePolicyLabels(): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'dungeon-namespace-policy',
    'app.kubernetes.io/component': 'namespace-policy',
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
  };
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export function ownerReference(ref: CharacterRef): OwnerReference {
  return { apiVersion: CHARACTER_API_VERSION, kind: CHARACTER_KIND, name: ref.name, uid: ref.uid, controller: true, blockOwnerDeletion: true };
}

export const names = {
  serviceAccount: (n: string) => childName(n),
  service: (n: string) => childName(n),
  deployment: (n: string) => childName(n),
  secret: (n: string) => childName(n, '-credentials'),
  configMap: (n: string) => childName(n, '-config'),
  pvc: (n: string) => childName(n, '-data'),
  networkPolicy: (n: string) => childName(n),
  resourceQuota: 'dungeon-characters',
  limitRange: 'dungeon-characters',
};

export function endpointFor(name: string, namespace: string): string {
  return `http://${names.service(name)}.${namespace}.svc:${CONTAINER_PORT}`;
}
