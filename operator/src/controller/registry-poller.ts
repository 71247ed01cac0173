// One list request per interval tells the operator which characters are registered, instead of
// one request per character: changes requeue only the characters they concern.
import type { Logger } from 'pino';
import type { RegistryView } from '../status/decide.ts';
import { sleep } from '../kube/watch.ts';
import type { RegistryClient, RegistryRecord } from './registry.ts';

/** The registry's list answers these too (api-server CharacterRecord). */
type ListedRecord = RegistryRecord & { registeredAt?: string; lastHeartbeatAt?: string | null };

export class RegistryPoller {
  private snapshot = new Map<string, ListedRecord>();
  private error: string | undefined = 'the registry has not been asked yet';
  private stopped = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly client: RegistryClient;
  private readonly intervalMs: number;
  private readonly onChange: (characterIds: string[] | 'all') => void;
  private readonly log: Logger;

  constructor(client: RegistryClient, intervalMs: number, onChange: (characterIds: string[] | 'all') => void, log: Logger) {
    this.client = client;
    this.intervalMs = intervalMs;
    this.onChange = onChange;
    this.log = log;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  view(characterId: string): RegistryView {
    if (this.error) return { state: 'unknown', message: this.error };
    const record = this.snapshot.get(characterId);
    if (!record) return { state: 'unregistered' };
    // The registry keeps a record whose registration ended (deregistered, or expired when its
    // heartbeats stopped): the character was connected and is not any more.
    if (record.status && record.status !== 'registered') {
      return { state: 'disconnected', ...(record.registeredAt ? { registeredAt: record.registeredAt } : {}), ...(record.lastHeartbeatAt ? { lastHeartbeatAt: record.lastHeartbeatAt } : {}) };
    }
    return { state: 'registered', ...(record.sessionId ? { sessionId: record.sessionId } : {}) };
  }

  /** Polls once now (tests, and right after start-up). */
  async refresh(): Promise<void> {
    let items: ListedRecord[];
    try {
      items = await this.client.list();
    } catch (error) {
      const message = (error as Error).message;
      if (this.error === undefined) {
        this.log.warn({ err: error }, 'registry unreachable');
        this.error = message;
        this.onChange('all');
      }
      this.error = message;
      return;
    }
    const next = new Map(items.map((r) => [r.characterId, r]));
    const recovered = this.error !== undefined;
    this.error = undefined;
    const previous = this.snapshot;
    this.snapshot = next;
    if (recovered) return this.onChange('all');
    const changed: string[] = [];
    for (const [id, r] of next) {
      const old = previous.get(id);
      if (!old || old.status !== r.status || old.sessionId !== r.sessionId) changed.push(id);
    }
    for (const id of previous.keys()) if (!next.has(id)) changed.push(id);
    if (changed.length) this.onChange(changed);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.refresh();
      await sleep(this.intervalMs, this.abort.signal);
    }
  }
}
