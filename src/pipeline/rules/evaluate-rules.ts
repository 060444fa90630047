// `rules:` evaluation at pipeline creation (Gitlab::Ci::Build::Rules): the first rule whose
// clauses (`if`, `changes`, `exists`) all hold decides; a rule without clauses always matches.
// Its `when` (or the job's default) is the outcome; no matching rule means `never`.
//
// Note: `matched` can be true with `when: 'never'` (a matching `when: never` rule). Either way a
// job whose outcome is `never` is not created.
import type { RepoView } from '../compiler/context.js';
import { expandGitlab } from '../variables/expand.js';
import { evaluateExpression, type ExpressionCache } from './expression.js';
import { compilePattern } from './file-patterns.js';

export interface RuleInput {
  if?: string;
  changes?: string[] | { paths: string[]; compare_to?: string };
  exists?: string[] | { paths: string[]; project?: string; ref?: string };
  when?: string;
  start_in?: string;
  allow_failure?: boolean | { exit_codes: number | number[] };
  variables?: Record<string, string>;
  needs?: unknown[];
  interruptible?: boolean;
  auto_cancel?: unknown;
}

export interface RuleContext {
  lookup: (name: string) => string | undefined;
  repo: RepoView;
  /** Optional parse cache shared across jobs (rules are often repeated through anchors). */
  expressionCache?: ExpressionCache;
}

export interface RuleOutcome {
  matched: boolean;
  /** The matched rule, when one matched. */
  rule?: RuleInput;
  /** The effective when: the rule's `when`, else `defaultWhen`; 'never' when nothing matched. */
  when: string;
}

/** GitLab stops matching `exists` patterns after this many comparisons and assumes a match. */
export const MAX_EXISTS_PATTERN_COMPARISONS = 50_000;

/**
 * Evaluates a job's (or workflow's) rules. Throws ExpressionError when an `if` has invalid
 * syntax; validate configurations first.
 */
export function evaluateRules(rules: readonly RuleInput[], defaultWhen: string, ctx: RuleContext): RuleOutcome {
  for (const rule of rules) {
    if (ruleMatches(rule, ctx)) return { matched: true, rule, when: rule.when ?? defaultWhen };
  }
  return { matched: false, when: 'never' };
}

/** True when every clause of the rule holds. */
export function ruleMatches(rule: RuleInput, ctx: RuleContext): boolean {
  if (rule.if !== undefined && !evaluateExpression(rule.if, ctx.lookup, ctx.expressionCache)) return false;
  if (rule.changes !== undefined && !changesSatisfied(rule.changes, ctx)) return false;
  if (rule.exists !== undefined && !existsSatisfied(rule.exists, ctx)) return false;
  return true;
}

function pathsOf(clause: string[] | { paths: string[] }): string[] {
  return Array.isArray(clause) ? clause : clause.paths ?? [];
}

/**
 * `changes`: true when the changed files are unknown (new branch, tag, web, schedule...),
 * false when nothing changed, else true when a changed file matches an (expanded) pattern.
 * `compare_to` is the RepoView's business: it reports the files changed for this pipeline.
 */
export function changesSatisfied(clause: NonNullable<RuleInput['changes']>, ctx: RuleContext): boolean {
  const changed = ctx.repo.changedFiles();
  if (changed === undefined) return true;
  if (changed.length === 0) return false;
  const globs = [...new Set(pathsOf(clause).map((g) => expandGitlab(g, ctx.lookup)))];
  if (globs.length === 0) return false;
  const matchers = globs.map(compilePattern);
  return changed.some((path) => matchers.some((m) => m(path)));
}

/**
 * `exists`: true when a file of the repository matches an (expanded) pattern. Patterns without
 * glob characters are exact paths. `project`/`ref` are not resolved here: the RepoView given is
 * the tree searched.
 */
export function existsSatisfied(clause: NonNullable<RuleInput['exists']>, ctx: RuleContext): boolean {
  const globs = pathsOf(clause).map((g) => expandGitlab(g, ctx.lookup));
  if (globs.length === 0) return false;
  const files = ctx.repo.listFiles();
  const exact = globs.filter((g) => !/[*?[{]/.test(g));
  const patterns = globs.filter((g) => /[*?[{]/.test(g));
  if (exact.length > 0) {
    const set = new Set(files);
    if (exact.some((g) => set.has(g))) return true;
  }
  if (patterns.length === 0) return false;
  if (files.length * patterns.length > MAX_EXISTS_PATTERN_COMPARISONS) return true;
  const matchers = patterns.map(compilePattern);
  return matchers.some((m) => files.some((f) => m(f)));
}
