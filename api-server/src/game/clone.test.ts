import { describe, expect, it } from 'vitest';
import { tinySession } from '../../test/game/fixtures.ts';
import { cloneData } from './clone.ts';

describe('cloneData', () => {
  it('copies a session state deeply: equal to structuredClone, sharing no object with the original', () => {
    const { world: _world, ...state } = tinySession();
    const copy = cloneData(state);
    expect(copy).toStrictEqual(structuredClone(state));
    const objects = (v: unknown, out: object[] = []): object[] => {
      if (typeof v === 'object' && v !== null) {
        out.push(v);
        for (const x of Object.values(v)) objects(x, out);
      }
      return out;
    };
    const originals = new Set(objects(state));
    expect(objects(copy).filter((o) => originals.has(o))).toEqual([]);
  });

  it('keeps undefined members, nulls and nested arrays as they are, and a change to the copy leaves the original alone', () => {
    const value = { a: undefined, b: null, c: [[1, { d: 'x' }], []], e: { f: true } };
    const copy = cloneData(value);
    expect(copy).toStrictEqual(value);
    expect(Object.keys(copy)).toEqual(['a', 'b', 'c', 'e']);
    (copy.c[0]![1] as { d: string }).d = 'changed';
    copy.e.f = false;
    expect(value).toStrictEqual({ a: undefined, b: null, c: [[1, { d: 'x' }], []], e: { f: true } });
  });
});
