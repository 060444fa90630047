import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { expandGitlab, expandRunner, referencedNames } from './expand.js';

const VARS: Record<string, string> = { HOME: '/usr/gopher', H: '(Value of H)', home_1: '/usr/foo', _: 'underscore', EMPTY: '', X: 'x' };
const lookup = (n: string): string | undefined => VARS[n];

describe('expandGitlab (server)', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['plain', 'plain'],
    ['$HOME', '/usr/gopher'],
    ['${HOME}', '/usr/gopher'],
    ['%HOME%', '/usr/gopher'],
    ['${H}OME', '(Value of H)OME'],
    ['$HOME/bin', '/usr/gopher/bin'],
    ['$UNKNOWN', '$UNKNOWN'],
    ['${UNKNOWN}', '${UNKNOWN}'],
    ['%UNKNOWN%', '%UNKNOWN%'],
    ['$$HOME', '$$HOME'],
    ['%%HOME%%', '%%HOME%%'],
    ['100%', '100%'],
    ['${}', '${}'],
    ['$1', '$1'],
    ['$EMPTY-x', '-x'],
    ['key$X$X', 'keyxx'],
    ['${HOME', '${HOME'],
    ['$home_1', '/usr/foo'],
    ['a %HOME b', 'a %HOME b'],
  ];
  it.each(cases)('%j → %j', (input, expected) => {
    expect(expandGitlab(input, lookup)).toBe(expected);
  });
});

describe('expandRunner (Go os.Expand)', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['$HOME', '/usr/gopher'],
    ['${HOME}', '/usr/gopher'],
    ['${H}OME', '(Value of H)OME'],
    ['$home_1', '/usr/foo'],
    ['$_', 'underscore'],
    ['$UNKNOWN', ''],
    ['$$', '$'],
    ['$$HOME', '$HOME'],
    ['$1', ''],
    ['${1}', ''],
    ['$*', ''],
    ['%HOME%', '%HOME%'],
    ['${}', ''],
    ['${HOME', 'HOME'],
    ['a$', 'a$'],
    ['$/x', '$/x'],
    ['A$$$#$1$H$home_1*B', 'A$(Value of H)/usr/foo*B'],
    ['now is the time', 'now is the time'],
  ];
  it.each(cases)('%j → %j', (input, expected) => {
    expect(expandRunner(input, lookup)).toBe(expected);
  });
});

describe('referencedNames', () => {
  it('lists $A, ${B}, %C% but not $$ or %%', () => {
    expect(referencedNames('$A ${B} %C% $$D %%E%% ${}')).toEqual(['A', 'B', 'C']);
  });
});

describe('properties', () => {
  it('expandGitlab with no known variables returns the text unchanged', () => {
    fc.assert(fc.property(fc.string(), (s) => expandGitlab(s, () => undefined) === s));
  });
  it('expandRunner leaves texts without $ unchanged', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('$')), (s) => expandRunner(s, () => 'x') === s));
  });
});
