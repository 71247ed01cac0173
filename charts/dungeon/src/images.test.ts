// The image build files, checked where no Docker engine runs: scripts/images.sh refuses with a
// message that says why, and the Dockerfiles keep to the rules (multi-stage, non-root, every
// workspace manifest copied so npm sees the tree the lock describes).
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

describe('Dockerfiles', () => {
  const workspaces = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

  for (const app of ['api-server', 'operator']) {
    it(`${app}: multi-stage from node:24-slim to distroless Node 24, non-root, dist/ from tsc -b, production dependencies only`, () => {
      const text = readFileSync(join(repoRoot, app, 'Dockerfile'), 'utf8');
      expect(text).toContain('ARG NODE_IMAGE=node:24-slim');
      expect(text).toMatch(/ARG RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs24-debian12:nonroot/);
      expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
      expect(text).toContain(`tsc -b ${app}`);
      expect(text).toContain(`--omit=dev --workspace=${app}`);
      expect(text).toMatch(/^USER 65532:65532$/m);
      expect(text).toContain(`CMD ["${app}/dist/main.js"]`);
      for (const w of workspaces) expect(text, `${app}/Dockerfile copies ${w}/package.json`).toContain(`COPY ${w}/package.json ${w}/`);
    });
  }

  it('the chart runs them as the user they are built for', () => {
    const values = readFileSync(join(repoRoot, 'charts', 'dungeon', 'values.yaml'), 'utf8');
    expect(values.match(/runAsUser: 65532/g)?.length).toBe(2);
  });
});
