// Generates the Character CustomResourceDefinition from the zod schema in contracts, so the API
// server and the operator validate against one definition. zod emits OpenAPI 3.0 JSON Schema;
// this file turns it into a Kubernetes structural schema.
import {
  CHARACTER_GROUP,
  CHARACTER_KIND,
  CHARACTER_PLURAL,
  CHARACTER_SHORT_NAMES,
  CHARACTER_SINGULAR,
  CHARACTER_VERSION,
  CharacterSpecSchema,
  CharacterStatusSchema,
} from '@distributed-dungeon/contracts';
import { stringify } from 'yaml';
import { abilityItemRule, abilitySpecRules } from './abilities-cel.ts';
import { z } from 'zod';

export const CRD_FILE = 'crds/characters.distributed-dungeon.io.yaml';

type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Removes nulls from a default: absent and null mean the same to us, and nulls are not pruned. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]));
}

/** Rewrites one JSON Schema node (and its children) into the structural OpenAPI v3 subset. */
function toStructural(node: Schema): Schema {
  if (node['x-dungeon-quantity']) {
    // maxLength bounds the CEL cost estimate of isQuantity(); it only applies to the string form.
    const out: Schema = {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      maxLength: 32,
    };
    for (const key of ['description', 'default', 'x-kubernetes-validations']) if (key in node) out[key] = node[key];
    return out;
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
      case 'propertyNames':
        break;
      case 'additionalProperties':
        // Structural schemas forbid it beside `properties`; pruning drops unknown fields anyway.
        if (isObject(value) && Object.keys(value).length > 0 && !node.properties && !node['x-kubernetes-preserve-unknown-fields']) {
          out[key] = toStructural(value);
        }
        break;
      case 'properties':
        out[key] = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, toStructural(v)]));
        break;
      case 'items':
        out[key] = toStructural(value as Schema);
        break;
      case 'default':
        if (value !== null) out[key] = dropNulls(value);
        break;
      case 'pattern':
        // A CEL rule on the same field says it in words; the raw pattern would only add noise.
        if (!node['x-kubernetes-validations']) out[key] = value;
        break;
      case 'maximum':
        if (value !== Number.MAX_SAFE_INTEGER) out[key] = value;
        break;
      case 'minimum':
        if (value !== Number.MIN_SAFE_INTEGER) out[key] = value;
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

function jsonSchema(schema: z.ZodType): Schema {
  return toStructural(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Schema);
}

/** Adds the catalogue's CEL rules (abilities-cel.ts) to the spec: per entry, and across class and level. */
function withAbilityRules(spec: Schema): Schema {
  const props = spec.properties as Record<string, Schema>;
  const abilities = props.abilities!;
  const items = { ...(abilities.items as Schema), 'x-kubernetes-validations': [abilityItemRule()] };
  const rules = [...((spec['x-kubernetes-validations'] as unknown[]) ?? []), ...abilitySpecRules()];
  return { ...spec, properties: { ...props, abilities: { ...abilities, items } }, 'x-kubernetes-validations': rules };
}

export function buildCharacterCrd(): Schema {
  const readyPath = '.status.conditions[?(@.type=="Ready")].status';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${CHARACTER_PLURAL}.${CHARACTER_GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'distributed-dungeon', 'app.kubernetes.io/component': 'crd' },
    },
    spec: {
      group: CHARACTER_GROUP,
      scope: 'Namespaced',
      names: {
        kind: CHARACTER_KIND,
        listKind: `${CHARACTER_KIND}List`,
        plural: CHARACTER_PLURAL,
        singular: CHARACTER_SINGULAR,
        shortNames: [...CHARACTER_SHORT_NAMES],
        categories: ['dungeon'],
      },
      versions: [
        {
          name: CHARACTER_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Class', type: 'string', jsonPath: '.spec.class' },
            { name: 'Level', type: 'integer', jsonPath: '.spec.level' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Session', type: 'string', jsonPath: '.status.sessionId' },
            { name: 'Ready', type: 'string', jsonPath: readyPath },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A player character: one container workload that registers with the dungeon and plays.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: withAbilityRules(jsonSchema(CharacterSpecSchema)),
                status: jsonSchema(CharacterStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}

export function renderCharacterCrdYaml(): string {
  const header = '# Generated by `npm -w operator run gen:crd` from contracts/src/character.ts. Do not edit by hand.\n';
  return header + stringify(buildCharacterCrd(), { lineWidth: 0 });
}
