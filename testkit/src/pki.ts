import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args).catch((err: Error & { stderr?: string }) => {
    throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? err.message}`);
  });
}

/**
 * Everything a kube-apiserver needs to trust and be trusted, generated fresh per control plane:
 * a CA, a serving certificate for loopback and the in-cluster names, a `system:masters` client
 * certificate for the admin kubeconfig, and the service-account signing key pair.
 */
export async function generatePki(dir: string, extraIps: string[] = []): Promise<Pki> {
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '30', '-subj', '/CN=dungeon-local-ca']);
  const names = [
    'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local', 'IP:127.0.0.1', 'IP:10.96.0.1',
    ...extraIps.filter((ip) => ip !== '127.0.0.1').map((ip) => `IP:${ip}`),
  ].join(',');
  const sign = (key: string, cert: string, subj: string, ext: string[]) =>
    openssl(['req', '-x509', ...ec, '-keyout', p(key), '-out', p(cert), '-days', '30', '-subj', subj,
      '-CA', p('ca.crt'), '-CAkey', p('ca.key'), ...ext.flatMap((e) => ['-addext', e])]);
  await sign('serving.key', 'serving.crt', '/CN=kube-apiserver', [
    `subjectAltName=${names}`, 'extendedKeyUsage=serverAuth', 'basicConstraints=critical,CA:FALSE',
  ]);
  await sign('admin.key', 'admin.crt', '/O=system:masters/CN=dungeon-admin', [
    'extendedKeyUsage=clientAuth', 'basicConstraints=critical,CA:FALSE',
  ]);
  await openssl(['genrsa', '-out', p('sa.key'), '2048']);
  await openssl(['rsa', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')]);
  return {
    caCert: p('ca.crt'), caKey: p('ca.key'), servingCert: p('serving.crt'), servingKey: p('serving.key'),
    adminCert: p('admin.crt'), adminKey: p('admin.key'), serviceAccountKey: p('sa.key'), serviceAccountPub: p('sa.pub'),
  };
}

/** A kubeconfig for one identity, with certificates embedded so the file stands alone. */
export async function writeKubeconfig(
  file: string,
  opts: { server: string; caCert: string; user: string; clientCert?: string; clientKey?: string; token?: string },
): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const b64 = async (f: string) => (await readFile(f)).toString('base64');
  const user: Record<string, string> = {};
  if (opts.clientCert && opts.clientKey) {
    user['client-certificate-data'] = await b64(opts.clientCert);
    user['client-key-data'] = await b64(opts.clientKey);
  }
  if (opts.token) user.token = opts.token;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'dungeon-local', cluster: { server: opts.server, 'certificate-authority-data': await b64(opts.caCert) } }],
    users: [{ name: opts.user, user }],
    contexts: [{ name: 'dungeon-local', context: { cluster: 'dungeon-local', user: opts.user } }],
    'current-context': 'dungeon-local',
  };
  // JSON is valid YAML, and every kubeconfig reader accepts it.
  await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}
