import { describe, expect, it } from 'vitest';
import { controlPlaneBinDir, pinnedVersions } from './controlplane-binaries.ts';

describe('control plane cache key', () => {
  it('pins Kubernetes 1.34 or newer, etcd 3.5.13 or newer, and a kwok release', () => {
    const v = pinnedVersions();
    const [kMajor, kMinor] = v.KUBERNETES_VERSION.replace(/^v/, '').split('.').map(Number);
    expect(kMajor).toBe(1);
    expect(kMinor).toBeGreaterThanOrEqual(34);
    const [eMajor, eMinor, ePatch] = v.ETCD_VERSION.replace(/^v/, '').split('.').map(Number);
    expect(eMajor! * 10_000 + eMinor! * 100 + ePatch!).toBeGreaterThanOrEqual(3_05_13);
    expect(v.KWOK_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  it('puts every pinned version in the cache folder name, so a bump rebuilds', () => {
    const v = pinnedVersions();
    const dir = controlPlaneBinDir();
    for (const version of [v.KUBERNETES_VERSION, v.ETCD_VERSION, v.KWOK_VERSION]) expect(dir).toContain(version);
  });

  it('honours DUNGEON_CACHE', () => {
    const before = process.env.DUNGEON_CACHE;
    process.env.DUNGEON_CACHE = '/somewhere/else';
    try {
      expect(controlPlaneBinDir().startsWith('/somewhere/else/controlplane/')).toBe(true);
    } finally {
      if (before === undefined) delete process.env.DUNGEON_CACHE;
      else process.env.DUNGEON_CACHE = before;
    }
  });
});
