import type { Logger } from './settings.ts';

/**
 * Runs a player hook with a deadline. Player code is untrusted: a throw or a timeout is logged
 * and yields nothing, so the runtime (and the game, which defends for us) goes on.
 */
export async function runHook<T>(name: string, fn: () => Promise<T>, timeoutMs: number, log: Logger): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(fn),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    log.warn({ hook: name, err: String(err) }, 'hook failed');
    return null;
  } finally {
    clearTimeout(timer);
  }
}
