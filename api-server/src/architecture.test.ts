import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The api-server's folders are its modules (registry, sessions, actions, containers, engine, ...)
// and the files at the top are the composition root (server.ts, app.ts, modules.ts, context.ts).
// Runtime imports between modules must form no cycle: a cycle means two features that cannot be
// understood, tested or changed apart. Type-only imports are left out (they vanish at run time, and
// every module may name the AppContext type of the root).

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The module a file belongs to: its top folder, or the file itself at the root. */
const moduleOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

/** Module → modules it imports at run time, with one file that does, for the message. */
function moduleGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = moduleOf(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.[^']+)'/gms)) {
      if (m[1]) continue;
      const to = moduleOf(path.resolve(path.dirname(file), m[2]!));
      if (to === from || to.startsWith('..')) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, path.relative(SRC, file));
    }
  }
  return graph;
}

function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found = new Set<string>();
  const visit = (node: string, trail: string[]) => {
    for (const [next] of graph.get(node) ?? []) {
      const at = trail.indexOf(next);
      if (at >= 0) {
        const loop = [...trail.slice(at), next];
        const via = loop.slice(0, -1).map((m, i) => `${m} → ${loop[i + 1]} (${graph.get(m)!.get(loop[i + 1]!)})`);
        // One spelling per loop, whichever module it is entered from.
        const key = [...loop.slice(0, -1)].sort().join(',');
        if (![...found].some((f) => f.startsWith(`${key}|`))) found.add(`${key}|${via.join(', ')}`);
      } else if (trail.length < 12) {
        visit(next, [...trail, next]);
      }
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return [...found].map((f) => f.split('|')[1]!);
}

describe('api-server module structure', () => {
  it('has no import cycle between its modules', () => {
    expect(cycles(moduleGraph())).toEqual([]);
  });

  it('would see a cycle if there were one', () => {
    const g = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['a', 'b/y.ts']])],
    ]);
    expect(cycles(g)).toEqual(['a → b (a/x.ts), b → a (b/y.ts)']);
  });
});
