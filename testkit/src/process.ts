import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** A child process the harness owns: its output goes to a log file, and it is stopped on exit. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Last resort so that no server outlives the test run, even when a suite forgets stop().
  process.on('exit', () => {
    for (const p of live) p.child.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      // A program with its own handler (cluster-up's supervisor stopping a real node, which must
      // unmount and remove what its containers left) shuts down in order itself.
      if (process.listenerCount(sig) > 0) return;
      for (const p of live) p.child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

export interface StartOptions extends Pick<SpawnOptions, 'env' | 'cwd' | 'uid' | 'gid'> {
  logFile: string;
}

export function startProcess(name: string, command: string, args: string[], opts: StartOptions): ManagedProcess {
  hookExit();
  const log: WriteStream = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(command, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    uid: opts.uid,
    gid: opts.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (err) => {
      log.write(`\n[testkit] ${name} failed to start: ${err.message}\n`);
      resolve(`error: ${err.message}`);
    });
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const managed: ManagedProcess = {
    name,
    child,
    logFile: opts.logFile,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(managed);
      await new Promise<void>((r) => log.end(r));
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

/** Polls `probe` until it returns true; fails with the process's log tail if it dies or time runs out. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; process?: ManagedProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  let dead: number | string | undefined;
  void opts.process?.exited.then((c) => (dead = c));
  while (Date.now() < deadline) {
    if (dead !== undefined) break;
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  const why = dead !== undefined ? `exited with ${dead}` : 'timed out';
  const tail = opts.process ? await logTail(opts.process.logFile) : '';
  const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`${what}: ${why}${last}${tail ? `\n--- ${opts.process?.logFile} ---\n${tail}` : ''}`);
}

export async function logTail(file: string, lines = 30): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
