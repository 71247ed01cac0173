import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The product packages ship what is in their src/ (the images and the SDK build it with
// tsconfig.build.json). Tests sit beside the code as *.test.ts; everything else a test needs —
// harnesses, fixtures, workloads, test processes — lives in the package's test/ folder. These
// checks fail when test code comes back into a product's src/.

const REPO = path.resolve(import.meta.dirname, '..', '..');
const PRODUCTS = ['api-server', 'operator', 'character-base-image', 'contracts', 'web'];
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const TEST = /\.test\.tsx?$/;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : filesUnder(p);
    return SOURCE.test(e.name) ? [p] : [];
  });
}

/** Module specifiers a file imports or re-exports (static, dynamic, require); `typeOnly` when erased. */
function specifiers(text: string): { spec: string; typeOnly: boolean }[] {
  return [
    ...[...text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)].map((m) => ({ spec: m[2]!, typeOnly: !!m[1] })),
    ...[...text.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => ({ spec: m[1]!, typeOnly: false })),
  ];
}

// Packages that exist for tests: not even a type of theirs belongs in a product.
const TEST_PACKAGES = /^(@distributed-dungeon\/testkit|vitest|@vitest\/.*|@testing-library\/.*|happy-dom|playwright-core|axe-core)$/;

const packageName = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const builtins = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtins.has(packageName(spec));

interface Source {
  file: string;
  text: string;
}

const read = (files: string[]): Source[] => files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** Resolves a relative specifier to the file it names (extension and /index lookups). */
function resolveRelative(from: string, spec: string, exists: (file: string) => boolean): string {
  const p = path.resolve(path.dirname(from), spec);
  for (const candidate of [p, `${p}.ts`, `${p}.tsx`, path.join(p, 'index.ts')]) if (exists(candidate)) return candidate;
  return p;
}

interface Product {
  name: string;
  src: string;
  allowed: Set<string>;
}

const products: Product[] = PRODUCTS.map((dir) => {
  const manifest = JSON.parse(readFileSync(path.join(REPO, dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const allowed = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  return { name: dir, src: path.join(REPO, dir, 'src'), allowed };
});

/** What a product's non-test files import that a product may not: test code, or packages only tests depend on. */
function violations(product: Product, sources: Source[]): string[] {
  const bad: string[] = [];
  for (const { file, text } of sources.filter((s) => !TEST.test(s.file))) {
    const rel = path.relative(REPO, file);
    for (const { spec, typeOnly } of specifiers(text)) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec, existsSync);
        if (TEST.test(target) || path.relative(product.src, target).startsWith('..')) bad.push(`${rel} imports ${spec} (outside ${product.name}/src, or a test)`);
      } else if (TEST_PACKAGES.test(packageName(spec))) {
        bad.push(`${rel} imports ${spec} (a test package)`);
      } else if (!typeOnly && !isBuiltin(spec) && !product.allowed.has(packageName(spec))) {
        // Types are erased (web takes the contracts' types only); code must come from a dependency.
        bad.push(`${rel} imports ${spec} (not among ${product.name}'s dependencies: a test or dev dependency)`);
      }
    }
  }
  return bad;
}

const isTestCode = (f: string) => TEST.test(f) || /[/\\](test|bench)[/\\]/.test(path.relative(REPO, f));

/** Files a file runs as a process of its own or reads as a module path: `new URL('./x.ts', import.meta.url)`. */
const urlReferences = (text: string) => [...text.matchAll(/new URL\(\s*['"](\.[^'"]+\.[cm]?[jt]sx?)['"]\s*,\s*import\.meta\.url/g)].map((m) => m[1]!);

/**
 * Files under the product src/ folders that only test code imports or spawns: tests, the test/
 * and bench/ folders, or (to a fixed point) other such files — a harness in src/ used only by a
 * test-only workload is test code too.
 */
function testOnlyFiles(srcDirs: string[], sources: Source[], entryPoints: Set<string> = new Set()): string[] {
  const known = new Set(sources.map((s) => s.file));
  const users = new Map<string, Set<string>>();
  for (const { file, text } of sources) {
    for (const spec of [...specifiers(text).map((s) => s.spec), ...urlReferences(text)]) {
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file, spec, (f) => known.has(f));
      if (target !== file) users.set(target, (users.get(target) ?? new Set()).add(file));
    }
  }
  const inProduct = (f: string) => srcDirs.some((d) => !path.relative(d, f).startsWith('..'));
  const candidates = sources.map((s) => s.file).filter((f) => inProduct(f) && !TEST.test(f) && !entryPoints.has(f) && (users.get(f)?.size ?? 0) > 0);
  const testOnly = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of candidates) {
      if (!testOnly.has(f) && [...users.get(f)!].every((u) => isTestCode(u) || testOnly.has(u))) {
        testOnly.add(f);
        grew = true;
      }
    }
  }
  return [...testOnly].sort().map((f) => `${path.relative(REPO, f)} (used only by ${[...users.get(f)!].map((i) => path.relative(REPO, i)).join(', ')})`);
}

/**
 * A product's programs (tests may spawn them too): the files its package.json runs, as src/*.ts or
 * dist/*.js, and those the root Dockerfile runs from its dist/ (named `<dir>/dist/…`, or by the
 * package name inside the character base image's node_modules).
 */
function entryPoints(): Set<string> {
  const found = new Set<string>();
  const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  for (const p of products) {
    const root = path.dirname(p.src);
    const manifest = path.join(root, 'package.json');
    const own = existsSync(manifest) ? readFileSync(manifest, 'utf8') : '';
    const name = existsSync(manifest) ? (JSON.parse(own) as { name: string }).name : undefined;
    const prefixes = [path.basename(root), ...(name ? [`node_modules/${name}`] : [])].map((d) => d.replace(/[/.-]/g, '\\$&')).join('|');
    for (const m of own.matchAll(/\b(?:src|dist)\/([\w/.-]+?)\.(?:ts|js)\b/g)) found.add(path.join(p.src, `${m[1]}.ts`));
    for (const m of dockerfile.matchAll(new RegExp(`(?:${prefixes})\\/dist\\/([\\w/.-]+?)\\.js\\b`, 'g'))) found.add(path.join(p.src, `${m[1]}.ts`));
  }
  return found;
}

describe('product packages hold no test code', () => {
  it.each(products.map((p) => [p.name, p] as const))('%s/src imports no test code and no test-only dependency', (_name, product) => {
    expect(violations(product, read(filesUnder(product.src)))).toEqual([]);
  });

  it('has no file in a product src/ that only tests use (import or spawn)', () => {
    const everything = read([...PRODUCTS, 'testkit', 'e2e', 'scripts', 'compose', 'charts'].flatMap((d) => filesUnder(path.join(REPO, d))));
    expect(testOnlyFiles(products.map((p) => p.src), everything, entryPoints())).toEqual([]);
  });

  it('would see a harness imported from src, a test package, a dev dependency and a file only tests use', () => {
    const api = products.find((p) => p.name === 'api-server')!;
    const at = (rel: string) => path.join(REPO, 'api-server', rel);
    const product = {
      file: at('src/server-x.ts'),
      text: [
        "import { startApi } from '../test/harness.ts';",
        "import { it } from 'vitest';",
        "import type {} from '@distributed-dungeon/testkit';",
        "import { Bench } from 'tinybench';",
        "import type { Thing } from 'tinybench';",
        "import { pino } from 'pino';",
        "import { readFile } from 'node:fs/promises';",
        "const { main } = await import('./main.ts');",
      ].join('\n'),
    };
    expect(violations(api, [product, { file: at('src/x.test.ts'), text: "import { it } from 'vitest';" }])).toEqual([
      "api-server/src/server-x.ts imports ../test/harness.ts (outside api-server/src, or a test)",
      'api-server/src/server-x.ts imports vitest (a test package)',
      'api-server/src/server-x.ts imports @distributed-dungeon/testkit (a test package)',
      "api-server/src/server-x.ts imports tinybench (not among api-server's dependencies: a test or dev dependency)",
    ]);
    const sources = [
      { file: at('src/game/autoplay.ts'), text: "import { applyAction } from './rules.ts';" },
      { file: at('src/game/rules.ts'), text: 'export const applyAction = 1;' },
      { file: at('src/game/index.ts'), text: "export { applyAction } from './rules.ts';" },
      { file: at('src/game/replay.test.ts'), text: "import { autoplay } from './autoplay.ts';" },
      { file: at('test/harness.ts'), text: "import { tiny } from '../src/game/fixtures.ts';" },
      { file: at('src/game/fixtures.ts'), text: 'export const tiny = 1;' },
      // A process a test spawns, and what only it (and tests) use.
      { file: at('src/containers/soak.int.test.ts'), text: "const cli = fileURLToPath(new URL('./workload-cli.ts', import.meta.url));" },
      { file: at('src/containers/workload-cli.ts'), text: "import { run } from './workload.ts';" },
      { file: at('src/containers/workload.ts'), text: "import { ContainerService } from './service.ts';" },
      { file: at('src/containers/service.ts'), text: 'export class ContainerService {}' },
      { file: at('src/containers/routes.ts'), text: "import { ContainerService } from './service.ts';" },
    ];
    expect(testOnlyFiles([at('src')], sources).map((f) => f.split(' ')[0])).toEqual([
      'api-server/src/containers/workload-cli.ts',
      'api-server/src/containers/workload.ts',
      'api-server/src/game/autoplay.ts',
      'api-server/src/game/fixtures.ts',
    ]);
  });
});
