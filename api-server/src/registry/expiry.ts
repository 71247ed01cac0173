import type { AppContext } from '../context.ts';
import { RegistryService } from './service.ts';

/**
 * Expires characters whose heartbeats stopped (CHARACTER_HEARTBEAT_TIMEOUT_MS), every
 * CHARACTER_EXPIRY_SWEEP_MS. Every replica sweeps; the database hands each silent character to
 * one of them. Returns the function that stops it and waits for a sweep in progress.
 */
export function startHeartbeatExpiry(ctx: AppContext): () => Promise<void> {
  const every = ctx.config.registry.expirySweepIntervalMs;
  if (every === 0) return () => Promise.resolve();
  const registry = new RegistryService(ctx);
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    // One sweep at a time: a slow database must not pile sweeps up.
    running = running.then(async () => {
      if (stopped) return;
      try {
        await registry.expireSilent();
      } catch (err) {
        ctx.logger.warn({ err }, 'heartbeat expiry sweep failed; retrying at the next one');
      }
    });
  }, every);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
