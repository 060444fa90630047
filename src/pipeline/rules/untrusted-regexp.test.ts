import { describe, it, expect } from 'vitest';
import { compileUntrustedRegexp, parseRubyRegexpLiteral, RegexpSyntaxError } from './untrusted-regexp.js';

describe('parseRubyRegexpLiteral', () => {
  it.each([
    ['/abc/', { source: 'abc', flags: '' }],
    ['/a/b/', { source: 'a/b', flags: '' }],
    ['/abc/im', { source: 'abc', flags: 'im' }],
    ['/a/', { source: 'a', flags: '' }],
    ['//', { source: '', flags: '' }],
  ])('%s', (text, expected) => {
    expect(parseRubyRegexpLiteral(text)).toEqual(expected);
  });
  it.each(['abc', '/abc', '/abc/x', 'abc/'])('%s is not a regex', (text) => {
    expect(parseRubyRegexpLiteral(text)).toBeUndefined();
  });
});

describe('compileUntrustedRegexp', () => {
  const matches: Array<[string, string, string, boolean]> = [
    ['^a.c$', '', 'abc', true],
    ['^ABC$', 'i', 'abc', true],
    ['(?i)^ABC$', '', 'abc', true],
    ['^b$', 'm', 'a\nb', true],
    ['^b$', '', 'a\nb', false],
    ['a.b', 's', 'a\nb', true],
    ['\\Aab\\z', 'm', 'ab', true],
    ['\\Ab', 'm', 'a\nb', false],
    ['(?P<v>\\d+)', '', 'v12', true],
    ['[[:digit:]]+x', '', '12x', true],
    ['[[:alpha:]_]+', '', '___', true],
    ['\\Qa.b\\E', '', 'a.b', true],
    ['\\Qa.b\\E', '', 'axb', false],
    ['a\\-b', '', 'a-b', true],
    ['\\x41', '', 'A', true],
    ['\\x{263a}', '', '\u263a', true],
    ['\\pL+', '', 'héllo', true],
    ['a{2}', '', 'aa', true],
    ['a{,2}', '', 'a{,2}', true], // RE2 reads a malformed repetition literally
    ['a+', 'U', 'aaa', true],
    ['\\012', '', '\n', true],
  ];
  it.each(matches)('/%s/%s on %j → %s', (source, flags, text, expected) => {
    expect(compileUntrustedRegexp(source, flags).test(text)).toBe(expected);
  });

  it('U makes quantifiers lazy', () => {
    expect(compileUntrustedRegexp('a+', 'U').exec('aaa')![0]).toBe('a');
    expect(compileUntrustedRegexp('a+?', 'U').exec('aaa')![0]).toBe('aaa');
  });

  it.each(['(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?>a)', 'a**', 'a++', '(ab', '[ab', 'a{1001}', '\\Z', '\\8'])(
    'rejects %s like RE2',
    (source) => {
      expect(() => compileUntrustedRegexp(source)).toThrow(RegexpSyntaxError);
    },
  );
});
