import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Finds a program on PATH or in the given folders, or says how to get it. */
export function findBinary(name: string, extraDirs: string[] = [], hint = ''): string {
  for (const dir of [...extraDirs, ...(process.env.PATH ?? '').split(':')]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found on PATH${extraDirs.length ? ` or in ${extraDirs.join(', ')}` : ''}${hint ? `: ${hint}` : ''}`);
}

/** Debian installs PostgreSQL's server programs under /usr/lib/postgresql/<major>/bin; newest first. */
export function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'));
}

/** uid/gid of a system user, or undefined when it does not exist. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}
