import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A scratch folder for one server. World-readable, because PostgreSQL run by root drops to the
 * `postgres` user and must be able to reach its data directory.
 */
export function makeWorkdir(prefix: string): string {
  const base = process.env.DUNGEON_TEST_TMP ?? join(tmpdir(), 'dungeon-test');
  mkdirSync(base, { recursive: true, mode: 0o755 });
  chmodSync(base, 0o755);
  const dir = mkdtempSync(join(base, `${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Removes a server's scratch folder after a clean stop; DUNGEON_KEEP_LOGS=1 keeps it for a post-mortem. */
export function removeWorkdir(dir: string): void {
  if (process.env.DUNGEON_KEEP_LOGS === '1') return;
  rmSync(dir, { recursive: true, force: true });
}
