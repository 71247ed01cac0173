// values.yaml is the one source of the chart's values: its `# --` comments describe each value and
// `# @schema {...}` lines add JSON Schema constraints. From them this writes values.schema.json
// (strict: every object refuses unknown keys) and the README's values table (`# @readme` marks a
// row). `make chart-schema` rewrites both; values-schema.test.ts fails when either has drifted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export type Schema = Record<string, unknown>;

interface Annotation {
  description?: string;
  schema?: Schema;
  readme?: boolean;
}

/** `# --` text, `# @schema` JSON and `# @readme` of each dotted key path, read line by line. */
export function readAnnotations(text: string): Map<string, Annotation> {
  const out = new Map<string, Annotation>();
  const stack: { indent: number; key: string }[] = [];
  let comment: string[] = [];
  let listIndent = -1;
  for (const [i, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    const indent = line.length - line.trimStart().length;
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      comment.push(trimmed);
      continue;
    }
    // List items (and what is nested in them) are the value of the key above.
    if (listIndent >= 0 && indent > listIndent) continue;
    listIndent = -1;
    if (trimmed.startsWith('-')) {
      listIndent = stack.at(-1)?.indent ?? 0;
      comment = [];
      continue;
    }
    const m = /^([-\w./]+):(.*)$/.exec(trimmed);
    if (!m) throw new Error(`values.yaml line ${i + 1}: cannot read ${JSON.stringify(line)}`);
    while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
    const path = [...stack.map((e) => e.key), m[1]!].join('.');
    out.set(path, annotationOf(comment, path));
    comment = [];
    if (m[2]!.trim() === '') stack.push({ indent, key: m[1]! });
  }
  return out;
}

function annotationOf(lines: string[], path: string): Annotation {
  const a: Annotation = {};
  const text: string[] = [];
  let inDescription = false;
  for (const l of lines) {
    if (l.startsWith('## ')) inDescription = false;
    else if (l.startsWith('# -- ')) {
      inDescription = true;
      text.push(l.slice(5));
    }
    else if (l.startsWith('# @schema ')) {
      try {
        a.schema = { ...a.schema, ...(JSON.parse(l.slice(10)) as Schema) };
      } catch (error) {
        throw new Error(`values.yaml ${path}: @schema is not JSON: ${(error as Error).message}`, { cause: error });
      }
    } else if (l === '# @readme') a.readme = true;
    else if (inDescription && l.startsWith('# ')) text.push(l.slice(2));
    else if (inDescription && l === '#') text.push('');
  }
  if (text.length) a.description = text.join(' ').replace(/\s+/g, ' ').trim();
  return a;
}

function inferred(value: unknown, path: string, notes: Map<string, Annotation>): Schema {
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (Array.isArray(value)) return { type: 'array', items: value.length ? inferred(value[0], path, new Map()) : { type: 'string' } };
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    // An empty map in values.yaml is one of labels, annotations or selectors: strings to strings.
    if (entries.length === 0) return { type: 'object', additionalProperties: { type: 'string' } };
    const properties = Object.fromEntries(entries.map(([k, v]) => [k, nodeFor(v, path ? `${path}.${k}` : k, notes)]));
    return { type: 'object', additionalProperties: false, properties };
  }
  throw new Error(`values.yaml ${path}: give a default (null has no type to infer)`);
}

function nodeFor(value: unknown, path: string, notes: Map<string, Annotation>): Schema {
  const note = notes.get(path) ?? {};
  // A $ref or a type states the whole shape; other keywords refine the shape the default implies.
  const base = note.schema?.$ref || note.schema?.type ? {} : inferred(value, path, notes);
  const node: Schema = { ...base, ...note.schema };
  if (note.description) node.description = note.description;
  return node;
}

export function buildValuesSchema(valuesYaml: string, defs: Schema): Schema {
  const values = parse(valuesYaml) as Record<string, unknown>;
  const root = inferred(values, '', readAnnotations(valuesYaml));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Values of the Distributed Dungeon chart',
    description: 'Generated from values.yaml by `make chart-schema`; do not edit. Strict: every object refuses keys it does not know, so a misspelled value is an error.',
    type: 'object',
    additionalProperties: false,
    $defs: defs,
    properties: root.properties,
  };
}

function get(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), values);
}

/** A default as a reader types it: YAML flow, short. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '`""`' : `\`${value}\``;
  const flow = JSON.stringify(value).replace(/"([^"]+)":/g, '$1: ').replace(/"/g, '').replace(/,/g, ', ');
  return `\`${flow.length > 60 ? `${flow.slice(0, 57)}…` : flow}\``;
}

/** The README table: one row per `# @readme` value, in values.yaml order. */
export function buildValuesTable(valuesYaml: string): string {
  const values = parse(valuesYaml) as unknown;
  const rows = [...readAnnotations(valuesYaml)].filter(([, a]) => a.readme);
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| value | default | what it does |',
    '|---|---|---|',
    ...rows.map(([path, a]) => `| \`${path}\` | ${cell(shown(get(values, path)))} | ${cell(a.description ?? '')} |`),
  ].join('\n');
}

export const chartDir = join(import.meta.dirname, '..');
export const README_TABLE_START = '<!-- values table: generated from charts/dungeon/values.yaml by `make chart-schema` -->';
export const README_TABLE_END = '<!-- end of values table -->';

/** `readme` with the text between the table markers replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md: the values table markers are missing (${README_TABLE_START} … ${README_TABLE_END})`);
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** What the checked-in files should hold. */
export function generated(readme: string): { schema: string; readme: string } {
  const valuesYaml = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
  const defs = JSON.parse(readFileSync(join(chartDir, 'src', 'values-schema-defs.json'), 'utf8')) as Schema;
  return { schema: `${JSON.stringify(buildValuesSchema(valuesYaml, defs), null, 2)}\n`, readme: withTable(readme, buildValuesTable(valuesYaml)) };
}
