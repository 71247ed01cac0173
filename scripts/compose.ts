// `make compose-up` / `make compose-down`: local play with every service a container
// (docker-compose.yml). Up: build the images (scripts/images.sh), generate the dev credentials,
// start PostgreSQL, Redis and the api-server, open a session and mint the three characters' keys
// through the admin API (as the operator does in a cluster), start the characters, follow the
// session's events and print its outcome. Exit 0 when the session ended, 1 when it did not
// within COMPOSE_TIMEOUT_MS (the scripted check), or when a container stopped before the end.
// The platform stays up for a look (`compose ps`, `compose logs`) until `make compose-down`.
//
//   node scripts/compose.ts up|down
//
// The engine: COMPOSE (e.g. "docker compose"), else Docker Compose when a Docker engine answers,
// else podman-compose over podman (Debian's, scripts/compose-deps.sh), with the flags this kind of
// machine needs (runc; rlimits no higher than podman's own, as there is no CAP_SYS_RESOURCE).
// Knobs: COMPOSE_BUILD=0 (use the images there are), COMPOSE_TIMEOUT_MS (600000), DUNGEON_SEED (42).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createGameSession, eventually, freePort, keySpecOf, mintApiKey, Narrator, REPO_ROOT } from '@distributed-dungeon/testkit';

const run = promisify(execFile);
const PROJECT = process.env.COMPOSE_PROJECT || 'dungeon-compose';
const CHARACTERS = [
  { service: 'fighter', id: 'thorin', keyVar: 'FIGHTER_API_KEY' },
  { service: 'rogue', id: 'vex', keyVar: 'ROGUE_API_KEY' },
  { service: 'wizard', id: 'elara', keyVar: 'WIZARD_API_KEY' },
] as const;
const PLATFORM = ['postgres', 'redis', 'api-server'];
// The generated credentials live outside the repository, readable by this user only; down reads
// them back (the compose file refuses to interpolate without them).
const stateFile = path.join(process.env.DUNGEON_CACHE || path.join(homedir(), '.cache/distributed-dungeon'), 'compose', `${PROJECT}.env.json`);

const t0 = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`);

async function works(cmd: string, args: string[]): Promise<boolean> {
  return run(cmd, args, { timeout: 20_000 }).then(
    () => true,
    () => false,
  );
}

async function limit(flag: string): Promise<number> {
  const { stdout } = await run('bash', ['-c', `ulimit -H ${flag}`]);
  const v = stdout.trim();
  return v === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** The compose command and the arguments that go before every sub-command. */
/** The compose command, the arguments before every sub-command, and how a person runs it by hand. */
async function engine(): Promise<{ cmd: string; pre: string[]; label: string; hint: string }> {
  if (process.env.COMPOSE) {
    const [cmd, ...pre] = process.env.COMPOSE.split(/\s+/).filter(Boolean);
    return { cmd: cmd!, pre: [...pre, '-p', PROJECT], label: process.env.COMPOSE, hint: `${process.env.COMPOSE} -p ${PROJECT}` };
  }
  if (await works('docker', ['info'])) {
    if (await works('docker', ['compose', 'version'])) return { cmd: 'docker', pre: ['compose', '-p', PROJECT], label: 'docker compose', hint: `docker compose -p ${PROJECT}` };
    if (await works('docker-compose', ['version'])) return { cmd: 'docker-compose', pre: ['-p', PROJECT], label: 'docker-compose', hint: `docker-compose -p ${PROJECT}` };
  }
  if (!(await works('podman-compose', ['version']))) {
    throw new Error('no compose engine: neither Docker (docker info) nor podman-compose works. Run `bash scripts/compose-deps.sh` (Debian: podman, podman-compose) or set COMPOSE.');
  }
  // podman sets its own RLIMIT_NPROC to 32768 at start and cannot raise a container above that
  // without CAP_SYS_RESOURCE, yet asks for more by default; crun cannot drive a hybrid cgroup tree.
  const nofile = await limit('-n');
  const nproc = Math.min(await limit('-u'), 32_768);
  const runArgs = `--runtime runc --ulimit nofile=${nofile}:${nofile} --ulimit nproc=${nproc}:${nproc}`;
  return { cmd: 'podman-compose', pre: ['-p', PROJECT, `--podman-run-args=${runArgs}`], label: `podman-compose (podman ${runArgs})`, hint: `podman-compose -p ${PROJECT}` };
}

type Env = Record<string, string>;

function compose(e: { cmd: string; pre: string[] }, args: string[], env: Env, opts: { quiet?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(e.cmd, [...e.pre, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve(out);
      if (!opts.quiet) process.stderr.write(out);
      reject(new Error(`${e.cmd} ${args.join(' ')}: exit ${code}`));
    });
  });
}

function streamed(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

/** Names of this project's running containers, by service. */
async function running(e: { cmd: string }, env: Env): Promise<Set<string>> {
  const docker = e.cmd === 'podman-compose' ? 'podman' : 'docker';
  const { stdout } = await run(docker, ['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Labels}}'], { env: { ...process.env, ...env } });
  const services = new Set<string>();
  for (const m of stdout.matchAll(/com\.docker\.compose\.service[=:]([\w.-]+)/g)) services.add(m[1]!);
  return services;
}

async function up(): Promise<number> {
  const e = await engine();
  say(`compose engine: ${e.label}, project ${PROJECT}`);
  if (process.env.COMPOSE_BUILD !== '0') {
    say('building the images: api-server, character-base, the three examples (scripts/images.sh)');
    await streamed('bash', ['scripts/images.sh', 'api-server', 'character-base', 'examples']);
  }
  const [apiPort, redisPort] = [await freePort(), await freePort()];
  const env: Env = {
    POSTGRES_PASSWORD: randomBytes(18).toString('base64url'),
    REDIS_PASSWORD: randomBytes(18).toString('base64url'),
    DUNGEON_ADMIN_TOKEN: `compose-admin-${randomBytes(18).toString('base64url')}`,
    JWT_SIGNING_KEY: randomBytes(32).toString('base64url'),
    DUNGEON_COMPOSE_PORT: String(apiPort),
    DUNGEON_COMPOSE_REDIS_PORT: String(redisPort),
    DUNGEON_SEED: process.env.DUNGEON_SEED || '42',
    DUNGEON_SESSION_ID: `compose-${randomBytes(4).toString('hex')}`,
    // Until they are minted; the characters do not start before.
    ...Object.fromEntries(CHARACTERS.map((c) => [c.keyVar, ''])),
  };
  await mkdir(path.dirname(stateFile), { recursive: true, mode: 0o700 });
  await writeFile(stateFile, JSON.stringify(env), { mode: 0o600 });
  say(`dev credentials generated (kept for make compose-down in ${stateFile}, mode 600)`);

  await compose(e, ['down', '-v'], env, { quiet: true }).catch(() => undefined);
  say(`starting ${PLATFORM.join(', ')}`);
  await compose(e, ['up', '-d', '--no-build', ...PLATFORM], env);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await eventually(
    `the api-server at ${apiUrl} to be ready (see: ${e.hint} logs api-server)`,
    async () => {
      const res = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`readyz: HTTP ${res.status}`);
      return true;
    },
    180_000,
    1000,
  );
  say(`api-server ready on ${apiUrl} (PostgreSQL migrated, Redis reachable)`);

  const sessionId = env.DUNGEON_SESSION_ID!;
  const narrator = new Narrator({ redisUrl: `redis://:${env.REDIS_PASSWORD}@127.0.0.1:${redisPort}`, sessionId, onLine: say });
  await narrator.start();
  try {
    await createGameSession(apiUrl, env.DUNGEON_ADMIN_TOKEN!, { id: sessionId, name: 'make compose-up' });
    say(`session ${sessionId} opened`);
    for (const c of CHARACTERS) {
      env[c.keyVar] = await mintApiKey(apiUrl, env.DUNGEON_ADMIN_TOKEN!, c.id, await keySpecOf(path.join(REPO_ROOT, 'character-base-image/examples', c.service)));
    }
    await writeFile(stateFile, JSON.stringify(env), { mode: 0o600 });
    say(`keys minted for ${CHARACTERS.map((c) => c.id).join(', ')}; starting their containers`);
    await compose(e, ['up', '-d', '--no-build', ...CHARACTERS.map((c) => c.service)], env);

    const timeoutMs = Number(process.env.COMPOSE_TIMEOUT_MS || 600_000);
    const all = [...PLATFORM, ...CHARACTERS.map((c) => c.service)];
    let outcome: Awaited<typeof narrator.ended> | null = null;
    void narrator.ended.then((end) => (outcome = end));
    const deadline = Date.now() + timeoutMs;
    let lastReport = 0;
    while (!outcome && Date.now() < deadline) {
      const up = await running(e, env);
      const missing = all.filter((s) => !up.has(s));
      if (missing.length > 0 && !outcome) {
        say(`container(s) stopped before the session ended: ${missing.join(', ')} (see: ${e.hint} logs ${missing[0]})`);
        return 1;
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        say(`… playing: ${all.length} containers running (${all.join(', ')}), ${narrator.events.length} events so far`);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (!outcome) {
      say(`the session did not end within ${timeoutMs / 1000} s`);
      return 1;
    }
    const end: { outcome: string; reason: string; survivors: string[] } = outcome;
    say(`session ${sessionId} over: ${end.outcome} (${end.reason}); survivors: ${end.survivors.join(', ') || 'none'}; ${narrator.events.length} events`);
    say(`still up for a look: ${e.hint} ps, ${e.hint} logs <service>; make compose-down removes it`);
    return 0;
  } finally {
    await narrator.stop();
  }
}

async function down(): Promise<number> {
  const e = await engine();
  const env: Env = await readFile(stateFile, 'utf8').then(
    (s) => JSON.parse(s) as Env,
    // Nothing recorded: any values let the file interpolate; down needs none of them.
    () => ({ POSTGRES_PASSWORD: '-', REDIS_PASSWORD: '-', DUNGEON_ADMIN_TOKEN: '-', JWT_SIGNING_KEY: '-' }),
  );
  say(`removing project ${PROJECT} (containers, network, volumes)`);
  await compose(e, ['down', '-v'], env);
  if (e.cmd === 'podman-compose') await run('podman', ['network', 'rm', '-f', `${PROJECT}_default`]).catch(() => undefined);
  await rm(stateFile, { force: true });
  say('removed');
  return 0;
}

const command = process.argv[2];
(command === 'up' ? up() : command === 'down' ? down() : Promise.reject(new Error('usage: node scripts/compose.ts up|down'))).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`compose: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
