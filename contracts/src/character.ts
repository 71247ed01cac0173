// The Character custom resource, written once in zod. The operator generates the CRD's OpenAPI
// schema from these definitions (operator/src/crd), so the `x-kubernetes-*` metadata attached
// with `.meta()` here is what the API server enforces; the zod checks are what the operator and
// the tools enforce. Keep the two saying the same thing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CAPABILITIES, CHARACTER_CLASSES, Capability, CharacterClass } from './registry.ts';
import { abilityProblems } from './abilities.ts';
import { AbilityList } from './ability-list.ts';

export const CHARACTER_GROUP = 'distributed-dungeon.io';
export const CHARACTER_VERSION = 'v1alpha1';
export const CHARACTER_API_VERSION = `${CHARACTER_GROUP}/${CHARACTER_VERSION}`;
export const CHARACTER_KIND = 'Character';
export const CHARACTER_PLURAL = 'characters';
export const CHARACTER_SINGULAR = 'character';
export const CHARACTER_SHORT_NAMES = ['char', 'chars'] as const;

export const CHARACTER_PHASES = [
  'Pending',
  'Provisioning',
  'Running',
  'Registered',
  'Suspended',
  // An external Character whose process registered once and whose heartbeats stopped.
  'Disconnected',
  'Degraded',
  'Failed',
  'Terminating',
] as const;

/**
 * Where a Character's process runs: `cluster` (a Deployment the operator makes) or `external`
 * (the player's own machine; the operator only mints its key and writes a connection bundle).
 */
export const CHARACTER_PLACEMENTS = ['cluster', 'external'] as const;
export type CharacterPlacement = (typeof CHARACTER_PLACEMENTS)[number];

/** Serialized size cap for `spec.config` (character.json), enforced by the operator. */
export const CHARACTER_CONFIG_MAX_BYTES = 16 * 1024;
/** Top-level key cap for `spec.config`, enforced by the API server (maxProperties). */
export const CHARACTER_CONFIG_MAX_KEYS = 64;

/**
 * A Kubernetes resource quantity (`1Gi`, `500m`, `2`, `1e3`), without a sign. Mirrors
 * k8s.io/apimachinery's resource.Quantity grammar; the API server checks it with CEL isQuantity().
 */
export const QUANTITY_PATTERN = /^\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/**
 * Image references: `[registry[:port]/]path[:tag][@digest]`, lower-case path components as in
 * the distribution reference grammar (simplified; RE2-compatible so CEL can reuse it).
 */
export const IMAGE_REFERENCE_PATTERN =
  '^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$';

/** Session ids are DNS-label-like (registry.ts SessionId). */
const SESSION_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const classList = CHARACTER_CLASSES.join(', ');

function quantity(what: string, options: { positive?: boolean } = {}) {
  const rule = options.positive
    ? "type(self) == int ? self > 0 : (isQuantity(self) && quantity(self).isGreaterThan(quantity('0')))"
    : 'type(self) == int ? self >= 0 : isQuantity(self)';
  return z
    .union([z.int().nonnegative(), z.string().max(32).regex(QUANTITY_PATTERN)])
    .refine((v) => !options.positive || (typeof v === 'number' ? v > 0 : !/^\+?[0.]+(?:[^0-9.].*)?$/.test(v)), {
      message: `${what} must be greater than zero`,
    })
    .meta({
      'x-dungeon-quantity': true,
      description: `${what}, as a Kubernetes quantity such as 1Gi, 512Mi or 500m.`,
      'x-kubernetes-validations': [
        {
          rule,
          message: `${what} must be a Kubernetes quantity such as 1Gi, 512Mi or 500m${options.positive ? ' (greater than zero)' : ''}`,
        },
      ],
    });
}

export const CharacterClassSchema = CharacterClass.meta({
  description: `The character's class: one of ${classList}.`,
  'x-kubernetes-validations': [
    { rule: `self in [${CHARACTER_CLASSES.map((c) => `'${c}'`).join(', ')}]`, message: `class must be one of ${classList}` },
  ],
});

export const CharacterPhaseSchema = z.enum(CHARACTER_PHASES);
export type CharacterPhase = z.infer<typeof CharacterPhaseSchema>;

const ResourceListSchema = z
  .object({ cpu: quantity('cpu').optional(), memory: quantity('memory').optional() })
  .strict();

export const CharacterResourcesSchema = z
  .object({ requests: ResourceListSchema.optional(), limits: ResourceListSchema.optional() })
  .strict()
  .meta({ description: 'Requests and limits for the character container; the operator defaults and caps them by policy.' });
export type CharacterResources = z.infer<typeof CharacterResourcesSchema>;

export const CharacterStorageSchema = z
  .object({
    size: quantity('storage.size', { positive: true }).default('1Gi'),
    storageClassName: z.string().min(1).max(253).nullable().default(null).meta({
      description: 'StorageClass for the data volume; null uses the cluster default.',
    }),
    retainOnDelete: z.boolean().default(false).meta({
      description: 'Keep the data volume when the Character is deleted.',
    }),
  })
  .strict()
  .meta({ description: 'The durable volume mounted at /data.' });
export type CharacterStorage = z.infer<typeof CharacterStorageSchema>;

export const CharacterConfigSchema = z
  .record(z.string(), z.unknown())
  .refine((v) => Buffer.byteLength(JSON.stringify(v), 'utf8') <= CHARACTER_CONFIG_MAX_BYTES, {
    message: `config must serialize to at most ${CHARACTER_CONFIG_MAX_BYTES / 1024} KiB of JSON`,
  })
  .meta({
    description: `Free-form character.json handed to the container under /config (at most ${CHARACTER_CONFIG_MAX_BYTES / 1024} KiB).`,
    // CEL cannot type a schemaless object (nor serialize it), so the API server caps the key
    // count and the operator checks the serialized size (InvalidSpec condition).
    'x-kubernetes-preserve-unknown-fields': true,
    maxProperties: CHARACTER_CONFIG_MAX_KEYS,
  });

export const CharacterSpecSchema = z
  .object({
    displayName: z.string().min(1).max(64).meta({
      description: 'The name other players see.',
      'x-kubernetes-validations': [{ rule: 'size(self.trim()) > 0', message: 'displayName must not be blank' }],
    }),
    class: CharacterClassSchema,
    level: z.int().min(1).max(20).meta({
      description: 'Character level, 1 to 20.',
      'x-kubernetes-validations': [{ rule: 'self >= 1 && self <= 20', message: 'level must be between 1 and 20' }],
    }),
    image: z
      .string()
      .min(1)
      .max(512)
      .regex(new RegExp(IMAGE_REFERENCE_PATTERN))
      .optional()
      .meta({
        description: 'The character container image, built FROM the character base image (required unless placement is external).',
        'x-kubernetes-validations': [
          {
            rule: `self.matches('${IMAGE_REFERENCE_PATTERN}')`,
            message: 'image must be a container image reference such as registry.example/alice/thorin:1.0.0',
          },
        ],
      }),
    placement: z.enum(CHARACTER_PLACEMENTS).default('cluster').meta({
      description:
        'Where the character process runs: cluster (the operator runs it as a Deployment) or external (the player runs it anywhere, e.g. with dungeon dev --bundle, from the connection bundle in Secret <name>-credentials, key bundle.json).',
      'x-kubernetes-validations': [
        { rule: "self in ['cluster', 'external']", message: 'placement must be cluster or external' },
        // Moving a running character out (or in) would leave its volume and pod behind: start anew.
        { rule: 'self == oldSelf', message: 'placement cannot change: delete the Character and apply it again' },
      ],
    }),
    capabilities: z
      .array(Capability)
      .min(1)
      .max(CAPABILITIES.length)
      .refine((v) => new Set(v).size === v.length, { message: 'capabilities must not repeat' })
      .default([...CAPABILITIES])
      .meta({
        description: 'What the character takes part in: combat, exploration, social.',
        'x-kubernetes-list-type': 'set',
      }),
    abilities: AbilityList.optional().meta({
      description:
        'The abilities and spells the player picks (the catalogue in contracts/src/abilities.ts: which class may pick which, from which level, how many). Absent: the class\'s standard set.',
      'x-kubernetes-list-type': 'set',
    }),
    session: z
      .string()
      .min(1)
      .max(63)
      .regex(new RegExp(SESSION_PATTERN))
      .optional()
      .meta({
        description: 'Game session to join; the registry assigns one when omitted.',
        'x-kubernetes-validations': [
          {
            rule: `self.matches('${SESSION_PATTERN}')`,
            message: 'session must be lower-case letters, digits and "-", starting and ending with a letter or digit',
          },
        ],
      }),
    resources: CharacterResourcesSchema.optional(),
    storage: CharacterStorageSchema.default({ size: '1Gi', storageClassName: null, retainOnDelete: false }),
    config: CharacterConfigSchema.default({}),
    suspend: z.boolean().default(false).meta({
      description: 'Scale the character to zero, keeping its volume.',
    }),
  })
  .strict()
  // The same rules as the CEL the CRD generator derives from the catalogue (operator/src/crd).
  .superRefine((s, ctx) => {
    if (!s.abilities) return;
    for (const p of abilityProblems({ class: s.class, level: s.level, abilities: s.abilities })) {
      ctx.addIssue({ code: 'custom', path: p.index === undefined ? ['abilities'] : ['abilities', p.index], message: p.message });
    }
  })
  .refine((s) => s.placement === 'external' || s.image !== undefined, { path: ['image'], message: 'image is required unless placement is external' })
  .meta({
    description: 'What the player asks for.',
    'x-kubernetes-validations': [{ rule: "(has(self.placement) && self.placement == 'external') || has(self.image)", message: 'image is required unless placement is external', fieldPath: '.image' }],
  });
export type CharacterSpec = z.infer<typeof CharacterSpecSchema>;
export type CharacterSpecInput = z.input<typeof CharacterSpecSchema>;

/**
 * What the operator hands the player of an external Character (Secret `<name>-credentials`, key
 * `bundle.json`): where to connect from outside the cluster, the key, and the character.json the
 * registry's key was minted for (a registration must claim exactly that).
 */
export const ConnectionBundleSchema = z
  .object({
    kind: z.literal('CharacterConnection'),
    version: z.literal(1),
    characterId: z.string().min(1).max(63),
    /** The api-server's URL as seen from outside the cluster (REST). */
    apiUrl: z.url(),
    /** The WebSocket gateway under that URL (the event stream for characters without Redis). */
    websocketUrl: z.url(),
    apiKey: z.string().min(1),
    character: z.record(z.string(), z.unknown()),
  })
  .strict();
export type ConnectionBundle = z.infer<typeof ConnectionBundleSchema>;

/** The metav1.Condition shape. */
export const ConditionSchema = z.object({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().nonnegative().optional(),
  lastTransitionTime: z.string().meta({ format: 'date-time' }),
  reason: z.string().min(1).max(1024),
  message: z.string().max(32768),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const CharacterStatusSchema = z
  .object({
    phase: CharacterPhaseSchema.optional(),
    observedGeneration: z.int().nonnegative().optional(),
    conditions: z
      .array(ConditionSchema)
      .max(32)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
    characterId: z.string().optional(),
    endpoint: z.string().optional(),
    sessionId: z.string().optional(),
  })
  .meta({ description: 'What the operator observed.' });
export type CharacterResourceStatus = z.infer<typeof CharacterStatusSchema>;

export interface CharacterMetadata {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

export interface Character {
  apiVersion: typeof CHARACTER_API_VERSION;
  kind: typeof CHARACTER_KIND;
  metadata: CharacterMetadata;
  spec: CharacterSpec;
  status?: CharacterResourceStatus;
}

/** RFC 4648 base32 in lower case (a-z, 2-7), unpadded: 256 bits in 52 characters. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Characters of the name kept in front of the digest, for people reading logs. */
export const CHARACTER_ID_NAME_PREFIX = 63 - 52 - 1;

/**
 * The id a Character registers under: a DNS label (registry.ts CharacterId) made of the start of
 * the name and the whole SHA-256 of `<namespace>/<name>` (neither part can hold a "/", so the
 * input is unambiguous). All 256 bits are kept: with a shortened digest two Characters in
 * different namespaces could be crafted to share an id, and with it the other's API key.
 */
export function characterIdFor(namespace: string, name: string): string {
  const digest = base32(createHash('sha256').update(`${namespace}/${name}`).digest());
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, CHARACTER_ID_NAME_PREFIX)
    .replace(/^-+|-+$/g, '');
  return base ? `${base}-${digest}` : digest;
}
