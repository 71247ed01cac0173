import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { createDatabase, makeWorkdir, removeWorkdir } from '@distributed-dungeon/testkit';
import { describe, expect, inject, it } from 'vitest';
import { startApi } from '../../test/harness.ts';

/** GET over HTTPS trusting only `ca`; resolves with status and body. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS for the api-server (TLS_CERT_FILE / TLS_KEY_FILE, as the chart mounts them)', () => {
  it('serves HTTPS with the given certificate, and a client that does not trust it is refused', async () => {
    // A cert-manager-shaped pair (tls.crt, tls.key) for 127.0.0.1, made here and never committed.
    const dir = makeWorkdir('api-tls');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'), '-days', '1', '-subj', '/CN=dungeon-api',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const api = await startApi({
      databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'tls'),
      redisUrl: inject('redisUrl'),
      TLS_CERT_FILE: join(dir, 'tls.crt'),
      TLS_KEY_FILE: join(dir, 'tls.key'),
    });
    try {
      expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ok = await httpsGet(`${api.url}/healthz`, readFileSync(join(dir, 'tls.crt')));
      expect(ok.status).toBe(200);
      // Node's default roots do not include our self-made CA: the handshake must fail.
      await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    } finally {
      await api.stop();
      removeWorkdir(dir);
    }
  });

  it('refuses to start when the certificate file cannot be read, naming the variable', async () => {
    await expect(
      startApi({
        databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'tls'),
        redisUrl: inject('redisUrl'),
        TLS_CERT_FILE: '/nonexistent/tls.crt',
        TLS_KEY_FILE: '/nonexistent/tls.key',
      }),
    ).rejects.toThrow(/TLS_CERT_FILE: cannot read \/nonexistent\/tls\.crt/);
  });
});
