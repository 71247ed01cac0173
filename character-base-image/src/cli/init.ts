import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLASSES, scaffoldFiles, type ScaffoldClass } from './scaffold.ts';
import { UsageError } from './usage-error.ts';

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface InitArgs {
  dir: string;
  class?: string;
  name?: string;
  level?: string;
  language?: string;
  sdkVersion: string;
}

function titleCase(slug: string): string {
  return slug
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** `dungeon init <dir>`: a new character folder; refuses to write into a folder that has files. */
export async function init(args: InitArgs, out: (line: string) => void): Promise<string[]> {
  const dir = path.resolve(args.dir);
  const slug = path.basename(dir).toLowerCase();
  if (!NAME.test(slug)) {
    throw new UsageError(`the folder name "${path.basename(dir)}" is also the Character's name: use lowercase letters, digits and dashes (at most 63)`);
  }
  const cls = (args.class ?? 'fighter') as ScaffoldClass;
  if (!CLASSES.includes(cls)) throw new UsageError(`--class must be one of ${CLASSES.join(', ')}, got "${args.class}"`);
  const level = Number(args.level ?? '1');
  if (!Number.isInteger(level) || level < 1 || level > 20) throw new UsageError(`--level must be a whole number from 1 to 20, got "${args.level}"`);
  const language = args.language ?? 'ts';
  if (language !== 'ts' && language !== 'js') throw new UsageError(`--lang must be ts or js, got "${language}"`);
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (existing.length > 0) throw new UsageError(`${dir} is not empty: give a new folder (nothing there is overwritten)`);

  const files = scaffoldFiles({ name: slug, displayName: args.name ?? titleCase(slug), class: cls, level, language, sdkVersion: args.sdkVersion });
  await mkdir(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await writeFile(path.join(dir, rel), text, { flag: 'wx' });
    out(`  created ${path.join(args.dir, rel)}`);
  }
  return Object.keys(files);
}
