import { describe, expect, it } from 'vitest';
import { contains } from './compare.ts';

describe('contains', () => {
  it('ignores server defaults and compares quantities by value', () => {
    const desired = { spec: { replicas: 1, resources: { limits: { memory: '1024Mi', cpu: '0.5' } }, ports: [{ port: 3000 }] } };
    const live = { spec: { replicas: 1, progressDeadlineSeconds: 600, resources: { limits: { memory: '1Gi', cpu: '500m' } }, ports: [{ port: 3000, protocol: 'TCP' }] } };
    expect(contains(live, desired)).toBe(true);
  });
  it('notices drift', () => {
    expect(contains({ spec: { replicas: 0 } }, { spec: { replicas: 1 } })).toBe(false);
    expect(contains({ image: 'evil:1' }, { image: 'good:1' })).toBe(false);
    expect(contains({ ports: [{ port: 1 }, { port: 2 }] }, { ports: [{ port: 1 }] })).toBe(false);
    expect(contains(undefined, { a: 1 })).toBe(false);
    expect(contains({ size: '2Gi' }, { size: 1073741824 })).toBe(false);
  });
});
