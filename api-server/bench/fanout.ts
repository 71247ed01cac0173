// WebSocket fan-out (issue 14): one event to N clients connected to the api-server's /ws on
// loopback, timed from the PUBLISH into Redis to each client's receipt (one clock: the clients and
// the publisher share this process). The api-server's gateway holds one subscriber connection and
// sends each message to every socket that listens on its channel.
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { ADMIN_TOKEN, http, keySpecFor, registrationBody } from '../test/harness.ts';

export interface FanOutResult {
  clients: number;
  events: number;
  deliveries: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/** Registers `clients` characters into one session of that capacity, connects each, publishes `events`. */
export async function measureFanOut(base: string, redisUrl: string, opts: { clients: number; events: number; concurrency: number }): Promise<FanOutResult> {
  const sessionId = `fanout-${Date.now().toString(36)}`;
  const made = await http(base, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: sessionId, capacity: opts.clients } });
  if (made.status !== 201) throw new Error(`fan-out session: ${made.status} ${JSON.stringify(made.body)}`);
  const ids = Array.from({ length: opts.clients }, (_, i) => `fan-${i}`);
  const tokens: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const body = registrationBody(ids[i]!, { sessionId });
        const key = await http<{ apiKey: string }>(base, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId: ids[i], spec: keySpecFor(body, sessionId) } });
        const reg = await http<{ characterToken: string }>(base, 'POST', '/api/registry/character', { apiKey: key.body.apiKey, body });
        if (reg.status !== 200) throw new Error(`fan-out registration: ${reg.status} ${JSON.stringify(reg.body)}`);
        tokens[i] = reg.body.characterToken;
      }
    }),
  );

  const latencies: number[] = [];
  const sentAt = new Map<number, number>();
  const sockets: WebSocket[] = [];
  const wsBase = base.replace('http', 'ws');
  let pending = 0;
  let settle: (() => void) | undefined;
  for (let i = 0; i < tokens.length; i += opts.concurrency) {
    await Promise.all(
      tokens.slice(i, i + opts.concurrency).map(
        (token) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`${wsBase}/ws?token=${token}`);
            ws.on('message', (data) => {
              const text = data.toString();
              const m = /"fanout":(\d+)/.exec(text);
              if (!m) return;
              latencies.push(performance.now() - sentAt.get(Number(m[1]))!);
              if (--pending === 0) settle?.();
            });
            ws.once('open', () => resolve());
            ws.once('error', reject);
            // A refused upgrade names its problem (code and detail) instead of a bare status.
            ws.once('unexpected-response', (_req, res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => reject(new Error(`fan-out websocket refused: ${res.statusCode} ${text}`)));
            });
            sockets.push(ws);
          }),
      ),
    );
  }
  const publisher = new Redis(redisUrl);
  try {
    // Subscriptions are made as sockets are accepted; wait until the gateway listens.
    for (let tries = 0; ; tries++) {
      const [, n] = (await publisher.call('PUBSUB', 'NUMSUB', `session:${sessionId}:system`)) as [string, number];
      if (n > 0) break;
      if (tries > 100) throw new Error('the gateway never subscribed to the session');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let e = 0; e < opts.events; e++) {
      pending = sockets.length;
      const done = new Promise<void>((resolve) => (settle = resolve));
      const message = JSON.stringify({ id: `fanout-${e}`, type: 'system.bench', sessionId, fanout: e });
      sentAt.set(e, performance.now());
      await publisher.publish(`session:${sessionId}:system`, message);
      await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    publisher.disconnect();
    for (const ws of sockets) ws.terminate();
  }
  latencies.sort((a, b) => a - b);
  return {
    clients: sockets.length,
    events: opts.events,
    deliveries: latencies.length,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    maxms: latencies.at(-1) ?? NaN,
  };
}
