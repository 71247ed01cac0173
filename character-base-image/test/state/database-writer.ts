import { CharacterDatabase } from '../../src/state/database.ts';

// Commits numbered batches of 50 rows in a loop, printing each committed batch, then opens one
// more transaction and waits inside it until killed (database.test.ts's SIGKILL test).
const db = await CharacterDatabase.open(process.argv[2] as string);
db.exec('CREATE TABLE IF NOT EXISTS seen (batch INTEGER NOT NULL, n INTEGER NOT NULL, pad TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO seen (batch, n, pad) VALUES (?, ?, ?)');
const pad = 'x'.repeat(2000);
for (let batch = 1; batch <= 40; batch++) {
  db.transaction(() => {
    for (let n = 0; n < 50; n++) insert.run(batch, n, pad);
  });
  process.stdout.write(`committed ${batch}\n`);
}
db.exec('BEGIN IMMEDIATE');
for (let n = 0; n < 500; n++) insert.run(999, n, pad);
process.stdout.write('mid-transaction\n');
setInterval(() => undefined, 1000);
