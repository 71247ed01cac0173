import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildValuesSchema, buildValuesTable, chartDir, generated, readAnnotations } from './values-schema.ts';

const readme = readFileSync(join(chartDir, '..', '..', 'README.md'), 'utf8');

describe('values.schema.json and the README values table come from values.yaml', () => {
  it('the checked-in schema and table are what `make chart-schema` writes', () => {
    const out = generated(readme);
    expect(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'), 'run make chart-schema').toBe(out.schema);
    expect(readme, 'run make chart-schema').toBe(out.readme);
  });

  it('infers types from defaults, refines them with @schema, describes them with # --', () => {
    const yaml = '# @schema {"required": ["a"]}\ns:\n  # -- The a.\n  # @schema {"minimum": 1}\n  a: 2\n  # -- Labels.\n  m: {}\n  # -- Shared.\n  # @schema {"$ref": "#/$defs/x"}\n  r:\n    k: v\n';
    const schema = buildValuesSchema(yaml, {}) as { properties: Record<string, unknown> };
    expect(schema.properties.s).toEqual({
      type: 'object', additionalProperties: false, required: ['a'],
      properties: {
        a: { type: 'integer', minimum: 1, description: 'The a.' },
        m: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels.' },
        r: { $ref: '#/$defs/x', description: 'Shared.' },
      },
    });
  });

  it('refuses an @schema line that is not JSON, naming the value', () => {
    expect(() => readAnnotations('# @schema {minimum: 1}\na: 1\n')).toThrow(/values.yaml a: @schema is not JSON/);
  });

  it('a row per @readme value, with its default', () => {
    expect(buildValuesTable('# -- Not shown.\nx: 1\n# -- The pods.\n# @readme\npods: 20\n').split('\n')).toEqual([
      '| value | default | what it does |', '|---|---|---|', '| `pods` | `20` | The pods. |',
    ]);
  });
});
