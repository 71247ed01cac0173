// pgbench as the peer of a service figure: the same SQL, on the same server, in the same run.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeWorkdir } from '@distributed-dungeon/testkit';

const run = promisify(execFile);
export const PGBENCH = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';

/** Runs `script` with prepared statements for `seconds` at `clients`; its tps (without connection time). */
export async function pgbenchTps(url: string, script: string, opts: { clients: number; seconds: number; name: string }): Promise<number> {
  const file = join(makeWorkdir('pgbench'), `${opts.name}.sql`);
  writeFileSync(file, script);
  const { stdout } = await run(PGBENCH, ['-n', '-M', 'prepared', '-c', String(opts.clients), '-j', '2', '-T', String(opts.seconds), '-f', file, url], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  return Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? /tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
}

/**
 * The registration's SQL (registry/service.ts register, registry/seats.ts): the key read under a
 * share lock, the character row locked, the seat candidates read, the seat claimed by the one
 * conditional statement that writes the registration, the commit, and the row read back after
 * the bus user is set. Characters are drawn from `pgb-1..keys` into one roomy session.
 */
export const REGISTRATION_SCRIPT = `
\\set n random(1, 100000)
BEGIN;
SELECT character_id, revoked_at, spec FROM api_keys WHERE key_hash = 'pgb-' || :n FOR SHARE;
SELECT character_id, name, class, level, container_endpoint, capabilities, version, session_id, status, registered_at, last_heartbeat_at FROM characters WHERE character_id = 'pgb-' || :n FOR UPDATE;
SELECT id, capacity, status, created_at, members - CASE WHEN id = NULL THEN 1 ELSE 0 END AS members FROM sessions WHERE status = 'open' OR id = NULL OR id = NULL;
WITH locked AS (SELECT id, status, members, capacity FROM sessions WHERE id = 'pgbench' OR id = NULL ORDER BY id FOR UPDATE),
     seat AS (SELECT id FROM locked WHERE id = 'pgbench' AND status = 'open' AND (members < capacity OR id = NULL))
INSERT INTO characters (character_id, name, class, level, container_endpoint, capabilities, version, session_id, status, bus_password_hash, registered_at, last_heartbeat_at, credential_generation)
SELECT 'pgb-' || :n, 'Bench', 'fighter', 5, 'http://bench:3000', '{combat}', '1.0.0', seat.id, 'registered', repeat('a', 64), now(), now(), 1 FROM seat
ON CONFLICT (character_id) DO UPDATE SET
  name = EXCLUDED.name, class = EXCLUDED.class, level = EXCLUDED.level, container_endpoint = EXCLUDED.container_endpoint,
  capabilities = EXCLUDED.capabilities, version = EXCLUDED.version, session_id = EXCLUDED.session_id, status = 'registered',
  bus_password_hash = EXCLUDED.bus_password_hash, registered_at = now(), last_heartbeat_at = now(), updated_at = now(),
  credential_generation = characters.credential_generation + 1, left_reason = NULL
RETURNING credential_generation;
COMMIT;
SELECT status, session_id, credential_generation, bus_password_hash FROM characters WHERE character_id = 'pgb-' || :n;
`;

/** The keys and the roomy session the registration script uses. */
export const REGISTRATION_SETUP = `
INSERT INTO sessions (id, name, world_id, capacity) VALUES ('pgbench', 'pgbench', 'none', 1000000000) ON CONFLICT DO NOTHING;
INSERT INTO api_keys (character_id, key_hash, spec) SELECT 'pgb-' || n, 'pgb-' || n, '{}'::jsonb FROM generate_series(1, 100000) n ON CONFLICT DO NOTHING;
`;
