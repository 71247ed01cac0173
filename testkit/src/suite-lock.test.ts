import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSuiteLock } from './suite-lock.ts';

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'dd-lock-')), 'operator.lock');

describe('acquireSuiteLock', () => {
  it('lets a second holder in only after the first releases', async () => {
    const path = lockPath();
    const releaseFirst = await acquireSuiteLock(path);
    const order: string[] = [];
    const second = acquireSuiteLock(path).then((release) => {
      order.push('second acquired');
      return release;
    });
    await new Promise((r) => setTimeout(r, 600)); // several polls of the waiting holder
    order.push('first releases');
    releaseFirst();
    (await second)();
    expect(order).toEqual(['first releases', 'second acquired']);
  });

  it('takes over a lock whose holder died', async () => {
    const path = lockPath();
    writeFileSync(path, '2147483646'); // a pid no process has
    const release = await acquireSuiteLock(path, 5_000);
    release();
  });

  it('gives up naming the lock when its holder lives on', async () => {
    const path = lockPath();
    writeFileSync(path, String(process.pid));
    await expect(acquireSuiteLock(path, 500)).rejects.toThrow(/timed out .* waiting for the lock .*operator\.lock/);
  });
});
