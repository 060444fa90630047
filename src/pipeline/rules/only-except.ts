// The deprecated `only` / `except` keywords (Gitlab::Ci::Build::Policy): a job is created when
// every policy under `only` holds and no policy under `except` does. A policy is `refs`
// (branch/tag names, `/regex/`, keywords), `variables` (expressions, any true), `changes`
// (patterns, true when changed files are unknown) or `kubernetes: active`. An array is `refs`.
// Without `only` the default is `only: [branches, tags]`, unless the caller says the default
// does not apply (a job with `rules`, or a pipeline with `workflow:rules`).
import type { RepoView } from '../compiler/context.js';
import { evaluateExpression, type ExpressionCache } from './expression.js';
import { compilePattern } from './file-patterns.js';
import { compileUntrustedRegexp, parseRubyRegexpLiteral, RegexpSyntaxError } from './untrusted-regexp.js';

export interface OnlyExceptContext {
  ref: string;
  refType: 'branch' | 'tag';
  /** Pipeline source: push, web, schedule, api, trigger, pipeline, merge_request_event, ... */
  source: string;
  lookup: (name: string) => string | undefined;
  repo: RepoView;
  /** For `refs: [main@group/project]`; defaults to $CI_PROJECT_PATH. Unknown: the path part matches. */
  projectPath?: string;
  /** For `kubernetes: active`; default false. */
  kubernetesActive?: boolean;
  expressionCache?: ExpressionCache;
}

export interface OnlyExceptOptions {
  /** Apply the implicit `only: [branches, tags]` when `only` is absent. Default true. */
  defaultOnly?: boolean;
}

interface Policy {
  refs?: string[];
  variables?: string[];
  changes?: string[];
  kubernetes?: string;
}

export const DEFAULT_ONLY: Readonly<Policy> = { refs: ['branches', 'tags'] };

function toStrings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/** Normalises `only`/`except` (array, string or hash) into a policy; undefined when absent. */
export function normalizePolicy(value: unknown): Policy | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || Array.isArray(value)) return { refs: toStrings(value) };
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const policy: Policy = {};
    if (o.refs !== undefined) policy.refs = toStrings(o.refs);
    if (o.variables !== undefined) policy.variables = toStrings(o.variables);
    if (o.changes !== undefined) {
      const c = o.changes;
      policy.changes = toStrings(typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as { paths?: unknown }).paths : c);
    }
    if (o.kubernetes !== undefined) policy.kubernetes = String(o.kubernetes);
    return policy;
  }
  return undefined;
}

/** True when the job is created according to `only` and `except`. */
export function evaluateOnlyExcept(only: unknown, except: unknown, ctx: OnlyExceptContext, options: OnlyExceptOptions = {}): boolean {
  const onlyPolicy = normalizePolicy(only) ?? (options.defaultOnly === false ? undefined : DEFAULT_ONLY);
  const exceptPolicy = normalizePolicy(except);
  if (onlyPolicy && !specs(onlyPolicy).every((spec) => spec(ctx))) return false;
  if (exceptPolicy && specs(exceptPolicy).some((spec) => spec(ctx))) return false;
  return true;
}

type Spec = (ctx: OnlyExceptContext) => boolean;

function specs(policy: Policy): Spec[] {
  const out: Spec[] = [];
  const { refs, variables, changes, kubernetes } = policy;
  if (refs !== undefined) out.push((ctx) => refs.some((pattern) => refMatches(pattern, ctx)));
  if (variables !== undefined) {
    out.push((ctx) => variables.some((expr) => evaluateExpression(expr, ctx.lookup, ctx.expressionCache)));
  }
  if (changes !== undefined) {
    out.push((ctx) => {
      const changed = ctx.repo.changedFiles();
      if (changed === undefined) return true;
      const matchers = changes.map(compilePattern);
      return changed.some((path) => matchers.some((m) => m(path)));
    });
  }
  if (kubernetes !== undefined) out.push((ctx) => kubernetes === 'active' && ctx.kubernetesActive === true);
  return out;
}

/** Rails' String#pluralize for the source names that occur here. */
function pluralize(word: string): string {
  return /(s|sh|ch|x|z)$/.test(word) ? `${word}es` : `${word}s`;
}

/** One `refs` entry: keyword, pipeline source, `/regex/` or exact ref, optionally `@project/path`. */
export function refMatches(entry: string, ctx: OnlyExceptContext): boolean {
  const at = entry.indexOf('@');
  const pattern = at < 0 ? entry : entry.slice(0, at);
  if (at >= 0) {
    const projectPath = ctx.projectPath ?? ctx.lookup('CI_PROJECT_PATH');
    if (projectPath !== undefined && projectPath !== entry.slice(at + 1)) return false;
  }
  const isMergeRequest = ctx.source === 'merge_request_event';
  const isTag = ctx.refType === 'tag' && !isMergeRequest;
  const isBranch = ctx.refType === 'branch' && !isMergeRequest;
  if (isTag && pattern === 'tags') return true;
  if (isBranch && pattern === 'branches') return true;
  const source = ctx.source.replace(/_event$/, '');
  if (source === pattern || pluralize(source) === pattern) return true;
  if (!isBranch && !isTag) return false;
  const regexp = refRegexp(pattern);
  if (regexp) return ctx.ref.length > 0 && regexp.test(ctx.ref);
  return pattern === ctx.ref;
}

/** `/re/flags` as RE2, falling back to a plain (Ruby-like) regex as GitLab does for refs. */
function refRegexp(pattern: string): RegExp | undefined {
  const literal = parseRubyRegexpLiteral(pattern);
  if (!literal) return undefined;
  try {
    return compileUntrustedRegexp(literal.source, literal.flags);
  } catch (e) {
    if (!(e instanceof RegexpSyntaxError)) throw e;
  }
  try {
    // Ruby's m flag is JavaScript's s.
    const flags = [...new Set([...literal.flags])].map((f) => (f === 'i' ? 'i' : f === 'm' ? 's' : '')).join('');
    return new RegExp(literal.source, flags);
  } catch {
    return undefined;
  }
}
