// Throughput benchmark (not a test): `npm -w api-server run bench`.
// Starts PostgreSQL, Redis and the api-server (as its own process), then measures end to end, with
// 64 concurrent clients: registrations/s (mint excluded); actions/s spread over 64 sessions (one
// character of each) and within one session; and in the same run the peers: pgbench running the
// registration's SQL and the action's one-statement command write, and redis-benchmark PUBLISH.
// BENCH_CPU_PROF_DIR=/tmp/x writes the api-server's CPU profile there (NODE_OPTIONS refuses --cpu-prof).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, makeWorkdir, startPostgres, startProcess, startRedis, waitUntil } from '@distributed-dungeon/testkit';
import { ADMIN_TOKEN, SIGNING_KEYS, http, keySpecFor, registrationBody } from '../test/harness.ts';
import { type FanOutResult, measureFanOut } from './fanout.ts';
import { ACTION_SCRIPT, ACTION_SETUP, REGISTRATION_SCRIPT, REGISTRATION_SETUP, pgbenchTps } from './pgbench.ts';
import { type PeerRow, writeRows } from './table.ts';
import pg from 'pg';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 2000);
const ACTION_SECONDS = Number(process.env.BENCH_ACTION_SECONDS ?? 10);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 100_000);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 10);
const FANOUT_CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1000);
const FANOUT_EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 20);
// Fewer characters per session open the 64 sessions with fewer registrations (a shorter A/B run).
const SESSION_CAPACITY = Number(process.env.BENCH_SESSION_CAPACITY ?? 24);

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Figure {
  what: string;
  ops: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** The api-server's CPU (user + system) per op: steadier than ops/s on a machine others share. */
  cpuMsPerOp?: number;
  /** The api-server's write syscalls per op (each PostgreSQL query, Redis write and HTTP answer is one or more): its round trips, whatever the load. */
  writesPerOp?: number;
}

/** Write syscalls a process has made so far (Linux /proc/<pid>/io `syscw`; NaN elsewhere). */
function writes(pid: number | undefined): number {
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Linux's USER_HZ: /proc counts CPU time in these ticks. */
const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** The api-server whose CPU `drive` counts (set once it is started). */
const measured: { pid?: number } = {};

/** Runs `CONCURRENCY` workers that call `op(i)` until `more()` says stop; collects latencies. */
async function drive(what: string, more: (i: number) => boolean, op: (worker: number, i: number) => Promise<boolean>): Promise<Figure> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const cpu0 = cpuMs(measured.pid);
  const writes0 = writes(measured.pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (;;) {
        const i = next++;
        if (!more(i)) return;
        const s = performance.now();
        if (!(await op(worker, i))) errors++;
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const cpuMsPerOp = (cpuMs(measured.pid) - cpu0) / latencies.length;
  const writesPerOp = (writes(measured.pid) - writes0) / latencies.length;
  return { what, ops: latencies.length, seconds, perSecond: latencies.length / seconds, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99), errors, cpuMsPerOp, writesPerOp };
}

const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
const databaseUrl = await postgres.createDatabase('bench');
const port = await freePort();
const workdir = makeWorkdir('bench-api');
const api = startProcess('api-server', process.execPath, [...(process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []), '--conditions=source', join(here, '../src/main.ts')], {
  logFile: join(workdir, 'api-server.log'),
  env: {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    DUNGEON_ADMIN_TOKEN: ADMIN_TOKEN,
    JWT_SIGNING_KEYS: SIGNING_KEYS,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_POINTS: '1000000',
    // 2000 registrations fill about 83 sessions of 24 (the registry opens them itself): enough for
    // the actions to run across 64 sessions, and one session holds 24 characters.
    SESSION_CAPACITY: String(SESSION_CAPACITY),
    SESSIONS_AUTO_CREATE_MAX: '1000',
    PG_POOL_MAX: '32',
    // The bench's characters send no heartbeats: on a loaded machine the registrations can take
    // longer than the default 90 s, and the first sessions' characters then expired before they
    // acted (401 auth.not_registered).
    CHARACTER_HEARTBEAT_TIMEOUT_MS: '3600000',
  },
});
measured.pid = api.child.pid;
const base = `http://127.0.0.1:${port}`;
const figures: Figure[] = [];
let registrationTps = NaN;
let actionTps = NaN;
let fanOut: FanOutResult | undefined;
try {
  await waitUntil('api-server', async () => (await fetch(base + '/readyz')).ok, { process: api, timeoutMs: 60_000 });

  // Keys are minted beforehand (an operator does it once per character, not per start).
  const ids = Array.from({ length: REGISTRATIONS }, (_, i) => `bench-${i}`);
  const keys: string[] = [];
  await drive('mint', (i) => i < ids.length, async (_w, i) => {
    const r = await http<{ apiKey: string }>(base, 'POST', '/api/registry/keys', { token: ADMIN_TOKEN, body: { characterId: ids[i], spec: keySpecFor(registrationBody(ids[i]!)) } });
    keys[i] = r.body.apiKey;
    return r.status === 201;
  });

  const tokens: string[] = [];
  const sessionOf: (string | undefined)[] = [];
  const refused = new Map<string, number>();
  figures.push(
    await drive('registrations (POST /api/registry/character)', (i) => i < ids.length, async (_w, i) => {
      const r = await http<{ characterToken: string; sessionId: string }>(base, 'POST', '/api/registry/character', { apiKey: keys[i], body: registrationBody(ids[i]!) });
      if (r.status !== 200) refused.set(`${r.status} ${(r.body as { code?: string }).code ?? ''}`, (refused.get(`${r.status} ${(r.body as { code?: string }).code ?? ''}`) ?? 0) + 1);
      tokens[i] = r.body.characterToken;
      sessionOf[i] = r.body.sessionId;
      return r.status === 200;
    }),
  );

  // Each action carries a fresh clientActionId, as the SDK sends one (runtime/actor.ts): the
  // figure is what SDK users get, retry check included.
  // Who acts: one character from each of 64 sessions, or every character of the first session
  // (the 64 workers take turns over its 24 members).
  const firstOfSession = new Map<string, number>();
  if (refused.size) console.log(`failed registrations by answer: ${JSON.stringify(Object.fromEntries(refused))}`);
  // A character whose registration failed has no token: it does not act.
  sessionOf.forEach((sid, i) => {
    if (sid !== undefined && !firstOfSession.has(sid)) firstOfSession.set(sid, i);
  });
  const across = [...firstOfSession.values()].slice(0, CONCURRENCY);
  const [oneSession] = firstOfSession.keys();
  const within = sessionOf.flatMap((sid, i) => (sid === oneSession ? [i] : []));
  if (across.length < CONCURRENCY) console.warn(`only ${across.length} sessions were opened; actions run across that many`);
  const kinds = ['exploration.look', 'combat.defend', 'exploration.search', 'rest'] as const;
  const failures = new Map<string, number>();
  const actions = (what: string, actors: number[]) => {
    const until = performance.now() + ACTION_SECONDS * 1000;
    return drive(what, () => performance.now() < until, async (worker, i) => {
      const who = actors[worker % actors.length]!;
      const r = await http<{ code?: string }>(base, 'POST', '/api/actions', { token: tokens[who], body: { type: kinds[i % kinds.length], characterId: ids[who], clientActionId: randomUUID() } });
      if (r.status !== 200) failures.set(`${r.status} ${r.body.code ?? ''}`, (failures.get(`${r.status} ${r.body.code ?? ''}`) ?? 0) + 1);
      return r.status === 200;
    });
  };
  figures.push(await actions(`actions across ${across.length} sessions (POST /api/actions)`, across));
  figures.push(await actions(`actions within one session of ${within.length} (POST /api/actions)`, within));
  if (failures.size) console.log(`failed actions by answer: ${JSON.stringify(Object.fromEntries(failures))}`);

  const benchBin = process.env.REDIS_BENCHMARK ?? 'redis-benchmark';
  const args = ['-h', redis.host, '-p', String(redis.port), '-a', redis.password, '-n', String(PUBLISHES), '-c', String(CONCURRENCY), '--csv', 'PUBLISH', 'bench:channel', 'hello'];
  const t0 = performance.now();
  const { stdout } = await run(benchBin, args);
  const seconds = (performance.now() - t0) / 1000;
  // CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row = stdout.trim().split('\n').at(-1)!.split(',').map((c) => c.replaceAll('"', ''));
  figures.push({ what: 'redis-benchmark PUBLISH (raw Redis)', ops: PUBLISHES, seconds, perSecond: Number(row[1]), p50ms: Number(row[4]), p99ms: Number(row[6]), errors: 0 });
  console.log(`\nredis-benchmark ${args.map((a) => (a === redis.password ? '***' : a)).join(' ')}`);

  fanOut = await measureFanOut(base, redis.url, { clients: FANOUT_CLIENTS, events: FANOUT_EVENTS, concurrency: CONCURRENCY });

  // Last, so its roomy session and keys stay out of the service's own assignments above.
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(REGISTRATION_SETUP);
  await admin.end();
  registrationTps = await pgbenchTps(databaseUrl, REGISTRATION_SCRIPT, { clients: CONCURRENCY, seconds: PGBENCH_SECONDS, name: 'registration', defines: { k: 0 } });
  const admin2 = new pg.Client({ connectionString: databaseUrl });
  await admin2.connect();
  await admin2.query(ACTION_SETUP);
  await admin2.end();
  actionTps = await pgbenchTps(databaseUrl, ACTION_SCRIPT, { clients: CONCURRENCY, seconds: PGBENCH_SECONDS, name: 'action', defines: { k: 0 } });
} finally {
  await api.stop('SIGTERM', 15_000);
  await Promise.all([postgres.destroy(), redis.destroy()]);
}

console.log(`\nconcurrency ${CONCURRENCY}, ${REGISTRATIONS} registrations, ${ACTION_SECONDS}s of actions, ${PUBLISHES} publishes\n`);
console.log('| measurement | ops | seconds | ops/s | p50 ms | p99 ms | errors | api-server CPU ms/op | api-server writes/op |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const shown = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(2));
for (const f of figures) {
  console.log(`| ${f.what} | ${f.ops} | ${f.seconds.toFixed(2)} | ${f.perSecond.toFixed(0)} | ${f.p50ms.toFixed(2)} | ${f.p99ms.toFixed(2)} | ${f.errors} | ${shown(f.cpuMsPerOp)} | ${shown(f.writesPerOp)} |`);
}
if (fanOut) {
  console.log(`| WebSocket fan-out: ${fanOut.events} events × ${fanOut.clients} clients | ${fanOut.deliveries} | | | ${fanOut.p50ms.toFixed(2)} | ${fanOut.p99ms.toFixed(2)} | ${fanOut.events * fanOut.clients - fanOut.deliveries} | | |`);
}
console.log(`| pgbench, the registration's SQL (${CONCURRENCY} clients, ${PGBENCH_SECONDS}s) | | | ${registrationTps.toFixed(0)} | | | |`);
console.log(`| pgbench, the action's command write (${CONCURRENCY} clients over 64 sessions, ${PGBENCH_SECONDS}s) | | | ${actionTps.toFixed(0)} | | | |`);

const [reg, acrossSessions, withinSession, publish] = figures;
const rows: PeerRow[] = [
  { what: `registrations/s (${CONCURRENCY} clients)`, value: reg!.perSecond, p99ms: reg!.p99ms, peer: 'pgbench, the same SQL', peerValue: registrationTps, goal: 0.5 },
  { what: `actions/s (${CONCURRENCY} clients, across sessions)`, value: acrossSessions!.perSecond, p99ms: acrossSessions!.p99ms, peer: "pgbench, the action's command write", peerValue: actionTps, goal: 0.5 },
  { what: `actions/s (${CONCURRENCY} clients, one session)`, value: withinSession!.perSecond, p99ms: withinSession!.p99ms, peer: 'goal', peerValue: 2000, goal: 1 },
  { what: 'raw Redis PUBLISH/s (for scale)', value: publish!.perSecond, peer: 'redis-benchmark', peerValue: publish!.perSecond },
];
if (fanOut) rows.push({ what: `WebSocket fan-out p99 ms (1 event → ${fanOut.clients} clients)`, value: fanOut.p99ms, peer: 'goal', peerValue: 50, lowerIsBetter: true, goal: 1 });
writeRows(rows);
