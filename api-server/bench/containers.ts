// Container transfer throughput (seed 004 / issue 5): the real ContainerService on a real
// PostgreSQL at 16 and 64 concurrent clients, next to pgbench running the same row-locked
// transaction shape (idempotency claim, token check FOR SHARE, container FOR UPDATE, inventory upsert +
// FOR UPDATE upsert, one statement writing both rows, the result and the audit entry) on the same server in the same run.
//
//   ./node_modules/.bin/node --conditions=source api-server/bench/containers.ts [--seconds 30]
//
// Prints a table. Not a test: numbers depend on the machine (and on who else uses its cores).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { makeWorkdir, startPostgres } from '@distributed-dungeon/testkit';
import { itemTotals, migratedPool } from '../test/containers/support.ts';
import { limitViolations, runWorkload, setupWorkload } from '../test/containers/workload.ts';
import { type PeerRow, writeRows } from './table.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '30' },
    clients: { type: 'string', default: '16,64' },
    pgbench: { type: 'string', default: process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench' },
  },
});
const seconds = Number(values.seconds);
const clientCounts = values.clients.split(',').map(Number);

const SCRIPT = `
\\set r random(1, 3)
\\set k random(1, 1000000000000)
BEGIN;
INSERT INTO container_mutations (character_id, idempotency_key, operation, request_hash, result)
  VALUES ('pgbench-' || :client_id, 'k-' || :k, 'transfer', 'h', NULL) ON CONFLICT DO NOTHING;
SELECT (closed_at IS NULL AND expires_at > now()) FROM container_mutation_tokens WHERE token_hash = 'none' FOR SHARE;
SELECT items FROM containers WHERE container_instance_id = (SELECT id FROM bench_chests WHERE n = :r) FOR UPDATE;
INSERT INTO character_inventories (character_id) VALUES ('pgbench-' || :client_id)
  ON CONFLICT (character_id) DO UPDATE SET character_id = character_inventories.character_id RETURNING items;
WITH c AS (UPDATE containers SET items = items, updated_at = now() WHERE container_instance_id = (SELECT id FROM bench_chests WHERE n = :r)),
     i AS (UPDATE character_inventories SET items = items, updated_at = now() WHERE character_id = 'pgbench-' || :client_id),
     m AS (UPDATE container_mutations SET result = '{"ok": true}' WHERE character_id = 'pgbench-' || :client_id AND idempotency_key = 'k-' || :k)
INSERT INTO audit_log (occurred_at, actor_id, actor_name, resource_type, resource_id, operation, outcome, security_level)
  VALUES (now(), 'pgbench-' || :client_id, 'bench', 'container', :r::text, 'transfer', 'success', 'medium');
COMMIT;
`;

const pg = await startPostgres();
try {
  const url = await pg.createDatabase('containers_bench');
  const pool = await migratedPool(url, 64);
  // The server is torn down at the end; its farewell to idle connections is expected.
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') console.error('idle client:', err.message);
  });
  const rows: string[][] = [];
  const peerRows: PeerRow[] = [];
  for (const clients of clientCounts) {
    const setup = await setupWorkload(pool, { clients, tag: `c${clients}` });
    const before = await itemTotals(pool);
    const r = await runWorkload(pool, setup, { durationMs: seconds * 1000 });
    const exact = JSON.stringify(await itemTotals(pool)) === JSON.stringify(before) && (await limitViolations(pool)).length === 0;
    if (r.unexpected.length) console.error('unexpected errors:', r.unexpected.slice(0, 3));
    const refused = Object.values(r.byCode).reduce((a, b) => a + b, 0);
    // What each successful transfer leaves in the idempotency store (the row, and its result).
    const stored = await pool.query<{ result: string; row: string }>(
      `SELECT avg(pg_column_size(result))::int AS result, avg(pg_column_size(m.*))::int AS row
         FROM container_mutations m WHERE operation = 'transfer' AND character_id = ANY($1)`,
      [setup.characters],
    );
    const storedBytes = `${stored.rows[0]?.result ?? 0} / ${stored.rows[0]?.row ?? 0}`;

    await pool.query(`DROP TABLE IF EXISTS bench_chests; CREATE TABLE bench_chests (n int PRIMARY KEY, id uuid NOT NULL)`);
    for (const [i, id] of setup.containerIds.entries()) await pool.query(`INSERT INTO bench_chests VALUES ($1, $2)`, [i + 1, id]);
    const dir = makeWorkdir('pgbench');
    const script = join(dir, 'transfer.sql');
    writeFileSync(script, SCRIPT);
    const { stdout } = await run(values.pgbench, ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', script, url], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    });
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? /tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
    const okPerS = r.ok / (r.elapsedMs / 1000);
    const attemptsPerS = (r.ok + refused) / (r.elapsedMs / 1000);
    peerRows.push(
      { what: `transfers ok/s (${clients} clients${exact ? '' : ', totals MISMATCH'})`, value: okPerS, peer: 'pgbench tps, the same SQL', peerValue: tps, goal: 0.5 },
      { what: `transfer attempts/s (${clients} clients)`, value: attemptsPerS, peer: 'pgbench tps, the same SQL', peerValue: tps },
    );
    rows.push([
      String(clients),
      okPerS.toFixed(0),
      ((r.ok + refused) / (r.elapsedMs / 1000)).toFixed(0),
      `${((100 * refused) / Math.max(1, r.ok + refused)).toFixed(1)}%`,
      tps.toFixed(0),
      `${((100 * okPerS) / tps).toFixed(0)}%`,
      exact ? 'exact' : 'MISMATCH',
      storedBytes,
    ]);
  }
  await pool.end();
  writeRows(peerRows);
  const header = ['clients', 'service ok transfers/s', 'service attempts/s', 'refused (409)', 'pgbench tps', 'service/pgbench', 'item totals', 'stored result / row bytes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(`\ncontainer transfers, ${seconds}s per run, 3 chests in one room, PostgreSQL ${pg.port}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
} finally {
  await pg.destroy();
}
