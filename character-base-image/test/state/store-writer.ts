import { DurableStore } from '../../src/state/store.ts';

// Saves a 100 kB state in a tight loop until killed (used by store.test.ts's kill -9 test).
const store = new DurableStore<{ n: number; pad: string }>({ dir: process.argv[2] as string });
await store.init();
const pad = 'x'.repeat(100_000);
for (let n = 1; ; n++) {
  await store.save({ n, pad });
  process.stdout.write(`${n}\n`);
}
