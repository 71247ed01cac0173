// A bare transfer storm in its own process, for the kill -9 test: `node --conditions=source
// workload-cli.ts <databaseUrl> <setup-json> <seconds>`. Prints "ok <n>" lines as it goes.
import pg from 'pg';
import { runWorkload, type WorkloadSetup } from './workload.ts';

const [url, setupJson, seconds] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 16 });
let ok = 0;
const ticker = setInterval(() => process.stdout.write(`ok ${ok}\n`), 100);
await runWorkload(pool, JSON.parse(setupJson!) as WorkloadSetup, { durationMs: Number(seconds) * 1000, onOk: () => ok++ });
clearInterval(ticker);
await pool.end();
