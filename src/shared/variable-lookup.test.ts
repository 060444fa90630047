import { describe, expect, it } from 'vitest';
import { isGoTrue, lastValue } from './variable-lookup.js';

describe('lastValue', () => {
  it('returns the last value of a key, or undefined', () => {
    const vars = [{ key: 'A', value: '1' }, { key: 'B', value: 'b' }, { key: 'A', value: '2' }];
    expect(lastValue(vars, 'A')).toBe('2');
    expect(lastValue(vars, 'B')).toBe('b');
    expect(lastValue(vars, 'C')).toBeUndefined();
  });
});

describe('isGoTrue', () => {
  it('takes the spellings of strconv.ParseBool', () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(isGoTrue(v), v).toBe(true);
    for (const v of [undefined, '', '0', 'false', 'yes', 'tRuE', ' true']) expect(isGoTrue(v), String(v)).toBe(false);
  });
});
