import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

describe('formatGoDuration', () => {
  it.each([
    [3_600_000, '1h0m0s'], [7_200_000, '2h0m0s'], [5_400_000, '1h30m0s'], [330_000, '5m30s'],
    [45_000, '45s'], [1_500, '1.5s'], [250, '250ms'], [0, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['10m', 600_000], ['1h30m', 5_400_000], ['90s', 90_000], ['2.5m', 150_000], ['500ms', 500], ['0', 0], [' 1m ', 60_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'm', '10 minutes', '1h x', '-5m'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
