// The one exponential backoff of the server side (api-server transactions, session routing and
// start-up, the operator's watches and work queue). Each caller keeps its own loop, because what
// ends it differs (a deadline, a stop signal, a queue's per-key count), but the delay before the
// next try is computed here, so every retry in the system grows, caps and spreads the same way.

export interface BackoffPolicy {
  /** Delay before the first retry (attempt 0). */
  initialMs: number;
  /** No delay grows beyond this. */
  maxMs: number;
  /** Growth per attempt; 2 doubles. */
  factor?: number;
  /**
   * Spread so that many clients retrying together do not arrive together: `none` keeps the exact
   * delay, `proportional` adds up to that fraction of it (0.2 → up to +20 %), `full` picks
   * uniformly between 0 and the delay.
   */
  jitter?: 'none' | 'full' | { proportional: number };
}

/** The delay before retry number `attempt` (0-based). `random` is injectable for tests. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`backoff attempt must be a non-negative integer, got ${attempt}`);
  if (!(policy.initialMs >= 0) || !(policy.maxMs >= policy.initialMs)) {
    throw new RangeError(`backoff policy needs 0 <= initialMs <= maxMs, got ${policy.initialMs} and ${policy.maxMs}`);
  }
  // Capped before it can overflow to Infinity on a very long outage.
  const base = Math.min(policy.initialMs * (policy.factor ?? 2) ** Math.min(attempt, 64), policy.maxMs);
  const jitter = policy.jitter ?? 'none';
  if (jitter === 'none') return base;
  if (jitter === 'full') return random() * base;
  return base + random() * base * jitter.proportional;
}

/** Resolves after `ms`, or at once (rejecting with the signal's reason) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
