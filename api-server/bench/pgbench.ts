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

/**
 * The action's write (engine/command-sql.ts, unfenced as with one replica): in one statement the
 * session-log entry, the action's record and one outbox event, into one of 64 sessions. The
 * position in the log is drawn at random (a collision among 2·10⁹ is a rare failed transaction).
 * (pgbench reads a colon followed by a name as a variable even inside a quoted string: hence chr(58).)
 */
export const ACTION_SCRIPT = `
\\set s random(0, 63)
\\set seq random(1, 2000000000)
WITH p AS (SELECT 'pgba-' || :s AS sid, (:seq)::int AS seq,
                  jsonb_build_object('type', 'exploration.look', 'characterId', 'pgb-1') AS action,
                  jsonb_build_object('type', 'exploration.looked', 'data', jsonb_build_object('room', 'hall')) AS event),
fence AS (SELECT 1 WHERE NULL::text IS NULL AND NULL::bigint IS NULL),
log AS (
  INSERT INTO game_session_log (session_id, seq, command, version, accepted, events)
  SELECT p.sid, p.seq, jsonb_build_object('kind', 'action', 'action', p.action), p.seq, true, jsonb_build_array(p.event)
  FROM p WHERE EXISTS (SELECT 1 FROM fence) RETURNING seq
), act AS (
  INSERT INTO actions (id, character_id, session_id, type, payload, client_action_id, status, outcome, reason, version)
  SELECT gen_random_uuid(), 'pgb-1', p.sid, 'exploration.look', p.action, NULL, 'accepted', NULL, NULL, p.seq
  FROM p WHERE EXISTS (SELECT 1 FROM log) RETURNING id
), outbox AS (
  INSERT INTO event_outbox (event_id, session_id, channel, envelope, version)
  SELECT gen_random_uuid(), p.sid, 'character' || chr(58) || 'pgb-1', p.event, NULL
  FROM p WHERE EXISTS (SELECT 1 FROM log) RETURNING id
)
SELECT (SELECT count(*) FROM log)::int AS logged, (SELECT max(id) FROM outbox) AS last_id;
`;

/** The 64 sessions (and their game runs) the action script writes into. */
export const ACTION_SETUP = `
INSERT INTO sessions (id, name, world_id, capacity) SELECT 'pgba-' || n, 'pgbench', 'none', 64 FROM generate_series(0, 63) n ON CONFLICT DO NOTHING;
INSERT INTO game_session_runs (session_id, world_id, seed) SELECT 'pgba-' || n, 'none', 1 FROM generate_series(0, 63) n ON CONFLICT DO NOTHING;
`;
