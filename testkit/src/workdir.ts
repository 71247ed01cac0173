import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
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
