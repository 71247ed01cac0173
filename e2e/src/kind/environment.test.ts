import { describe, expect, it } from 'vitest';
import { chooseDemoPath, dockerStatus, kindRefusal } from './environment.ts';

const up = (detail: string) => ({ ok: true, detail });
const down = (detail: string) => ({ ok: false, detail });

describe('make e2e-kind preflight', () => {
  it('refuses to start without Docker, saying so and what to run instead', () => {
    const message = kindRefusal(down('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'), up('kind v0.30.0 go1.24.6 linux/amd64'));
    expect(message).toContain('make e2e-kind refuses to start: Docker is not available (Cannot connect to the Docker daemon');
    expect(message).toContain('needs a running Docker engine');
    expect(message).toContain('`make test` runs the same flow on the local control plane');
    expect(message).not.toContain('kind is not available');
  });

  it('names kind too when it is missing', () => {
    expect(kindRefusal(down("'docker' is not installed"), down("'kind' is not installed"))).toMatch(
      /^make e2e-kind refuses to start: Docker is not available \('docker' is not installed\); kind is not available \('kind' is not installed\)\./,
    );
  });

  it('lets it start when both are there', () => {
    expect(kindRefusal(up('Docker engine 28.3.0'), up('kind v0.30.0'))).toBeUndefined();
  });

  it('reports a docker client that is not installed as such', async () => {
    const status = await dockerStatus('docker-that-does-not-exist-here');
    expect(status).toEqual({ ok: false, detail: "'docker-that-does-not-exist-here' is not installed" });
  });
});

describe('make demo picks where to run', () => {
  const noCluster = { ok: false, detail: 'The connection to the server localhost:8080 was refused' };
  it('the local control plane when there is no cluster and no Docker', () => {
    const path = chooseDemoPath({ cluster: noCluster, docker: down('Cannot connect to the Docker daemon'), kind: down("'kind' is not installed") }, {});
    expect(path.kind).toBe('local');
    expect(path.why).toContain('Docker is not available');
  });

  it('kind when Docker and kind work', () => {
    expect(chooseDemoPath({ cluster: noCluster, docker: up('Docker engine 28.3.0'), kind: up('kind v0.30.0 go1.24 linux/amd64') }, {}).kind).toBe('kind');
  });

  it("the user's cluster only when images are published for it", () => {
    const cluster = { ok: true, detail: 'https://k8s.example:6443', context: 'prod' };
    const probes = { cluster, docker: down('no'), kind: down('no') };
    expect(chooseDemoPath(probes, {}).kind).toBe('local');
    expect(chooseDemoPath(probes, {}).why).toContain('DUNGEON_IMAGE_REGISTRY is not set');
    expect(chooseDemoPath(probes, { DUNGEON_IMAGE_REGISTRY: 'registry.example' })).toEqual({ kind: 'cluster', why: 'kubectl reaches https://k8s.example:6443 (context prod)', context: 'prod' });
  });

  it('DEMO_MODE forces a path', () => {
    expect(chooseDemoPath({ cluster: noCluster, docker: up('d'), kind: up('k') }, { DEMO_MODE: 'local' }).kind).toBe('local');
  });
});
