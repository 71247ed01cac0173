// The operator as the image runs it: src/main.ts and everything it imports (contracts from their
// TypeScript sources, pino, zod, prom-client, ...) bundled by esbuild into one ES module, with the
// lazily imported libraries (yaml for a policy file, @kubernetes/client-node for a kubeconfig user
// that needs more than static credentials) split into chunks that load only when imported.
// Why: a process that loads hundreds of separate module files compiles and keeps each of them;
// one tree-shaken file needs less resident memory before the first Character is even seen (the
// figures are in operator/README.md). No source maps: the image carries none.
//   node operator/build/bundle.ts [outdir]     (default operator/dist/bundle; main.mjs is the entry)
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const operatorDir = join(import.meta.dirname, '..');
export const bundleDir = join(operatorDir, 'dist', 'bundle');
export const bundleMain = join(bundleDir, 'main.mjs');

export async function bundleOperator(outdir = bundleDir): Promise<void> {
  // Chunk names carry a content hash: an earlier build's chunks would linger beside the new ones.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: join(operatorDir, 'src', 'main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // The workspaces' own packages resolve to their TypeScript sources, as under --conditions=source.
    conditions: ['source'],
    // CommonJS dependencies (pino, prom-client) call require() for Node's built-ins; an ES module
    // has no require of its own, so the bundle makes one.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.main) await bundleOperator(process.argv[2]);
