import { setTimeout as sleep } from 'node:timers/promises';

// Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, base·2ⁿ)],
// so a fleet of characters that lost the api-server together does not come back in lockstep.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 250;
  const max = options.maxMs ?? 30_000;
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.floor((options.random ?? Math.random)() * cap);
}

export interface RetryOptions extends BackoffOptions {
  /** Attempts in all (Infinity: until it works or `signal` aborts). */
  attempts?: number;
  /** False stops retrying at once (a 4xx that will never succeed). */
  retryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? Infinity;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= attempts || options.signal?.aborted || !(options.retryable?.(err) ?? true)) throw err;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
