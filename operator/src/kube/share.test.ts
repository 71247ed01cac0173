import { describe, expect, it } from 'vitest';
import { Sharer } from './share.ts';

const deployment = (name: string) =>
  JSON.parse(
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'players', labels: { 'app.kubernetes.io/managed-by': 'dungeon-operator', 'app.kubernetes.io/instance': name } },
      spec: { strategy: { type: 'Recreate' }, template: { spec: { containers: [{ name: 'character', image: `registry.example/${name}:1`, securityContext: { capabilities: { drop: ['ALL'] } } }] } } },
    }),
  ) as { metadata: { name: string; labels: Record<string, string> }; spec: { strategy: object; template: { spec: { containers: { image: string; securityContext: object }[] } } } };

describe('Sharer', () => {
  it('keeps one copy of equal sub-objects across objects, and each object equal to its input', () => {
    const sharer = new Sharer();
    const a = deployment('hero-1');
    const b = deployment('hero-2');
    const sa = sharer.share(a);
    const sb = sharer.share(b);
    expect(sa).toEqual(a);
    expect(sb).toEqual(b);
    expect(sb.spec.strategy).toBe(sa.spec.strategy);
    expect(sb.spec.template.spec.containers[0]!.securityContext).toBe(sa.spec.template.spec.containers[0]!.securityContext);
    // Different values are not merged.
    expect(sb.spec.template.spec.containers[0]!.image).toBe('registry.example/hero-2:1');
    expect(sb.metadata.labels).not.toBe(sa.metadata.labels);
  });

  it('freezes shared sub-objects, not the object or its metadata', () => {
    const sharer = new Sharer();
    const kept = sharer.share(deployment('hero'));
    expect(Object.isFrozen(kept.spec.strategy)).toBe(true);
    expect(() => ((kept.spec.strategy as { type: string }).type = 'RollingUpdate')).toThrow(TypeError);
    expect(Object.isFrozen(kept)).toBe(false);
    expect(Object.isFrozen(kept.metadata)).toBe(false);
  });

  it('does not share values too big to be repeated', () => {
    const sharer = new Sharer();
    const big = { metadata: { name: 'x' }, data: { blob: 'y'.repeat(5000) } };
    const first = sharer.share(big);
    const second = sharer.share(structuredClone(big));
    expect(second).toEqual(big);
    expect(second.data).not.toBe(first.data);
    expect(Object.isFrozen(second.data)).toBe(false);
  });
});
