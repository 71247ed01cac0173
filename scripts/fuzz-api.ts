// `make fuzz`: the api-server's OpenAPI document fuzzed with schemathesis (from PyPI) against the
// real server (main.ts as its own process, real PostgreSQL and Redis from testkit). Fails when
// any response is a 5xx, when the server stops answering, or when it exits.
//
// Two passes, each with its own credentials so that authenticated routes are reached:
//   1. as a registered character (its JWT and API key): actions, containers, state, tokens;
//      registering, deregistering and exporting are left out, since they would end the token
//      mid-run;
//   2. as the game master (the admin token): every operation.
// Budgets are raised so that the fuzzer reaches the handlers rather than the rate limiter.
//
// Environment: FUZZ_SECONDS (per pass, default 60), FUZZ_SEED (a seed to replay a run),
// FUZZ_MAX_EXAMPLES (cases per operation; with a seed, the same cases on any machine),
// FUZZ_WORKERS (2), FUZZ_PASSES (e.g. `1`: only the first pass), DUNGEON_CACHE (where the schemathesis virtualenv is kept, default
// ~/.cache/distributed-dungeon), FUZZ_KEEP=1 keeps the work folder (server log, reports).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, freePort, makeWorkdir, removeWorkdir, startPostgres, startProcess, startRedis, waitUntil } from '@distributed-dungeon/testkit';

// Pinned so that a run is the same on every machine; the virtualenv is named for it.
const SCHEMATHESIS_VERSION = '4.32.5';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const seconds = Number(env.FUZZ_SECONDS || 60);
const workers = env.FUZZ_WORKERS || '2';
const t0 = Date.now();
const say = (line: string) => console.log(`[fuzz ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);

const exists = (file: string) => access(file).then(() => true, () => false);

function run(command: string, args: string[], opts: { quiet?: boolean; cwd?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'inherit'], env: { ...env, NO_COLOR: '1' }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The schemathesis CLI, installed into a cached virtualenv the first time. */
async function schemathesis(): Promise<string> {
  const cache = env.DUNGEON_CACHE || path.join(homedir(), '.cache', 'distributed-dungeon');
  const venv = path.join(cache, `schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = path.join(venv, 'bin', 'schemathesis');
  if (await exists(bin)) return bin;
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv} (once)`);
  if ((await run('python3', ['-m', 'venv', venv])) !== 0) throw new Error('python3 -m venv failed (Debian: apt-get install python3-venv)');
  if ((await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`])) !== 0) throw new Error('pip install schemathesis failed');
  return bin;
}

async function call(base: string, method: string, route: string, opts: { token?: string; apiKey?: string; body?: unknown }): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  const res = await fetch(base + route, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Mints a key and registers, as the operator and the SDK would: the character the first pass acts as. */
async function registerCharacter(base: string, adminToken: string): Promise<{ characterId: string; token: string; apiKey: string; sessionId: string }> {
  const characterId = `fuzz-${randomBytes(3).toString('hex')}`;
  const spec = { displayName: 'Fuzz the Bold', class: 'fighter', level: 3, capabilities: ['combat', 'exploration', 'social'] };
  const { apiKey } = (await call(base, 'POST', '/api/registry/keys', { token: adminToken, body: { characterId, spec } })) as { apiKey: string };
  const registration = { characterId, name: spec.displayName, class: spec.class, level: spec.level, containerEndpoint: 'http://fuzz:3000', capabilities: spec.capabilities, version: '1.0.0' };
  const reg = (await call(base, 'POST', '/api/registry/character', { apiKey, body: registration })) as { characterToken: string; sessionId: string };
  return { characterId, token: reg.characterToken, apiKey, sessionId: reg.sessionId };
}

async function main(): Promise<number> {
  const st = await schemathesis();
  say('starting PostgreSQL and Redis');
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const work = makeWorkdir('fuzz-api');
  const adminToken = `fuzz-admin-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(work, 'api-server.log');
  const api = startProcess('api-server', process.execPath, ['--conditions=source', path.join(REPO, 'api-server/src/main.ts')], {
    logFile,
    env: {
      PATH: env.PATH,
      HOME: env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: await createDatabase(postgres.adminUrl, 'fuzz'),
      REDIS_URL: redis.url,
      DUNGEON_ADMIN_TOKEN: adminToken,
      JWT_SIGNING_KEYS: `fuzz:${randomBytes(24).toString('hex')}`,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: '1000000',
      RATE_LIMIT_READ_POINTS: '1000000',
      AUTH_FAILURES_PER_IP: '1000000',
      AUTH_FAILURES_PER_ID: '1000000',
      SESSIONS_AUTO_CREATE_MAX: '10000',
      TOKEN_TTL_SECONDS: '3600',
    },
  });
  let died: number | string | undefined;
  void api.exited.then((code) => (died = code));
  const failures: string[] = [];
  try {
    await waitUntil('api-server /readyz', async () => (await fetch(base + '/readyz')).ok, { process: api, timeoutMs: 60_000 });
    say(`api-server up at ${base} (log: ${logFile})`);
    const me = await registerCharacter(base, adminToken);
    say(`registered character ${me.characterId}`);

    const passes: { name: string; headers: string[]; exclude: string[] }[] = [
      {
        name: `as character ${me.characterId}`,
        headers: [`Authorization: Bearer ${me.token}`, `X-API-Key: ${me.apiKey}`],
        exclude: ['--exclude-path', '/api/registry/character', '--exclude-path-regex', '^/api/(registry/character/\\{id\\}$|humans/|portability/export$)'],
      },
      { name: 'as the game master', headers: [`Authorization: Bearer ${adminToken}`], exclude: [] },
    ];
    for (const [i, pass] of passes.entries()) {
      if (env.FUZZ_PASSES && !env.FUZZ_PASSES.split(',').includes(String(i + 1))) continue;
      say(`pass ${i + 1}/${passes.length} ${pass.name}: schemathesis for ${seconds}s against ${base}/openapi.json`);
      const args = [
        'run',
        `${base}/openapi.json`,
        '--checks',
        'not_a_server_error',
        '--max-time',
        String(seconds),
        '--workers',
        workers,
        '--request-timeout',
        '10',
        '--suppress-health-check',
        'all',
        '--report',
        'junit',
        '--report-dir',
        path.join(work, `report-${i + 1}`),
        ...(env.FUZZ_SEED ? ['--seed', env.FUZZ_SEED] : []),
        ...(env.FUZZ_MAX_EXAMPLES ? ['--max-examples', env.FUZZ_MAX_EXAMPLES] : []),
        ...pass.headers.flatMap((h) => ['--header', h]),
        ...pass.exclude,
      ];
      // In the scratch folder: schemathesis keeps its .schemathesis/ state where it runs.
      const code = await run(st, args, { cwd: work });
      if (code !== 0) failures.push(`pass ${i + 1} (${pass.name}): schemathesis exit ${code}`);
      if (died !== undefined) {
        failures.push(`the api-server exited (${died}) during pass ${i + 1}`);
        break;
      }
      const state = await fetch(`${base}/api/sessions/${me.sessionId}/state`, { headers: { authorization: `Bearer ${me.token}` } });
      say(`after pass ${i + 1}: the character's token is answered ${state.status}${state.ok ? '' : ` ${((await state.json()) as { code?: string }).code}`}`);
      const health = await fetch(base + '/healthz').then((r) => r.status, (e: Error) => e.message);
      if (health !== 200) failures.push(`after pass ${i + 1} /healthz answers ${health}`);
    }
    const internal = (await readFile(logFile, 'utf8')).split('\n').filter((l) => l.includes('"unhandled error"'));
    if (internal.length) {
      failures.push(`${internal.length} unhandled error(s) in the server log`);
      for (const line of internal.slice(0, 5)) console.log(line.slice(0, 1200));
    }
  } finally {
    await api.stop();
    await Promise.all([postgres.destroy(), redis.destroy()]);
    if (env.FUZZ_KEEP === '1' || failures.length) say(`work folder kept: ${work}`);
    else removeWorkdir(work);
  }
  if (failures.length) {
    for (const f of failures) say(`FAIL ${f}`);
    return 1;
  }
  say('no 5xx, no crash');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
