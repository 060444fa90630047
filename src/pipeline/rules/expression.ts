// The CI/CD expression language of `rules:if`, `only:variables` and `workflow:rules:if`,
// reproducing Gitlab::Ci::Pipeline::Expression: the same lexemes tried in the same order,
// the same shunting-yard parser (== != =~ !~ bind tighter than &&, which binds tighter than ||),
// Ruby truthiness while evaluating (only null and false are false; "" is true inside && and ||)
// and ActiveSupport `present?` for the final answer ("" and whitespace-only are false).
import { compileUntrustedRegexp, parseRubyRegexpLiteral, RegexpSyntaxError } from './untrusted-regexp.js';

/** Invalid expression syntax. `detail` carries GitLab's internal reason (e.g. "Unknown lexeme found!"). */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(readonly detail: string, readonly source = '') {
    super('invalid expression syntax');
  }
}

/** A failure while evaluating a valid expression; GitLab then treats the whole expression as false. */
class ExpressionRuntimeError extends Error {}

export type BinaryOperator = '==' | '!=' | '=~' | '!~' | '&&' | '||';

export type Expression =
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'pattern'; readonly source: string; readonly flags: string; readonly regexp: RegExp }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: Expression; readonly right: Expression };

type Token =
  | { type: 'value'; node: Expression }
  | { type: 'operator'; op: BinaryOperator; precedence: number }
  | { type: 'open' }
  | { type: 'close' };

const MAX_TOKENS = 100;
const PRECEDENCE: Readonly<Record<BinaryOperator, number>> = { '==': 10, '!=': 10, '=~': 10, '!~': 10, '&&': 11, '||': 12 };
const CLOSE_PRECEDENCE = 900;
const OPEN_PRECEDENCE = 901;

// Lexemes in GitLab's order. `y` anchors each at the scan position.
const VARIABLE = /\$(\w+)/y;
const STRING = /"(.*?)"|'(.*?)'/y;
const PATTERN = /\/(?:[^/]|\\\/)+[^\\]\/[ismU]*/y;
const NULL = /null/y;
const BOOLEAN = /\b(?:true|false)\b/y;
const OPERATORS: ReadonlyArray<readonly [RegExp, BinaryOperator]> = [
  [/==/y, '=='], [/=~/y, '=~'], [/!=/y, '!='], [/!~/y, '!~'], [/&&/y, '&&'], [/\|\|/y, '||'],
];
const WHITESPACE = /\s+/y;

function scan(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  for (let n = 0; n < MAX_TOKENS; n++) {
    const ws = scan(WHITESPACE, source, at);
    if (ws) at += ws[0].length;
    if (at >= source.length) return tokens;
    const c = source[at];
    let m: RegExpExecArray | null;
    if (c === '(') { tokens.push({ type: 'open' }); at++; continue; }
    if (c === ')') { tokens.push({ type: 'close' }); at++; continue; }
    if ((m = scan(VARIABLE, source, at))) {
      tokens.push({ type: 'value', node: { kind: 'variable', name: m[1]! } });
    } else if ((m = scan(STRING, source, at))) {
      tokens.push({ type: 'value', node: { kind: 'string', value: m[1] ?? m[2] ?? '' } });
    } else if ((m = scan(PATTERN, source, at))) {
      tokens.push({ type: 'value', node: buildPattern(m[0], source) });
    } else if ((m = scan(NULL, source, at))) {
      tokens.push({ type: 'value', node: { kind: 'null' } });
    } else if ((m = scan(BOOLEAN, source, at))) {
      tokens.push({ type: 'value', node: { kind: 'boolean', value: m[0] === 'true' } });
    } else {
      const op = OPERATORS.find(([re]) => (m = scan(re, source, at)) !== null);
      if (!op || !m) throw new ExpressionError('Unknown lexeme found!', source);
      tokens.push({ type: 'operator', op: op[1], precedence: PRECEDENCE[op[1]] });
    }
    at += m[0].length;
  }
  throw new ExpressionError('Too many tokens!', source);
}

function buildPattern(literal: string, source: string): Expression {
  const parsed = parseRubyRegexpLiteral(literal.replace(/\\\//g, '/'));
  if (!parsed) throw new ExpressionError('Invalid regular expression!', source);
  try {
    return { kind: 'pattern', source: parsed.source, flags: parsed.flags, regexp: compileUntrustedRegexp(parsed.source, parsed.flags) };
  } catch (e) {
    if (e instanceof RegexpSyntaxError) throw new ExpressionError('Invalid regular expression!', source);
    throw e;
  }
}

function precedenceOf(t: Token | undefined): number | undefined {
  if (t === undefined) return undefined;
  if (t.type === 'operator') return t.precedence;
  if (t.type === 'open') return OPEN_PRECEDENCE;
  return CLOSE_PRECEDENCE;
}

/** Parses an expression into a tree; throws ExpressionError on invalid syntax. Pure. */
export function parseExpression(source: string): Expression {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new ExpressionError('Empty expression', source);
  // Shunting-yard into reverse Polish notation, exactly as GitLab's parser does.
  const output: Token[] = [];
  const operators: Token[] = [];
  const consume = (own: number): boolean => {
    const top = precedenceOf(operators[operators.length - 1]);
    return top !== undefined && own >= top;
  };
  for (const token of tokens) {
    if (token.type === 'value') output.push(token);
    else if (token.type === 'operator') {
      while (consume(token.precedence)) output.push(operators.pop()!);
      operators.push(token);
    } else if (token.type === 'open') operators.push(token);
    else {
      while (consume(CLOSE_PRECEDENCE)) output.push(operators.pop()!);
      const top = operators[operators.length - 1];
      if (!top) throw new ExpressionError('Unmatched parenthesis', source);
      if (top.type === 'open') operators.pop();
    }
  }
  output.push(...operators.reverse());
  const results: Expression[] = [];
  for (const token of output) {
    if (token.type === 'value') results.push(token.node);
    else if (token.type === 'operator') {
      const right = results.pop();
      const left = results.pop();
      if (!left) throw new ExpressionError('Invalid left operand', source);
      if (!right) throw new ExpressionError('Invalid right operand', source);
      results.push({ kind: 'binary', op: token.op, left, right });
    } else throw new ExpressionError('Unprocessable token found in parse tree', source);
  }
  if (results.length > 1) throw new ExpressionError('Unreachable nodes in parse tree', source);
  return results[0]!;
}

type Value = string | boolean | null | { readonly regexp: RegExp; readonly source: string };

export type Lookup = (name: string) => string | undefined;

function evaluate(node: Expression, lookup: Lookup): Value {
  switch (node.kind) {
    case 'variable': return lookup(node.name) ?? null;
    case 'string': return node.value;
    case 'null': return null;
    case 'boolean': return node.value;
    case 'pattern': return { regexp: node.regexp, source: node.source };
    case 'binary': {
      if (node.op === '&&') {
        const left = evaluate(node.left, lookup);
        return rubyTruthy(left) ? evaluate(node.right, lookup) : left;
      }
      if (node.op === '||') {
        const left = evaluate(node.left, lookup);
        return rubyTruthy(left) ? left : evaluate(node.right, lookup);
      }
      const left = evaluate(node.left, lookup);
      const right = evaluate(node.right, lookup);
      if (node.op === '==') return rubyEquals(left, right);
      if (node.op === '!=') return !rubyEquals(left, right);
      if (right === null || right === false) return node.op === '!~';
      const found = matches(left, right);
      return node.op === '=~' ? found : !found;
    }
  }
}

function rubyTruthy(v: Value): boolean {
  return v !== null && v !== false;
}

function rubyEquals(a: Value, b: Value): boolean {
  if (typeof a === 'object' && a !== null) return typeof b === 'object' && b !== null && a.source === b.source;
  return a === b;
}

function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'object') return `/${v.source}/`;
  return String(v);
}

/**
 * `=~` with GitLab's rules: a regex literal matches; a string on the right that reads as
 * `/re/flags` (escaped slashes allowed) becomes a regex; any other string is a substring test
 * (Ruby's String#scan: the right side must contain the left side).
 */
function matches(left: Value, right: Exclude<Value, null | false>): boolean {
  const text = toText(left);
  if (typeof right === 'object') return right.regexp.test(text);
  if (right === true) throw new ExpressionRuntimeError('a boolean is not a pattern');
  const parsed = parseRubyRegexpLiteral(right.replace(/\\\//g, '/'));
  if (parsed) {
    try {
      return compileUntrustedRegexp(parsed.source, parsed.flags).test(text);
    } catch (e) {
      if (!(e instanceof RegexpSyntaxError)) throw e;
    }
  }
  return right.includes(text);
}

/** ActiveSupport's `present?`: not null/false and not a blank string. */
function present(v: Value): boolean {
  if (v === null || v === false) return false;
  if (typeof v === 'string') return /[^\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(v);
  return true;
}

/** Evaluates a parsed tree; false when evaluation fails at run time (as GitLab's `truthful?`). */
export function evaluateParsed(tree: Expression, lookup: Lookup): boolean {
  try {
    return present(evaluate(tree, lookup));
  } catch (e) {
    if (e instanceof ExpressionRuntimeError) return false;
    throw e;
  }
}

export interface ExpressionCache {
  parse(source: string): Expression;
}

/** A bounded parse cache (least recently used out first), owned by whoever creates it. */
export function createExpressionCache(maxEntries = 1000): ExpressionCache {
  const entries = new Map<string, Expression | ExpressionError>();
  return {
    parse(source: string): Expression {
      let hit = entries.get(source);
      if (hit !== undefined) {
        entries.delete(source);
        entries.set(source, hit);
      } else {
        try {
          hit = parseExpression(source);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          hit = e;
        }
        entries.set(source, hit);
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      if (hit instanceof ExpressionError) throw hit;
      return hit;
    },
  };
}

/**
 * True when the expression holds. Throws ExpressionError for invalid syntax (validate
 * configurations with parseExpression first); a run-time failure counts as false.
 */
export function evaluateExpression(source: string, lookup: Lookup, cache?: ExpressionCache): boolean {
  const tree = cache ? cache.parse(source) : parseExpression(source);
  return evaluateParsed(tree, lookup);
}

/** True when the text is a valid expression. */
export function isValidExpression(source: string): boolean {
  try {
    parseExpression(source);
    return true;
  } catch (e) {
    if (e instanceof ExpressionError) return false;
    throw e;
  }
}
