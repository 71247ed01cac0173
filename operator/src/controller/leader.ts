// Leader election on a coordination.k8s.io/v1 Lease: only the holder reconciles; a standby
// takes the lease once it has seen the record unchanged for leaseDurationSeconds (by its own
// monotonic clock, see lease.ts). A leader that cannot renew within renewDeadlineMs, or finds
// the lease held by another, stops at once: `mayWrite()` turns false before any standby can
// take over, and onStoppedLeading runs (the process exits there, as controller-runtime does).
import type { Logger } from 'pino';
import { KubeError, type KubeClient } from '../kube/client.ts';
import { Kinds, collectionPath, objectPath } from '../kube/resources.ts';
import { sleep } from '../kube/watch.ts';
import { leaseAction, mayAct, observe, type LeaseSpec, type Observed } from './lease.ts';

interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /** Called once per loss, with why; nothing may be written after it. */
  onStoppedLeading: (reason: string) => void;
  log: Logger;
  /** Monotonic milliseconds (tests pass their own clock). */
  now?: () => number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

const microTime = (d: Date) => d.toISOString().replace('Z', '000Z');

export class LeaderElector {
  isLeader = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private observed: Observed | undefined;
  private lastRenewStartedAt: number | undefined;
  private standingByFor: string | undefined;
  private readonly client: KubeClient;
  private readonly o: Required<Omit<LeaderOptions, 'log' | 'onStartedLeading' | 'onStoppedLeading'>> & LeaderOptions;

  constructor(client: KubeClient, opts: LeaderOptions) {
    this.client = client;
    this.o = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, now: () => performance.now(), ...opts };
    if (this.o.renewDeadlineMs >= this.o.leaseDurationSeconds * 1000) throw new Error('renewDeadlineMs must be shorter than the lease duration');
  }

  start(): void {
    this.loop = this.run();
  }

  /**
   * True only while this replica leads and renewed recently enough. Checked synchronously before
   * every write: after a pause (SIGSTOP, a long GC, a frozen VM) it is false before any timer or
   * I/O callback of ours could write, and it steps down right there.
   */
  mayWrite(): boolean {
    if (mayAct(this.isLeader, this.lastRenewStartedAt, this.o.now(), this.o.renewDeadlineMs)) return true;
    if (this.isLeader) this.lose(`no renewal for ${this.o.renewDeadlineMs} ms`);
    return false;
  }

  /** Stops renewing and, when leading, gives the lease up so a standby need not wait it out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
    if (this.isLeader) {
      const mayRelease = this.mayWrite();
      this.lose('stopping');
      if (mayRelease) await this.release().catch((error: unknown) => this.o.log.warn({ err: error }, 'releasing the lease failed'));
    }
  }

  private path(): string {
    return objectPath(Kinds.Lease, this.o.namespace, this.o.name);
  }

  private lead(): void {
    if (this.isLeader) return;
    this.isLeader = true;
    this.o.log.info({ identity: this.o.identity, lease: this.o.name }, 'became leader');
    this.o.onStartedLeading();
  }

  private lose(reason: string): void {
    if (!this.isLeader) return;
    this.isLeader = false;
    this.lastRenewStartedAt = undefined;
    this.o.log.warn({ identity: this.o.identity, lease: this.o.name, reason }, 'lost leadership');
    this.o.onStoppedLeading(reason);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.isLeader) this.mayWrite();
      try {
        await this.attempt();
      } catch (error) {
        this.o.log.debug({ err: error }, 'lease attempt failed');
      }
      if (this.isLeader) this.mayWrite();
      await sleep(this.o.retryPeriodMs, this.abort.signal);
    }
  }

  private async attempt(): Promise<void> {
    let lease: Lease | undefined;
    try {
      lease = await this.client.request<Lease>('GET', this.path(), { timeoutMs: 5_000 });
    } catch (error) {
      if (!(error instanceof KubeError && error.status === 404)) throw error;
    }
    const now = this.o.now();
    if (!lease) {
      if (this.isLeader) return this.lose('the lease was deleted');
      await this.write('POST', undefined, now, true);
      return;
    }
    this.observed = observe(this.observed, lease.spec, now, this.o.leaseDurationSeconds);
    const action = leaseAction(this.observed, this.o.identity, now);
    if (this.isLeader && action !== 'renew') return this.lose(`the lease is held by ${this.observed.holder || 'nobody'}`);
    if (action === 'wait') {
      // Said once per holder, so an operator (and a test) can see the standby is alive and waiting.
      if (this.standingByFor !== this.observed.holder) {
        this.standingByFor = this.observed.holder;
        this.o.log.info({ identity: this.o.identity, lease: this.o.name, holder: this.observed.holder }, 'standing by');
      }
      return;
    }
    // A renewal after the deadline would extend a lease a standby may already be taking.
    if (action === 'renew' && this.isLeader && !this.mayWrite()) return;
    await this.write('PUT', lease, now, action === 'acquire');
  }

  /** Creates or updates the lease as ours; the resourceVersion makes a concurrent taker fail. */
  private async write(method: 'POST' | 'PUT', lease: Lease | undefined, startedAt: number, taking: boolean): Promise<void> {
    const wall = microTime(new Date());
    const previous = lease?.spec ?? {};
    const spec: LeaseSpec = {
      ...previous,
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      renewTime: wall,
      ...(taking ? { acquireTime: wall, leaseTransitions: lease ? (previous.leaseTransitions ?? 0) + 1 : 0 } : {}),
    };
    const body = lease
      ? { ...lease, spec }
      : { apiVersion: Kinds.Lease.apiVersion, kind: 'Lease', metadata: { name: this.o.name, namespace: this.o.namespace }, spec };
    const path = method === 'POST' ? collectionPath(Kinds.Lease, this.o.namespace) : this.path();
    const written = await this.client.request<Lease>(method, path, { body, timeoutMs: 5_000, unguarded: true });
    this.observed = observe(this.observed, written.spec, this.o.now(), this.o.leaseDurationSeconds);
    this.lastRenewStartedAt = startedAt;
    this.lead();
  }

  private async release(): Promise<void> {
    const lease = await this.client.request<Lease>('GET', this.path(), { timeoutMs: 5_000 });
    if (lease.spec.holderIdentity !== this.o.identity) return;
    await this.client.request('PUT', this.path(), {
      body: { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: microTime(new Date(0)) } },
      timeoutMs: 5_000,
      unguarded: true,
    });
  }
}
