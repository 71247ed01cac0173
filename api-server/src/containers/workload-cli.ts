// A bare transfer storm in its own process, for the kill -9 test: `node --conditions=source
// workload-cli.ts <databaseUrl> <setup-json> <seconds>`. Prints "ok <n>" lines as it goes and
// at the end; exits 1, naming them, on errors other than the game's refusals.
import pg from 'pg';
import { runWorkload, type WorkloadSetup } from './workload.ts';

const [url, setupJson, seconds] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 16 });
let ok = 0;
const ticker = setInterval(() => process.stdout.write(`ok ${ok}\n`), 100);
const result = await runWorkload(pool, JSON.parse(setupJson!) as WorkloadSetup, { durationMs: Number(seconds) * 1000, onOk: () => ok++ });
clearInterval(ticker);
process.stdout.write(`ok ${ok}\n`);
await pool.end();
// Refusals (capacity, grace) are the game working; anything else is a fault the caller must see.
if (result.unexpected.length > 0) {
  process.stderr.write(`unexpected ${result.unexpected.length}: ${result.unexpected.slice(0, 3).map(String).join('; ')}\n`);
  process.exitCode = 1;
}
