import { describe, it, expect } from 'vitest';
import { createExpressionCache, evaluateExpression, ExpressionError, isValidExpression, parseExpression } from './expression.js';

const VARS: Record<string, string> = {
  PRESENT_VARIABLE: 'my variable',
  PATH_VARIABLE: 'a/path/variable/value',
  FULL_PATH_VARIABLE: '/a/full/path/variable/value',
  EMPTY_VARIABLE: '',
  BLANK_VARIABLE: '   ',
  teststring: 'abcde',
  pattern1: '/^ab.*/',
  pattern2: '/^at.*/',
  ipattern: '/^AB/i',
  slashpattern: '/^release\\/.*/',
  plain: 'release/1.0',
  CI_COMMIT_BRANCH: 'main',
  CI_PIPELINE_SOURCE: 'push',
  CI_COMMIT_TAG: 'v1.2.3',
  CI_COMMIT_MESSAGE: 'fix: thing\n[skip deploy]\n',
  MULTILINE: 'one\ntwo',
};
const lookup = (name: string): string | undefined => VARS[name];

describe('evaluateExpression (GitLab statement_spec cases, via present?)', () => {
  // [expression, expected truthiness]
  const cases: Array<[string, boolean]> = [
    ['$PRESENT_VARIABLE == "my variable"', true],
    ['"my variable" == $PRESENT_VARIABLE', true],
    ["$PRESENT_VARIABLE == 'my variable'", true],
    ["$PRESENT_VARIABLE == 'no match'", false],
    ['$PRESENT_VARIABLE == null', false],
    ['$EMPTY_VARIABLE == null', false],
    ['"" == $EMPTY_VARIABLE', true],
    ['$EMPTY_VARIABLE == ""', true],
    ['$EMPTY_VARIABLE', false],
    ['$BLANK_VARIABLE', false],
    ['$UNDEFINED_VARIABLE == null', true],
    ['null == $UNDEFINED_VARIABLE', true],
    ['$UNDEFINED_VARIABLE == ""', false],
    ['$PRESENT_VARIABLE', true],
    ['$UNDEFINED_VARIABLE', false],
    ['$PRESENT_VARIABLE =~ /var.*e$/', true],
    ['$PRESENT_VARIABLE =~ /va\\r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /va\\/r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /^var.*/', false],
    ['$EMPTY_VARIABLE =~ /var.*/', false],
    ['$UNDEFINED_VARIABLE =~ /var.*/', false],
    ['$PRESENT_VARIABLE =~ /VAR.*/i', true],
    ['$PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/', true],
    ['$FULL_PATH_VARIABLE =~ /\\\\/path\\\\/variable\\\\/value$/', true],
    ['$PRESENT_VARIABLE != "my variable"', false],
    ['"my variable" != $PRESENT_VARIABLE', false],
    ['$PRESENT_VARIABLE != null', true],
    ['$EMPTY_VARIABLE != null', true],
    ['"" != $EMPTY_VARIABLE', false],
    ['$UNDEFINED_VARIABLE != null', false],
    ['null != $UNDEFINED_VARIABLE', false],
    ['$PRESENT_VARIABLE !~ /var.*e$/', false],
    ['$PRESENT_VARIABLE !~ /^var.*/', true],
    ['$PRESENT_VARIABLE !~ /^v\\ar.*/', true],
    ['$PRESENT_VARIABLE !~ /^v\\/ar.*/', true],
    ['$EMPTY_VARIABLE !~ /var.*/', true],
    ['$UNDEFINED_VARIABLE !~ /var.*/', true],
    ['$PRESENT_VARIABLE !~ /VAR.*/i', false],
    // && and || return operands with Ruby truthiness ("" is true inside).
    ['$PRESENT_VARIABLE && "string"', true],
    ['$PRESENT_VARIABLE && $EMPTY_VARIABLE', false],
    ['$PRESENT_VARIABLE && null', false],
    ['$EMPTY_VARIABLE && $PRESENT_VARIABLE', true],
    ['$EMPTY_VARIABLE && "string"', true],
    ['"string" && $EMPTY_VARIABLE', false],
    ['null && "string"', false],
    ['$PRESENT_VARIABLE && $UNDEFINED_VARIABLE', false],
    ['$UNDEFINED_VARIABLE && $EMPTY_VARIABLE', false],
    ['$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/', false],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE', true],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /bad\\/path\\/variable/', false],
    ['$PRESENT_VARIABLE =~ /my var/ || $EMPTY_VARIABLE =~ /nope/', true],
    ['$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""', true],
    ['$UNDEFINED_VARIABLE || $PRESENT_VARIABLE', true],
    ['$UNDEFINED_VARIABLE || $EMPTY_VARIABLE', false],
    ['$UNDEFINED_VARIABLE == null || $PRESENT_VARIABLE', true],
    // parentheses
    ['($PRESENT_VARIABLE)', true],
    ['(($PRESENT_VARIABLE))', true],
    ['(($PRESENT_VARIABLE && null) || $EMPTY_VARIABLE == "")', true],
    ['($PRESENT_VARIABLE) && (null || $EMPTY_VARIABLE == "")', true],
    ['("string" || "test") == "string"', true],
    ['(null || ("test" == "string"))', false],
    ['("string" == ("test" && "string"))', true],
    ['("string" == ("test" || "string"))', false],
    ['("string" == "test" || "string")', true],
    ['("string" == ("string" || (("1" == "1") && ("2" == "3"))))', true],
    // precedence: && binds tighter than ||
    ['$UNDEFINED_VARIABLE && $PRESENT_VARIABLE || $CI_COMMIT_BRANCH == "main"', true],
    ['$CI_COMMIT_BRANCH == "main" || $PRESENT_VARIABLE && $UNDEFINED_VARIABLE', true],
    ['($CI_COMMIT_BRANCH == "main" || $PRESENT_VARIABLE) && $UNDEFINED_VARIABLE', false],
    ['$CI_COMMIT_BRANCH == "dev" || $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_TAG', true],
    // variables holding patterns; strings on the right are substring tests
    ['$teststring =~ "abcde"', true],
    ['$teststring =~ "abcdef"', true], // the right side contains the left
    ['$teststring =~ "bcd"', false],
    ['$teststring =~ $teststring', true],
    ['$teststring =~ $pattern1', true],
    ['$teststring =~ $pattern2', false],
    ['$teststring !~ $pattern2', true],
    ['$teststring =~ $ipattern', true],
    ['$plain =~ $slashpattern', true],
    ['"bcd" =~ $teststring', true],
    ['$teststring =~ $UNDEFINED_VARIABLE', false],
    ['$teststring !~ $UNDEFINED_VARIABLE', true],
    ['$teststring =~ null', false],
    ['$EMPTY_VARIABLE =~ "abc"', true],
    ['$UNDEFINED_VARIABLE =~ /.*/', true],
    // flags and anchors
    ['$CI_COMMIT_MESSAGE =~ /\\[skip deploy\\]/', true],
    ['$MULTILINE =~ /^two$/', false],
    ['$MULTILINE =~ /^two$/m', true],
    ['$MULTILINE =~ /one.two/', false],
    ['$MULTILINE =~ /one.two/s', true],
    ['$CI_COMMIT_TAG =~ /^v\\d+\\.\\d+\\.\\d+$/', true],
    ['$CI_COMMIT_TAG =~ /^V\\d+/', false],
    ['$CI_COMMIT_TAG =~ /^V\\d+/i', true],
    ['$CI_COMMIT_BRANCH =~ /^(main|master)$/', true],
    ['$CI_COMMIT_BRANCH =~ /^feature\\/.*$/', false],
    // booleans (inputs) and whitespace
    ['true', true],
    ['false', false],
    ['   $PRESENT_VARIABLE   ', true],
    ['$PRESENT_VARIABLE=="my variable"', true],
  ];
  it.each(cases)('%s → %s', (expr, expected) => {
    expect(evaluateExpression(expr, lookup)).toBe(expected);
  });
});

describe('invalid syntax', () => {
  const invalid: Array<[string, string]> = [
    ['', 'Empty expression'],
    ['   ', 'Empty expression'],
    ['$INVALID = 1', 'Unknown lexeme found!'],
    ['$A ==', 'Invalid left operand'],
    ['== $A', 'Invalid left operand'],
    ['$A $B', 'Unreachable nodes in parse tree'],
    ['($A', 'Unprocessable token found in parse tree'],
    ['$A)', 'Unmatched parenthesis'],
    ['$A == "unterminated', 'Unknown lexeme found!'],
    ['$A =~ //', 'Unknown lexeme found!'],
    ['$A =~ /a/', 'Unknown lexeme found!'], // GitLab's lexeme needs two characters between slashes
    ['$A =~ /(ab/', 'Invalid regular expression!'],
    ['$A =~ /(?=ab)/', 'Invalid regular expression!'],
    ['$A =~ /(a)\\1/', 'Invalid regular expression!'],
    ['invalid &&', 'Unknown lexeme found!'],
    ['${A} == "x"', 'Unknown lexeme found!'],
    [Array.from({ length: 51 }, () => '$A').join(' && '), 'Too many tokens!'],
  ];
  it.each(invalid)('%j is invalid (%s)', (expr, detail) => {
    expect(isValidExpression(expr)).toBe(false);
    try {
      parseExpression(expr);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      expect((e as ExpressionError).message).toBe('invalid expression syntax');
      expect((e as ExpressionError).detail).toBe(detail);
    }
  });

  it('evaluateExpression throws for invalid syntax', () => {
    expect(() => evaluateExpression('$A = 1', lookup)).toThrow(ExpressionError);
  });

  it('accepts 49 tokens but not 100', () => {
    expect(isValidExpression(Array.from({ length: 25 }, () => '$A').join(' && '))).toBe(true);
  });

  it('GitLab quirk: operands may precede their operator', () => {
    expect(evaluateExpression('"a" "a" ==', lookup)).toBe(true);
  });
});

describe('parse tree', () => {
  it('builds left-associative trees with GitLab precedence', () => {
    expect(parseExpression('$A == "x" && $B || $C')).toMatchObject({
      kind: 'binary', op: '||',
      left: { kind: 'binary', op: '&&', left: { kind: 'binary', op: '==' }, right: { kind: 'variable', name: 'B' } },
      right: { kind: 'variable', name: 'C' },
    });
  });
  it('keeps the pattern source with escaped slashes resolved', () => {
    expect(parseExpression('$A =~ /a\\/b/i')).toMatchObject({ right: { kind: 'pattern', source: 'a/b', flags: 'i' } });
  });
  it('lexes a regex eagerly up to the first unescaped slash', () => {
    expect(parseExpression('$A =~ /x.*/ || $B =~ /y.*/')).toMatchObject({ op: '||' });
  });
});

describe('createExpressionCache', () => {
  it('returns the same tree for the same source and remembers errors', () => {
    const cache = createExpressionCache(2);
    const a = cache.parse('$A');
    expect(cache.parse('$A')).toBe(a);
    expect(() => cache.parse('$A = 1')).toThrow(ExpressionError);
    expect(() => cache.parse('$A = 1')).toThrow(ExpressionError);
  });
  it('evicts the least recently used entry', () => {
    const cache = createExpressionCache(2);
    const a = cache.parse('$A');
    cache.parse('$B');
    cache.parse('$A');
    cache.parse('$C'); // evicts $B
    expect(cache.parse('$A')).toBe(a);
  });
  it('is used by evaluateExpression', () => {
    const cache = createExpressionCache();
    expect(evaluateExpression('$PRESENT_VARIABLE', lookup, cache)).toBe(true);
    expect(evaluateExpression('$PRESENT_VARIABLE', lookup, cache)).toBe(true);
  });
});
