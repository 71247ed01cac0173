// The image build files, checked where no Docker engine runs: scripts/images.sh refuses with a
// message that says why, and the one Dockerfile keeps to the rules (the stages the three images
// share exist once; multi-stage, non-root, every workspace manifest copied so npm sees the tree
// the lock describes).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './chart.ts';

const run = promisify(execFile);

describe('scripts/images.sh', () => {
  it('refuses to start when the Docker engine does not answer, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dungeon-images-'));
    try {
      // A docker client whose daemon is away, as on a machine without a running engine.
      const client = join(dir, 'docker');
      writeFileSync(client, '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n');
      chmodSync(client, 0o755);
      const failed = await run('bash', [join(repoRoot, 'scripts', 'images.sh')], { env: { ...process.env, DOCKER: client } }).then(
        () => undefined,
        (e: unknown) => e as { code: number; stderr: string },
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toMatch(/^Docker engine not available: .*Cannot connect to the Docker daemon/);
      const missing = await run('bash', [join(repoRoot, 'scripts', 'images.sh')], { env: { ...process.env, DOCKER: join(dir, 'no-such-client') } }).then(
        () => undefined,
        (e: unknown) => e as { code: number; stderr: string },
      );
      expect(missing?.stderr).toMatch(/^Docker engine not available: .*is not installed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const workspaces = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  // Each stage's text by its name (`FROM <base> AS <name>` up to the next FROM).
  const stages = new Map(
    text
      .split(/^(?=FROM )/m)
      .slice(1)
      .map((s) => [/^FROM \S+ AS (\S+)/.exec(s)?.[1] ?? '', s] as const),
  );
  const stage = (name: string) => {
    const s = stages.get(name);
    expect(s, `stage ${name}`).toBeDefined();
    return s!;
  };

  it('has the stages the images share once: every workspace manifest, then one npm ci all three build on', () => {
    expect(text).toContain('ARG NODE_IMAGE=node:24-slim');
    expect(text).toMatch(/ARG RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs24-debian12:nonroot/);
    for (const w of workspaces) expect(stage('manifests'), `manifests copies ${w}/package.json`).toContain(`COPY ${w}/package.json ${w}/`);
    expect(text.match(/COPY \S+\/package\.json /g)?.length).toBe(workspaces.length);
    expect(stage('deps')).toMatch(/^FROM manifests AS deps$/m);
    expect(text.match(/npm ci --ignore-scripts/g)?.length).toBe(1);
    for (const image of ['api-server', 'operator', 'character-base']) expect(stage(`${image}-build`)).toMatch(new RegExp(`^FROM deps AS ${image}-build$`, 'm'));
  });

  it('api-server: distroless Node 24, non-root, dist/ from tsc -b, production dependencies only', () => {
    expect(stage('api-server-build')).toContain('tsc -b api-server/tsconfig.build.json');
    expect(stage('api-server-prod-deps')).toContain('--omit=dev --workspace=api-server');
    const image = stage('api-server');
    expect(image).toMatch(/^FROM \$\{RUNTIME_IMAGE\} AS api-server$/m);
    expect(image).toMatch(/^USER 65532:65532$/m);
    expect(image).toContain('CMD ["api-server/dist/main.js"]');
  });

  it('operator: distroless Node 24, non-root, type-checked by tsc -b, runs the esbuild bundle alone', () => {
    expect(stage('operator-build')).toContain('tsc -b operator/tsconfig.build.json');
    expect(stage('operator-build')).toContain('node operator/build/bundle.ts /app/operator/bundle');
    const image = stage('operator');
    expect(image).toMatch(/^FROM \$\{RUNTIME_IMAGE\} AS operator$/m);
    expect(image).toMatch(/^USER 65532:65532$/m);
    // The bundle holds every dependency: no node_modules, no other workspace in the image.
    expect(image.match(/^COPY .*$/gm)).toEqual(['COPY --from=operator-build /app/operator/bundle operator/']);
    expect(image).toContain('CMD ["operator/main.mjs"]');
  });

  it('character-base: Node 24 slim, user 1000, the SDK runtime as entrypoint', () => {
    expect(stage('character-base-build')).toContain('tsc -b character-base-image/tsconfig.build.json');
    expect(stage('character-base-build')).not.toContain('testkit');
    const image = stage('character-base');
    expect(image).toMatch(/^FROM \$\{NODE_IMAGE\} AS character-base$/m);
    expect(image).toMatch(/^USER 1000:1000$/m);
    expect(image).toContain('ENTRYPOINT ["node", "/app/node_modules/@distributed-dungeon/character-sdk/dist/runtime/main.js"]');
  });

  it('the chart runs them as the user they are built for', () => {
    const values = readFileSync(join(repoRoot, 'charts', 'dungeon', 'values.yaml'), 'utf8');
    expect(values.match(/runAsUser: 65532/g)?.length).toBe(2);
  });
});
