import { describe, expect, it } from 'vitest';
import { quotaRefused, sameApart } from './policy-events.ts';

const quota = (resourceVersion: string, hard: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'dungeon-characters', namespace: 'ns', resourceVersion, annotations: { a: '1' } }, spec: { hard },
});

describe('events of a namespace quota', () => {
  it('a new usage (only the resourceVersion moves in the cache) is told from a change of what was applied', () => {
    expect(sameApart(quota('1', { pods: '10' }), quota('2', { pods: '10' }))).toBe(true);
    expect(sameApart(quota('1', { pods: '10' }), quota('2', { pods: '20' }))).toBe(false);
    const relabelled = quota('2', { pods: '10' });
    relabelled.metadata.annotations = { a: '2' };
    expect(sameApart(quota('1', { pods: '10' }), relabelled)).toBe(false);
  });

  it('names the Characters the quota refused', () => {
    const character = (reason: string) => ({ metadata: { name: 'c', namespace: 'ns' }, status: { conditions: [{ type: 'Degraded', status: 'True', reason }] } });
    expect(quotaRefused(character('QuotaExceeded'))).toBe(true);
    expect(quotaRefused(character('CrashLooping'))).toBe(false);
    expect(quotaRefused({ metadata: { name: 'c' } })).toBe(false);
  });
});
