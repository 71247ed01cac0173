// A bare transfer storm in its own process, for the kill -9 test: `node --conditions=source
// workload-cli.ts <databaseUrl> <setup-json> <seconds> [use]`. With `use`, clients also drink
// potions through the engine's item path. Prints "ok <n>" lines as it goes and at the end;
// exits 1, naming them, on errors other than the game's refusals.
import pg from 'pg';
import { engineUse } from './workload-items.ts';
import { runWorkload, type WorkloadSetup } from './workload.ts';

const [url, setupJson, seconds, mode] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 16 });
const setup = JSON.parse(setupJson!) as WorkloadSetup;
let ok = 0;
const ticker = setInterval(() => process.stdout.write(`ok ${ok}\n`), 100);
const result = await runWorkload(pool, setup, { durationMs: Number(seconds) * 1000, onOk: () => ok++, ...(mode === 'use' ? { use: engineUse(pool, setup) } : {}) });
clearInterval(ticker);
process.stdout.write(`ok ${ok}\n`);
await pool.end();
// Refusals (capacity, grace) are the game working; anything else is a fault the caller must see.
if (result.unexpected.length > 0) {
  process.stderr.write(`unexpected ${result.unexpected.length}: ${result.unexpected.slice(0, 3).map(String).join('; ')}\n`);
  process.exitCode = 1;
}
