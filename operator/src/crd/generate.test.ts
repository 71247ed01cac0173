import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCharacterCrd, CRD_FILE, renderCharacterCrdYaml } from './generate.ts';

const root = join(import.meta.dirname, '..', '..', '..');

type Node = Record<string, unknown>;
function walk(node: Node, path: string, visit: (n: Node, p: string) => void) {
  visit(node, path);
  for (const [k, v] of Object.entries((node.properties as Record<string, Node>) ?? {})) walk(v, `${path}.${k}`, visit);
  if (node.items) walk(node.items as Node, `${path}[]`, visit);
}

describe('Character CRD', () => {
  it('matches the checked-in YAML (run `npm -w operator run gen:crd` after changing the schema)', () => {
    expect(readFileSync(join(root, CRD_FILE), 'utf8')).toBe(renderCharacterCrdYaml());
  });

  const crd = buildCharacterCrd() as { spec: { versions: Node[]; names: Node } };
  const version = crd.spec.versions[0]!;
  const schema = (version.schema as { openAPIV3Schema: Node }).openAPIV3Schema;

  it('names, status subresource and printer columns', () => {
    expect(crd.spec.names).toMatchObject({ kind: 'Character', plural: 'characters', shortNames: ['char', 'chars'] });
    expect(version.subresources).toEqual({ status: {} });
    expect((version.additionalPrinterColumns as Node[]).map((c) => c.name)).toEqual(['Class', 'Level', 'Phase', 'Session', 'Ready', 'Age']);
  });

  it('is structural: every node typed, no additionalProperties beside properties, no $schema', () => {
    walk(schema, '', (n, p) => {
      expect(n.type ?? n['x-kubernetes-int-or-string'], `type at ${p}`).toBeTruthy();
      if (n.properties) expect(n.additionalProperties, p).toBeUndefined();
      expect(n.$schema).toBeUndefined();
      expect(n['x-dungeon-quantity']).toBeUndefined();
    });
  });

  it('carries CEL rules with player-readable messages and defaults', () => {
    const spec = (schema.properties as Record<string, Node>).spec!;
    const props = spec.properties as Record<string, Node>;
    const messages = (n: Node) => ((n['x-kubernetes-validations'] as { message: string }[]) ?? []).map((v) => v.message);
    expect(messages(props.class!)[0]).toMatch(/class must be one of fighter, wizard/);
    expect(messages(props.level!)[0]).toMatch(/between 1 and 20/);
    expect(messages(props.image!)[0]).toMatch(/container image reference/);
    const size = (props.storage!.properties as Record<string, Node>).size!;
    expect(size['x-kubernetes-int-or-string']).toBe(true);
    expect(size.default).toBe('1Gi');
    expect(messages(size)[0]).toMatch(/quantity/);
    expect(props.config!['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(props.config!.maxProperties).toBe(64);
    // image is required unless placement is external: a CEL rule on the spec says so.
    expect(spec.required).toEqual(['displayName', 'class', 'level']);
    expect(props.storage!.default).toEqual({ size: '1Gi', retainOnDelete: false });
  });

  it('round-trips through YAML', () => {
    expect(parse(renderCharacterCrdYaml())).toEqual(buildCharacterCrd());
  });
});
