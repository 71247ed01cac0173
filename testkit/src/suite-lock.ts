import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { eventually } from './eventually.ts';

// Integration files run two at a time against one control plane. Suites that run an operator
// there cannot share it: each operator reconciles every Character it sees, so two of them answer
// each other's Characters (status, Events) and the assertions of both turn to chance. They take
// this lock for their whole file instead; the other suites keep running beside them.
//
// A file created with O_EXCL holds the lock and names its holder's pid, so a holder that died
// without releasing (a killed worker) does not block the next run's suites forever.

function holderAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    // Created but its pid not yet written: the holder is taking it right now.
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - statSync(path).mtimeMs < 10_000;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (up to `timeoutMs`) until this process holds the lock at `path`; returns its release. */
export async function acquireSuiteLock(path: string, timeoutMs = 900_000): Promise<() => void> {
  await eventually(
    `the lock ${path} (another suite holds it)`,
    () => {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!holderAlive(path)) rmSync(path, { force: true });
        return false;
      }
    },
    timeoutMs,
    250,
  );
  return () => rmSync(path, { force: true });
}
