// pgbench as the peer of a service figure: the same SQL, on the same server, in the same run.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeWorkdir } from '@distributed-dungeon/testkit';

const run = promisify(execFile);
export const PGBENCH = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';

/** Runs `script` with prepared statements for `seconds` at `clients` (`defines`: its variables' first values); its tps (without connection time). */
export async function pgbenchTps(url: string, script: string, opts: { clients: number; seconds: number; name: string; defines?: Record<string, number> }): Promise<number> {
  const file = join(makeWorkdir('pgbench'), `${opts.name}.sql`);
  writeFileSync(file, script);
  const { stdout } = await run(PGBENCH, ['-n', '-M', 'prepared', ...Object.entries(opts.defines ?? {}).flatMap(([k, v]) => ['-D', `${k}=${v}`]), '-c', String(opts.clients), '-j', '2', '-T', String(opts.seconds), '-f', file, url], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  return Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? /tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
}

// What a joining fighter's log entry and announcement hold (the size the service writes). No
// colon directly before a letter: pgbench would read it as a variable, even inside a string.
const ROOM = `{"id": "dawn-gate", "name": "Dawn Gate", "npcs": [{"id": "hermit-aldric", "name": "Brother Aldric", "topics": ["crypt"], "description": "A hermit in a threadbare habit, the last monk of the monastery."}], "exits": {"north": "antechamber"}, "traps": [], "fallen": [], "monsters": [], "container": null, "characters": ["pgb-1", "pgb-2", "pgb-3"], "description": "A broken archway at the foot of the ruined monastery. Cold air breathes up from the stairs to the north. An old hermit warms his hands at a small fire.", "discoveries": []}`;
const JOINED = `{"data": {"hp": 36, "name": "Bench", "room": ${ROOM}, "alive": true, "class": "fighter", "level": 5, "maxHp": 36, "roomId": "dawn-gate", "actorId": "pgb-1", "returning": false, "characterId": "pgb-1"}, "type": "system.character_joined", "version": 4}`;
const JOIN_COMMAND = `{"kind": "join", "inputs": {"equipped": {}, "inventory": []}, "character": {"name": "Bench", "class": "fighter", "level": 5, "characterId": "pgb-1"}}`;
const KIT = `[{"weight": 3, "item_id": "longsword", "metadata": {"kind": "weapon"}, "quantity": 1, "item_name": "Longsword", "max_stack": 1, "slot_type": "weapon"}, {"weight": 0.5, "item_id": "healing-potion", "metadata": {"kind": "potion"}, "quantity": 1, "item_name": "Healing potion", "max_stack": 10}]`;

/**
 * The SQL one registration runs, statement for statement, as log_statement=all shows it
 * (registry/service.ts register, registry/seats.ts, engine/dungeon-master-engine.ts join,
 * engine/command-store.ts, events/publisher-outbox.ts flushWritten): the key looked up; the seat
 * transaction (the key under a share lock, the character row locked, the seat candidates, the
 * seat claimed by the one conditional statement that writes the registration, with the COMMIT
 * right behind it); the join's item inputs (inventory and equipment in one statement) and the bus
 * user's read-back; the join's transaction (the lease fence, the log entry, the starting kit into
 * the inventory, the outbox row); the answer's view (inventory and equipment, the room's
 * containers); the session's pending outbox row; and the relay's share, that row marked
 * published. Not counted: the relay's batch transaction around that UPDATE (one per batch of
 * rows, not per registration) and the lease renewals. Characters are drawn from pgb-1..keys into one roomy session; each client writes log positions of
 * its own (client_id, then a counter kept across its transactions: run it with `defines: { k: 0 }`).
 */
export const REGISTRATION_SCRIPT = `
\\set n random(1, 100000)
\\set k :k + 1
SELECT character_id, revoked_at, spec FROM api_keys WHERE key_hash = 'pgb-' || :n;
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
SELECT (SELECT json_build_object('character_id', i.character_id, 'capacity_slots', i.capacity_slots, 'weight_limit', i.weight_limit, 'items', i.items) FROM character_inventories i WHERE i.character_id = 'pgb-' || :n) AS inventory,
       (SELECT coalesce(json_agg(json_build_object('slot', e.slot, 'item', e.item) ORDER BY e.slot), '[]'::json) FROM character_equipment e WHERE e.character_id = 'pgb-' || :n) AS equipment;
SELECT status, session_id, credential_generation, bus_password_hash FROM characters WHERE character_id = 'pgb-' || :n;
BEGIN;
SET LOCAL idle_in_transaction_session_timeout = '5s';
SELECT 1 FROM session_owners WHERE session_id = 'pgbench' AND owner_id = 'pgbench' AND token = 1 AND expires_at > now() FOR SHARE;
INSERT INTO game_session_log (session_id, seq, command, version, accepted, events) VALUES ('pgbench', :client_id * 10000000 + :k, '${JOIN_COMMAND}', 4, true, '[${JOINED}]');
INSERT INTO character_inventories (character_id, capacity_slots, weight_limit) VALUES ('pgb-' || :n, 20, NULL)
  ON CONFLICT (character_id) DO UPDATE SET character_id = character_inventories.character_id
  RETURNING character_id, capacity_slots, weight_limit, items;
UPDATE character_inventories SET items = '${KIT}', updated_at = now() WHERE character_id = 'pgb-' || :n;
INSERT INTO event_outbox (event_id, session_id, channel, envelope, version)
  SELECT * FROM unnest(ARRAY[gen_random_uuid()], ARRAY['pgbench'], ARRAY['session' || chr(58) || 'pgbench' || chr(58) || 'system'], ARRAY['${JOINED}'::jsonb], ARRAY[4]) RETURNING id AS outbox_id \\gset
COMMIT;
SELECT (SELECT json_build_object('character_id', i.character_id, 'capacity_slots', i.capacity_slots, 'weight_limit', i.weight_limit, 'items', i.items) FROM character_inventories i WHERE i.character_id = 'pgb-' || :n) AS inventory,
       (SELECT coalesce(json_agg(json_build_object('slot', e.slot, 'item', e.item) ORDER BY e.slot), '[]'::json) FROM character_equipment e WHERE e.character_id = 'pgb-' || :n) AS equipment;
SELECT container_instance_id, source_type, owner_id, room_id, entity_id, lock_state, capacity_slots, weight_limit, decay_at, allowed_roles, items, metadata, created_at, updated_at
  FROM containers WHERE room_id = 'dawn-gate' AND (NOT metadata ? 'game_session' OR metadata->>'game_session' = 'pgbench') ORDER BY created_at, container_instance_id;
SELECT max(id) AS id FROM event_outbox WHERE published_at IS NULL AND session_id = 'pgbench';
UPDATE event_outbox SET published_at = now() WHERE id = :outbox_id;
`;

/** The keys, the roomy session (its game run and its owner's lease) the registration script uses. */
export const REGISTRATION_SETUP = `
INSERT INTO sessions (id, name, world_id, capacity) VALUES ('pgbench', 'pgbench', 'none', 1000000000) ON CONFLICT DO NOTHING;
INSERT INTO game_session_runs (session_id, world_id, seed) VALUES ('pgbench', 'none', 1) ON CONFLICT DO NOTHING;
INSERT INTO session_owners (session_id, owner_id, owner_url, token, expires_at) VALUES ('pgbench', 'pgbench', 'http://pgbench', 1, now() + interval '1 day') ON CONFLICT DO NOTHING;
INSERT INTO api_keys (character_id, key_hash, spec) SELECT 'pgb-' || n, 'pgb-' || n, '{}'::jsonb FROM generate_series(1, 100000) n ON CONFLICT DO NOTHING;
`;

/**
 * The action's write (engine/command-sql.ts, unfenced as with one replica): in one statement the
 * session-log entry, the action's record and one outbox event, into one of 64 sessions. Each
 * client writes log positions of its own (client_id, then a counter: run it with `defines: { k: 0 }`).
 * (pgbench reads a colon followed by a name as a variable even inside a quoted string: hence chr(58).)
 */
export const ACTION_SCRIPT = `
\\set s random(0, 63)
\\set k :k + 1
\\set seq :client_id * 10000000 + :k
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
