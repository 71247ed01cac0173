// A thin HTTPS client for the Kubernetes API (kubeconfig or in-cluster auth: connection.ts). Our
// own, so watches can be streamed, timed out and aborted exactly as the watch loop needs, and
// every write can be counted.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConnection, type Connection } from './connection.ts';

/** Requests in flight at once, other than watches (which have an agent of their own). */
const MAX_SOCKETS = 64;

export class KubeError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    const b = body as { message?: string; reason?: string } | undefined;
    super(`${method} ${path}: HTTP ${status}${b?.message ? ` ${b.message}` : ''}`);
    this.status = status;
    this.reason = b?.reason ?? '';
    this.body = body;
  }
}

interface RequestOptionsExtra {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Watch streams: their own agent (see streamAgent). */
  streaming?: boolean;
  /** Skips the write guard (the leader elector's own Lease writes). */
  unguarded?: boolean;
  /** The Accept header (default application/json); metadata-only lists and watches ask for another. */
  accept?: string;
}

/** Throws to refuse a write before it is sent (a replica that is no longer the leader). */
type WriteGuard = (method: string, path: string) => void;

interface RequestObserver {
  (verb: string, path: string, status: number, ms: number): void;
}

export class KubeClient {
  readonly server: string;
  private readonly kc: Connection;
  private readonly agent: HttpAgent | HttpsAgent;
  /**
   * Watches hold their connection for minutes: on the requests' agent, twelve kinds (times the
   * open namespaces) of streams would take sockets from the 32 that reconciles share, and with
   * enough namespaces all of them. Streams get an agent of their own, unbounded (one each).
   */
  private readonly streamAgent: HttpAgent | HttpsAgent;
  private readonly observers: RequestObserver[] = [];
  private guard: WriteGuard | undefined;

  /** A Connection, or a KubeConfig of @kubernetes/client-node (its current cluster). */
  constructor(kc: Connection | KubeConfig) {
    let server: string;
    if ('server' in kc) server = kc.server;
    else {
      const cluster = kc.getCurrentCluster();
      if (!cluster) throw new Error('kubeconfig has no current cluster');
      server = cluster.server;
    }
    this.kc = kc as Connection;
    this.server = server.replace(/\/+$/, '');
    const Agent = this.server.startsWith('https:') ? HttpsAgent : HttpAgent;
    // HTTP/1.1: one request per socket at a time. A reconcile writes a Character's children side
    // by side, so its workers want more requests in flight than there are workers; at 32 sockets
    // a burst of 1,000 new Characters waited for a socket more than for kube-apiserver.
    // bench/provision.ts at 1,000, operator against the plain client of the same run: 32 sockets
    // 0.60 and 0.56, 64 sockets 0.75 and 0.72, 128 sockets 0.57 (and 8 MiB more peak RSS).
    this.agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
    this.streamAgent = new Agent({ keepAlive: true });
  }

  /** KUBECONFIG (or ~/.kube/config) when present, otherwise the in-cluster service account. */
  static load(kubeconfigPath?: string): KubeClient {
    return new KubeClient(loadConnection(kubeconfigPath));
  }

  onRequest(observer: RequestObserver): void {
    this.observers.push(observer);
  }

  /** Every request but GET passes `guard` first, synchronously, unless it is marked unguarded. */
  setWriteGuard(guard: WriteGuard | undefined): void {
    this.guard = guard;
  }

  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }

  private async open(method: string, path: string, opts: RequestOptionsExtra): Promise<{ res: IncomingMessage; url: URL }> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const options: RequestOptions = {
      method,
      agent: opts.streaming ? this.streamAgent : this.agent,
      headers: {
        accept: opts.accept ?? 'application/json',
        ...(payload !== undefined ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
    };
    await this.kc.applyToHTTPSOptions(options);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...options, signal: opts.signal }, (res) => resolve({ res, url }));
      if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out after ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** One request; non-2xx answers throw KubeError (callers branch on `.status`). */
  async request<T = unknown>(method: string, path: string, opts: RequestOptionsExtra = {}): Promise<T> {
    if (method !== 'GET' && !opts.unguarded) this.guard?.(method, path);
    const started = performance.now();
    let status = 0;
    try {
      const { res } = await this.open(method, path, { timeoutMs: 30_000, ...opts });
      status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      if (text && (res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
      if (status < 200 || status >= 300) throw new KubeError(method, path, status, body);
      return body as T;
    } finally {
      const ms = performance.now() - started;
      for (const o of this.observers) o(method, path, status, ms);
    }
  }

  /**
   * Opens a watch stream and calls `onLine` for each JSON event. Resolves when the server ends
   * the stream; rejects on errors. Non-2xx answers reject with KubeError.
   */
  async stream(path: string, query: RequestOptionsExtra['query'], onLine: (event: unknown) => void, signal: AbortSignal, accept?: string): Promise<void> {
    const { res } = await this.open('GET', path, { query, signal, streaming: true, accept });
    const status = res.statusCode ?? 0;
    for (const o of this.observers) o('WATCH', path, status, 0);
    if (status < 200 || status >= 300) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch (error) {
        body = { message: `${text} (${String(error)})` };
      }
      throw new KubeError('WATCH', path, status, body);
    }
    let buffered = '';
    res.setEncoding('utf8');
    for await (const chunk of res) {
      buffered += chunk as string;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) onLine(JSON.parse(line));
      }
    }
  }
}
