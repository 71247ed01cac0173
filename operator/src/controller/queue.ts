// A work queue in the client-go mould: a key is never processed by two workers at once, a key
// added while it is being processed is processed again afterwards, failures come back with
// per-key exponential backoff, and a token bucket caps the overall retry rate. Urgent keys (a
// Character whose spec changed) go before the others: with thousands of Characters, the events of
// their pods and rollouts would otherwise keep a player's change waiting behind all of them.
import { backoffDelay } from '@distributed-dungeon/contracts';

interface QueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Global rate limit for rate-limited adds: tokens per second and bucket size. */
  qps?: number;
  burst?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  /** Served first. A key moved here may still sit in `queue`: that entry is skipped when stale. */
  private readonly urgentQueue: string[] = [];
  /** Dirty keys that are urgent (queued in urgentQueue, or to be when their processing ends). */
  private readonly urgent = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private tokens: number;
  private lastRefill = Date.now();
  private readonly opts: Required<QueueOptions>;

  constructor(opts: QueueOptions = {}) {
    this.opts = { baseDelayMs: 100, maxDelayMs: 60_000, qps: 20, burst: 100, ...opts };
    this.tokens = this.opts.burst;
  }

  /** Keys waiting for a worker (not counting those waiting for their own processing to end). */
  get length(): number {
    return this.waiting;
  }

  private waiting = 0;

  get pendingDelayed(): number {
    return this.timers.size;
  }

  /** `urgent`: before every key that is not (a key already waiting is moved up). */
  add(key: string, urgent = false): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) {
      if (urgent && !this.urgent.has(key)) {
        this.urgent.add(key);
        if (!this.processing.has(key)) this.urgentQueue.push(key);
      }
      return;
    }
    this.dirty.add(key);
    if (urgent) this.urgent.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.take(key);
      waiter(key);
    } else {
      (urgent ? this.urgentQueue : this.queue).push(key);
      this.waiting++;
    }
  }

  /** Adds after `ms`; an earlier pending add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Re-adds a failed key after its backoff (and after the global bucket allows it). */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const backoff = backoffDelay(n, { initialMs: this.opts.baseDelayMs, maxMs: this.opts.maxDelayMs });
    const delay = Math.max(backoff, this.bucketDelay());
    this.addAfter(key, delay);
    return delay;
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Next key, or undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    for (const from of [this.urgentQueue, this.queue]) {
      let key: string | undefined;
      while ((key = from.shift()) !== undefined) {
        // Stale: handed out already (from the other queue), and not added again since.
        if (!this.dirty.has(key) || this.processing.has(key)) continue;
        this.take(key);
        this.waiting--;
        return Promise.resolve(key);
      }
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      const urgent = this.urgent.has(key);
      this.dirty.delete(key);
      this.urgent.delete(key);
      this.add(key, urgent);
    }
  }

  private take(key: string): void {
    this.dirty.delete(key);
    this.urgent.delete(key);
    this.processing.add(key);
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private bucketDelay(): number {
    const now = Date.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.opts.qps);
    this.lastRefill = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.opts.qps) * 1000);
  }
}
