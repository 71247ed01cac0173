// The poller's view of the registry's list (no server: the list is handed in as the client's answer).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RegistryPoller } from './registry-poller.ts';
import type { RegistryClient } from './registry.ts';

function pollerOver(answers: unknown[][]) {
  const changes: (string[] | 'all')[] = [];
  let i = 0;
  const client = { list: () => Promise.resolve(answers[Math.min(i++, answers.length - 1)]) } as unknown as RegistryClient;
  return { poller: new RegistryPoller(client, 1000, (ids) => changes.push(ids), pino({ level: 'silent' })), changes };
}

describe('RegistryPoller.view', () => {
  it('registered, unregistered (no record), disconnected (a record whose registration ended), with when', async () => {
    const { poller, changes } = pollerOver([
      [{ characterId: 'a', status: 'registered', sessionId: 's1', registeredAt: '2026-01-01T00:00:00.000Z', lastHeartbeatAt: '2026-01-01T00:00:05.000Z' }],
      [{ characterId: 'a', status: 'deregistered', sessionId: 's1', registeredAt: '2026-01-01T00:00:00.000Z', lastHeartbeatAt: '2026-01-01T00:00:05.000Z' }],
    ]);
    expect(poller.view('a')).toMatchObject({ state: 'unknown' });
    await poller.refresh();
    expect(poller.view('a')).toEqual({ state: 'registered', sessionId: 's1' });
    expect(poller.view('b')).toEqual({ state: 'unregistered' });
    await poller.refresh();
    expect(poller.view('a')).toEqual({ state: 'disconnected', registeredAt: '2026-01-01T00:00:00.000Z', lastHeartbeatAt: '2026-01-01T00:00:05.000Z' });
    // The first answer after "not asked yet" requeues everything; the expiry requeues only 'a'.
    expect(changes).toEqual(['all', ['a']]);
  });
});
