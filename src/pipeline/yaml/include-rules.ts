// `include: rules:` (GitLab External::Rules): the first rule whose clauses all match decides;
// `when: never` skips the file; no match skips it too.
import { hasOwn, isRecord } from './plain-data.js';

export interface IncludeRuleContext {
  evaluate(expression: string): boolean;
  expand(text: string): string;
  listFiles(): readonly string[];
  changedFiles(): readonly string[] | undefined;
  matchesAnyPattern(patterns: readonly string[], files: readonly string[]): boolean;
}

const RULE_KEYS = new Set(['if', 'exists', 'changes', 'when']);
const WHEN = new Set(['never', 'always']);

export function evaluateIncludeRules(rules: unknown, ctx: IncludeRuleContext): { pass: boolean; error?: string } {
  if (!Array.isArray(rules)) return { pass: false, error: 'include:rules config should be an array of hashes' };
  for (const rule of rules) {
    if (!isRecord(rule)) return { pass: false, error: 'include:rules:rule config should be a hash' };
    const unknown = Object.keys(rule).filter((k) => !RULE_KEYS.has(k));
    if (unknown.length > 0) return { pass: false, error: `include:rules:rule config contains unknown keys: ${unknown.join(', ')}` };
    const when = rule['when'];
    if (when !== undefined && when !== null && (typeof when !== 'string' || !WHEN.has(when))) {
      return { pass: false, error: `include:rules:rule when unknown value: ${String(when)}` };
    }
    const matched = matches(rule, ctx);
    if (typeof matched === 'string') return { pass: false, error: matched };
    if (matched) return { pass: when !== 'never' };
  }
  return { pass: false };
}

function matches(rule: Record<string, unknown>, ctx: IncludeRuleContext): boolean | string {
  if (hasOwn(rule, 'if')) {
    const source = rule['if'];
    if (typeof source !== 'string') return 'include:rules:rule if should be a string';
    try {
      if (!ctx.evaluate(source)) return false;
    } catch {
      return 'include:rules:rule if invalid expression syntax';
    }
  }
  if (hasOwn(rule, 'exists')) {
    const patterns = patternList(rule['exists']);
    if (!patterns) return 'include:rules:rule exists should be an array of strings or a hash with paths';
    if (!ctx.matchesAnyPattern(patterns.map((p) => ctx.expand(p).replace(/^\/+/, '')), ctx.listFiles())) return false;
  }
  if (hasOwn(rule, 'changes')) {
    const patterns = patternList(rule['changes']);
    if (!patterns) return 'include:rules:rule changes should be an array of strings or a hash with paths';
    const changed = ctx.changedFiles();
    if (changed !== undefined && !ctx.matchesAnyPattern(patterns.map((p) => ctx.expand(p)), changed)) return false;
  }
  return true;
}

function patternList(value: unknown): string[] | undefined {
  const list = isRecord(value) ? value['paths'] : value;
  if (typeof list === 'string') return [list];
  if (Array.isArray(list) && list.every((p) => typeof p === 'string')) return list as string[];
  return undefined;
}
