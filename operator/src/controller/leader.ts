// Leader election on a coordination.k8s.io/v1 Lease: only the holder reconciles; a standby
// takes the lease once the holder has not renewed it for leaseDurationSeconds.
import type { Logger } from 'pino';
import { KubeError, type KubeClient } from '../kube/client.ts';
import { Kinds, collectionPath, objectPath } from '../kube/resources.ts';
import { sleep } from '../kube/watch.ts';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log: Logger;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const microTime = (d: Date) => d.toISOString().replace('Z', '000Z');

export class LeaderElector {
  isLeader = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly client: KubeClient;
  private readonly o: Required<Omit<LeaderOptions, 'log' | 'onStartedLeading' | 'onStoppedLeading'>> & LeaderOptions;

  constructor(client: KubeClient, opts: LeaderOptions) {
    this.client = client;
    this.o = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...opts };
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops renewing and, when leading, gives the lease up so a standby need not wait it out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
    if (this.isLeader) {
      this.setLeader(false);
      await this.release().catch((error: unknown) => this.o.log.warn({ err: error }, 'releasing the lease failed'));
    }
  }

  private path(): string {
    return objectPath(Kinds.Lease, this.o.namespace, this.o.name);
  }

  private setLeader(leader: boolean): void {
    if (leader === this.isLeader) return;
    this.isLeader = leader;
    this.o.log.info({ identity: this.o.identity, lease: this.o.name }, leader ? 'became leader' : 'lost leadership');
    if (leader) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async run(): Promise<void> {
    let lastRenew = 0;
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (error) {
        this.o.log.debug({ err: error }, 'lease attempt failed');
      }
      if (ok) {
        lastRenew = Date.now();
        this.setLeader(true);
      } else if (this.isLeader && Date.now() - lastRenew > this.o.renewDeadlineMs) {
        this.setLeader(false);
      }
      await sleep(this.o.retryPeriodMs, this.abort.signal);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let lease: Lease | undefined;
    try {
      lease = await this.client.request<Lease>('GET', this.path(), { timeoutMs: 5_000 });
    } catch (error) {
      if (!(error instanceof KubeError && error.status === 404)) throw error;
    }
    const spec = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      renewTime: microTime(now),
    };
    if (!lease) {
      await this.client.request('POST', collectionPath(Kinds.Lease, this.o.namespace), {
        body: {
          apiVersion: Kinds.Lease.apiVersion,
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        },
        timeoutMs: 5_000,
      });
      return true;
    }
    const held = lease.spec.holderIdentity;
    const renewed = lease.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const expired = renewed + (lease.spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000 < now.getTime();
    if (held && held !== this.o.identity && !expired) return false;
    const taking = held !== this.o.identity;
    await this.client.request('PUT', this.path(), {
      body: {
        ...lease,
        spec: {
          ...lease.spec,
          ...spec,
          ...(taking ? { acquireTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 } : {}),
        },
      },
      timeoutMs: 5_000,
    });
    return true;
  }

  private async release(): Promise<void> {
    const lease = await this.client.request<Lease>('GET', this.path(), { timeoutMs: 5_000 });
    if (lease.spec.holderIdentity !== this.o.identity) return;
    await this.client.request('PUT', this.path(), {
      body: { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: microTime(new Date(0)) } },
      timeoutMs: 5_000,
    });
  }
}
