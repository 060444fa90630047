import { describe, it, expect } from 'vitest';
import { formatDuration, parseDuration, parseExpireIn } from './duration.js';

describe('parseDuration (GitLab ChronicDuration)', () => {
  const cases: Array<[string | number, number | undefined]> = [
    ['3h 30m', 12_600],
    ['3h30m', 12_600],
    ['1 week', 604_800],
    ['2 weeks', 1_209_600],
    ['2 days 4 hrs', 187_200],
    ['3600 seconds', 3600],
    ['30 minutes', 1800],
    ['1.5h', 5400],
    ['1.5 hours', 5400],
    ['90', 90],
    [90, 90],
    ['1 day', 86_400],
    ['1 month', 2_592_000],
    ['1 mo', 2_592_000],
    ['1 year', 31_557_600],
    ['1 yr', 31_557_600],
    ['1 hour and 30 minutes', 5400],
    ['1 hour, 30 minutes', 5400],
    ['1h 30', 5400], // a bare number after a unit is the next smaller unit
    ['1 day 2', 86_400 + 7200],
    ['day', 86_400],
    ['minute 30sec', 90],
    ['1:30', 90],
    ['1:02:03', 3723],
    ['2 WEEKS', 1_209_600],
    ['5 mins', 300],
    ['10 sec', 10],
    ['1d', 86_400],
    ['1w', 604_800],
    ['0', undefined],
    ['0 seconds', undefined],
    ['', undefined],
    ['never', undefined],
    ['one hour', undefined],
    ['5 fortnights', undefined],
    ['-5', undefined],
    ['1 hour 30 minutes 1 hour', 9000],
  ];
  it.each(cases)('%j → %s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
  it('keeps zero on request', () => {
    expect(parseDuration('0', { keepZero: true })).toBe(0);
  });
});

describe('parseExpireIn', () => {
  it.each([
    ['never', 'never'],
    ['Never', 'never'],
    ['NEVER', 'never'],
    ['1 week', 604_800],
    ['nope', undefined],
    [3600, 3600],
  ] as Array<[string | number, 'never' | number | undefined]>)('%j → %s', (text, expected) => {
    expect(parseExpireIn(text)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 secs'],
    [1, '1 sec'],
    [45, '45 secs'],
    [60, '1 min'],
    [5400, '1 hr 30 mins'],
    [86_400, '1 day'],
    [187_200, '2 days 4 hrs'],
    [2_592_000 + 5 * 86_400, '1 mo 5 days'],
    [31_557_600, '1 yr'],
  ])('%d → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
  it('round-trips through parseDuration', () => {
    for (const s of [61, 3600, 90_061, 1_000_000]) expect(parseDuration(formatDuration(s))).toBe(s);
  });
});
