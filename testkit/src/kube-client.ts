import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/** A minimal HTTPS client for one identity; enough for the harness's own chores and smoke tests. */
export interface KubeIdentity {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

export function kubeRequest<T = unknown>(
  id: KubeIdentity,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<KubeResponse<T>> {
  const url = new URL(path, id.server);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: readFileSync(id.ca),
        cert: id.cert ? readFileSync(id.cert) : undefined,
        key: id.key ? readFileSync(id.key) : undefined,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
          ...(id.token ? { authorization: `Bearer ${id.token}` } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text; // not JSON (e.g. /healthz answers "ok")
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
