import { mkdtempSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inClusterConnection, kubeconfigConnection, loadConnection } from './connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'connection-test-'));
const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64('CA') }): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'other', cluster: { server: 'https://elsewhere:1' } }, { name: 'local', cluster }],
      users: [{ name: 'me', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'local', user: 'me' } }],
      'current-context': 'ctx',
    }),
  );
  return file;
}

async function applied(connection: { applyToHTTPSOptions(o: RequestOptions): Promise<void> }): Promise<RequestOptions> {
  const options: RequestOptions = { headers: { accept: 'application/json' } };
  await connection.applyToHTTPSOptions(options);
  return options;
}

describe('connections to the Kubernetes API', () => {
  it('read the current context of a kubeconfig with embedded client certificates', async () => {
    const c = kubeconfigConnection(kubeconfig('certs.json', { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }));
    expect(c.server).toBe('https://127.0.0.1:6443');
    const o = await applied(c);
    expect([String(o.ca), String(o.cert), String(o.key)]).toEqual(['CA', 'CERT', 'KEY']);
    expect(o.headers).toEqual({ accept: 'application/json' });
  });

  it('send a token, read from a file relative to the kubeconfig, and CA files likewise', async () => {
    writeFileSync(join(dir, 'token'), 'sekret\n');
    writeFileSync(join(dir, 'ca.crt'), 'CA-FILE');
    const c = kubeconfigConnection(kubeconfig('token.json', { tokenFile: 'token' }, { server: 'https://k:6443', 'certificate-authority': 'ca.crt' }));
    const o = await applied(c);
    expect(o.headers).toEqual({ accept: 'application/json', authorization: 'Bearer sekret' });
    expect(String(o.ca)).toBe('CA-FILE');
  });

  it('in a pod: the service account token and CA, and the service address', async () => {
    const sa = mkdtempSync(join(tmpdir(), 'connection-sa-'));
    writeFileSync(join(sa, 'token'), 'pod-token');
    writeFileSync(join(sa, 'ca.crt'), 'POD-CA');
    const c = inClusterConnection({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, sa);
    expect(c.server).toBe('https://[fd00::1]:443');
    const o = await applied(c);
    expect(o.headers).toMatchObject({ authorization: 'Bearer pod-token' });
    expect(String(o.ca)).toBe('POD-CA');
  });

  it('say what is missing outside a cluster without a kubeconfig, and refuse a broken kubeconfig by field', () => {
    expect(() => inClusterConnection({}, dir)).toThrow(/KUBERNETES_SERVICE_HOST/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ clusters: [{ name: 'x', cluster: { server: 'not a url' } }], contexts: [], 'current-context': 'x' }));
    expect(() => kubeconfigConnection(broken)).toThrow(/server/);
    expect(() => loadConnection(undefined, { KUBECONFIG: `${broken}:${broken}` })).toThrow(/2 files/);
  });

  it('leave users with exec plugins to @kubernetes/client-node, with the server known at once', async () => {
    const file = kubeconfig('exec.json', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'`] } });
    const c = loadConnection(undefined, { KUBECONFIG: file });
    expect(c.server).toBe('https://127.0.0.1:6443');
    const o = await applied(c);
    expect(o.headers).toMatchObject({ Authorization: 'Bearer from-exec' });
  }, 30_000); // importing the library is slow on a loaded machine
});
