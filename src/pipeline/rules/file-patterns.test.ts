import { describe, it, expect } from 'vitest';
import { expandBraces, filterByPatterns, fnmatch, matchesAnyPattern } from './file-patterns.js';

describe('fnmatch (Ruby PATHNAME | DOTMATCH | EXTGLOB)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['Dockerfile', 'Dockerfile', true],
    ['Dockerfile', 'docker/Dockerfile', false],
    ['*.md', 'README.md', true],
    ['*.md', 'docs/README.md', false],
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'docs/a/b/README.md', true],
    ['docs/**/*', 'docs/a.md', true],
    ['docs/**/*', 'docs/a/b/c.md', true],
    ['docs/**', 'docs/a.md', true],
    ['docs/**', 'docs/a/b.md', false], // ** not followed by / is a single *
    ['docs/*', 'docs/a/b.md', false],
    ['**/foo', 'a/b/c/foo', true],
    ['**/foo', 'foo', true],
    ['**/foo', 'a/.b/c/foo', true], // DOTMATCH: hidden directories too
    ['*', '.gitlab-ci.yml', true], // DOTMATCH: dotfiles
    ['.*', '.gitlab-ci.yml', true],
    ['*.yml', '.gitlab-ci.yml', true],
    ['{src,lib}/**/*.ts', 'src/a.ts', true],
    ['{src,lib}/**/*.ts', 'lib/x/y.ts', true],
    ['{src,lib}/**/*.ts', 'test/a.ts', false],
    ['*.{js,ts}', 'a.ts', true],
    ['*.{js,ts}', 'a.tsx', false],
    ['{a,{b,c}}.txt', 'c.txt', true],
    ['{a}.txt', 'a.txt', true],
    ['{a,b.txt', '{a,b.txt', true], // unclosed brace is literal
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
    ['a?b', 'a/b', false], // ? never matches /
    ['a*b', 'a/b', false],
    ['[abc].txt', 'b.txt', true],
    ['[abc].txt', 'd.txt', false],
    ['[!abc].txt', 'd.txt', true],
    ['[^abc].txt', 'a.txt', false],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['a[/]b', 'a/b', false], // brackets never match /
    ['[abc', '[abc', false], // unclosed bracket never matches
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['a.txt', 'aXtxt', false], // . is literal
    ['(a|b).txt', '(a|b).txt', true], // no regex alternation
    ['+(a|b)', 'a', false], // extglob operators are not Ruby's
    ['Dockerfile*', 'Dockerfile.dev', true],
    ['dockerfile', 'Dockerfile', false], // case-sensitive
    ['**/*', 'a/b/c', true],
    ['**', 'a', true],
    ['**', 'a/b', false],
    ['src/**/test/*.rb', 'src/test/a.rb', true],
    ['src/**/test/*.rb', 'src/x/y/test/a.rb', true],
    ['src/**/**/a', 'src/a', true],
  ];
  it.each(cases)('%s ~ %s → %s', (pattern, path, expected) => {
    expect(fnmatch(pattern, path)).toBe(expected);
  });
});

describe('expandBraces', () => {
  it('expands nested alternatives in order', () => {
    expect(expandBraces('x{a,b{1,2}}y')).toEqual(['xay', 'xb1y', 'xb2y']);
  });
  it('keeps escaped braces', () => {
    expect(expandBraces('\\{a,b\\}')).toEqual(['\\{a,b\\}']);
  });
});

describe('matchesAnyPattern / filterByPatterns', () => {
  const files = ['README.md', 'src/main.ts', 'docs/guide/intro.md', '.gitlab-ci.yml'];
  it('is true when one file matches one pattern', () => {
    expect(matchesAnyPattern(['*.go', 'src/*.ts'], files)).toBe(true);
  });
  it('is false with no pattern or no file', () => {
    expect(matchesAnyPattern([], files)).toBe(false);
    expect(matchesAnyPattern(['**/*'], [])).toBe(false);
  });
  it('filters in original order', () => {
    expect(filterByPatterns(['**/*.md'], files)).toEqual(['README.md', 'docs/guide/intro.md']);
  });
});
