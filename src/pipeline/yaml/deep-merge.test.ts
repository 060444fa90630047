import { describe, expect, it } from 'vitest';
import { deepMerge } from './deep-merge.js';
import { PositionIndex } from './position-index.js';

describe('deepMerge', () => {
  it('records a result as tag-free only when every container in it is known tag-free', () => {
    const index = new PositionIndex();
    const tagFree = new WeakSet<object>();
    const clean = { k: [1] };
    const unknown = { t: 1 };
    tagFree.add(clean);
    tagFree.add(clean.k);
    const a = deepMerge({ s: 'x' }, { c: clean, n: null }, index, undefined, tagFree);
    const b = deepMerge({ c: clean }, { u: unknown }, index, undefined, tagFree);
    const c = deepMerge({ c: { x: unknown } }, { c: { y: 1 } }, index, undefined, tagFree);
    expect([tagFree.has(a), tagFree.has(b), tagFree.has(c), tagFree.has(c['c'] as object)]).toEqual([true, false, false, false]);
    const d = deepMerge({ c: clean }, { c: { z: 2 } }, index, undefined, tagFree);
    expect([tagFree.has(d), tagFree.has(d['c'] as object)]).toEqual([true, true]);
  });

  it('merges hashes key by key and replaces arrays, scalars and null', () => {
    const index = new PositionIndex();
    const base = { a: { x: 1, y: [1, 2] }, b: [1], c: 'keep', d: { z: 1 } };
    const over = { a: { y: [3], w: true }, b: [2], d: null };
    expect(deepMerge(base, over, index)).toEqual({ a: { x: 1, y: [3], w: true }, b: [2], c: 'keep', d: null });
  });

  it('never mutates its inputs and shares untouched values', () => {
    const index = new PositionIndex();
    const shared = { deep: { k: 1 } };
    const base = { a: { x: 1 }, s: shared };
    const over = { a: { y: 2 } };
    const out = deepMerge(base, over, index);
    expect(base).toEqual({ a: { x: 1 }, s: shared });
    expect(over).toEqual({ a: { y: 2 } });
    expect(out['s']).toBe(shared);
  });

  it('takes each key position from the side that supplied the value', () => {
    const index = new PositionIndex();
    const base = { a: 1, b: 2 };
    const over = { b: 3 };
    index.setKey(base, 'a', { file: 'base.yml', line: 1, column: 1 });
    index.setKey(base, 'b', { file: 'base.yml', line: 2, column: 1 });
    index.setKey(over, 'b', { file: 'over.yml', line: 7, column: 3 });
    const out = deepMerge(base, over, index);
    expect(index.keyPos(out, 'a')).toEqual({ file: 'base.yml', line: 1, column: 1 });
    expect(index.keyPos(out, 'b')).toEqual({ file: 'over.yml', line: 7, column: 3 });
  });

  it('keeps a __proto__ key as data', () => {
    const index = new PositionIndex();
    const over = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const out = deepMerge({}, over, index);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
