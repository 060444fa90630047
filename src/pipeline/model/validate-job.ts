// Validates one visible job mapping (keys, per-key schemas and the rules between keys) and reports
// every problem with GitLab's wording. Returns the keys that had a problem (empty: the job is valid),
// so that the normalisers only ever see values that passed their schema.
import { needSchema, ruleSchema, rulesListSchema } from './entry-schemas.js';
import {
  BRIDGE_KEYS, BRIDGE_PARALLEL_SCHEMA, BRIDGE_WHEN, JOB_KEYS, JOB_WHEN, RULE_WHEN, schemaOf,
} from './job-keywords.js';
import {
  WEEK_SECONDS, durationSeconds, fastCheckOf, isDuration, isHash, isString, text, validateWith, type ErrorSink, type Path,
} from './schema-kit.js';

export interface JobValidationContext {
  sink: ErrorSink;
  warnings: string[];
  /** Whether `workflow:rules` exist (silences the rules:when warning). */
  workflowHasRules: boolean;
  /** Syntax check of a `rules:if` / `only:variables` expression (cached by the caller). */
  isValidExpression(src: string): boolean;
  /**
   * Values already found valid in this run, per schema. Anchors, `extends` and `!reference` make
   * many jobs share one mapping or list; a valid value is checked once (schemas depend on the
   * value alone, and a valid value reports nothing).
   */
  readonly validValues?: Map<object, Set<unknown>>;
}

/** Whether `value` was found valid with `schema` earlier in this run. */
function knownValid(ctx: JobValidationContext, schema: unknown, value: unknown): boolean {
  return typeof value === 'object' && value !== null && ctx.validValues?.get(value)?.has(schema) === true;
}

function rememberValid(ctx: JobValidationContext, schema: unknown, value: unknown): void {
  if (typeof value !== 'object' || value === null || !ctx.validValues) return;
  const schemas = ctx.validValues.get(value);
  if (schemas) schemas.add(schema); else ctx.validValues.set(value, new Set([schema]));
}

const RULES_WHEN_WARNING = 'may allow multiple pipelines to run for a single action due to `rules:when` clause '
  + 'with no `workflow:rules` - read more: https://docs.gitlab.com/ee/ci/jobs/job_troubleshooting.html'
  + '#job-may-allow-multiple-pipelines-to-run-for-a-single-action-warning';
const SPECIAL_KEYS = new Set(['when', 'start_in', 'rules', 'needs']);
const EXCLUSIVE_PAIRS: ReadonlyArray<readonly [string, string]> = [['script', 'trigger'], ['run', 'trigger'], ['script', 'run']];
const isPresent = (v: unknown): boolean => v !== undefined && v !== null;

export function validateJob(name: string, job: Record<string, unknown>, kind: 'job' | 'bridge',
  ctx: JobValidationContext): ReadonlySet<string> {
  let errors = 0;
  const invalid = new Set<string>();
  const add = (path: Path, message: string): void => {
    errors++;
    if (typeof path[1] === 'string') invalid.add(path[1]);
    ctx.sink.add(path, message.toLowerCase());
  };
  const sink: ErrorSink = { add };
  const loc = `jobs:${name}`;
  const keys = Object.keys(job);

  const allowed = kind === 'job' ? JOB_KEYS : BRIDGE_KEYS;
  const unknown = keys.filter((k) => !allowed.has(k));
  if (unknown.length) add([name, unknown[0] ?? ''], `${loc} config contains unknown keys: ${unknown.join(', ')}`);
  const exclusive = +Object.hasOwn(job, 'script') + +Object.hasOwn(job, 'run') + +Object.hasOwn(job, 'trigger');
  for (const pair of exclusive > 1 ? EXCLUSIVE_PAIRS : []) {
    const both = keys.filter((k) => pair.includes(k));
    if (both.length > 1) add([name, both[1] ?? ''], `${loc} config these keys cannot be used together: ${both.join(', ')}`);
  }

  for (const key of keys) {
    if (!allowed.has(key) || SPECIAL_KEYS.has(key)) continue;
    const value = job[key];
    if (!isPresent(value)) continue;
    const schema = key === 'parallel' && kind === 'bridge' ? BRIDGE_PARALLEL_SCHEMA : schemaOf(key);
    if (!schema || knownValid(ctx, schema, value)) continue;
    if (validateWith(schema, value, loc, [name, key], sink, key)) rememberValid(ctx, schema, value);
  }

  if (kind === 'job' && !isPresent(job.run) && isBlank(job.script)) add([name, 'script'], `${loc} script can't be blank`);

  const when = job.when;
  const allowedWhen: readonly string[] = kind === 'job' ? JOB_WHEN : BRIDGE_WHEN;
  if (isPresent(when) && !(isString(when) && allowedWhen.includes(when))) {
    add([name, 'when'], `${loc} when should be one of: ${allowedWhen.join(', ')}`);
  }

  const hasRules = isPresent(job.rules);
  if (hasRules) {
    const disallowed = keys.filter((k) => ['only', 'except', 'start_in'].includes(k) && isPresent(job[k]));
    if (disallowed.length) add([name, disallowed[0] ?? ''], `${loc} config key may not be used with \`rules\`: ${disallowed.join(', ')}`);
  }
  if (kind === 'job') checkStartIn(job, name, loc, hasRules, add);

  if (hasRules && !knownValid(ctx, RULE_WHEN, job.rules)
    && validateRules(job.rules, [name, 'rules'], `${loc}:rules:rule`, RULE_WHEN, JOB_RULE_KEYS, ctx, sink, add)) {
    rememberValid(ctx, RULE_WHEN, job.rules);
  }
  if (isPresent(job.needs)) validateNeeds(job.needs, [name, 'needs'], `${loc}:needs`, sink, add);
  for (const key of ['only', 'except']) checkPolicyExpressions(job[key], name, key, loc, ctx, add);

  if (errors === 0) checkDependenciesInNeeds(job, name, loc, add);
  if (errors === 0 && hasRules && !ctx.workflowHasRules && Array.isArray(job.rules)) {
    const last = flattenRules(job.rules).at(-1);
    if (last && Object.keys(last).length === 1 && isPresent(last.when) && last.when !== 'never') {
      ctx.warnings.push(`jobs:${name} ${RULES_WHEN_WARNING}`);
    }
  }
  return invalid;
}

function isBlank(v: unknown): boolean {
  return !isPresent(v) || v === '' || (Array.isArray(v) && v.length === 0);
}

function checkStartIn(job: Record<string, unknown>, name: string, loc: string, hasRules: boolean,
  add: (path: Path, message: string) => void): void {
  const delayed = job.when === 'delayed';
  const startIn = job.start_in;
  if (delayed && !hasRules) {
    if (!isDuration(startIn)) add([name, 'start_in'], `${loc} start in should be a duration`);
    else if ((durationSeconds(startIn) ?? 0) > WEEK_SECONDS) add([name, 'start_in'], `${loc} start in should not exceed the limit`);
  } else if (isPresent(startIn)) {
    add([name, 'start_in'], `${loc} start in must be blank`);
  }
}

export function flattenRules(rules: unknown[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (items: unknown[]): void => {
    for (const item of items) {
      if (Array.isArray(item)) walk(item);
      else if (isHash(item)) out.push(item);
    }
  };
  walk(rules);
  return out;
}

export const JOB_RULE_KEYS = ['if', 'changes', 'exists', 'when', 'start_in', 'allow_failure', 'variables', 'needs', 'interruptible'];
export const WORKFLOW_RULE_KEYS = ['if', 'changes', 'exists', 'when', 'variables', 'auto_cancel'];

/** Validates a `rules:` list (job or workflow); `ruleLoc` is e.g. `jobs:build:rules:rule`. Returns whether it is valid. */
export function validateRules(rules: unknown, path: Path, ruleLoc: string, allowedWhen: readonly string[],
  allowedKeys: readonly string[], ctx: JobValidationContext, outerSink: ErrorSink,
  outerAdd: (path: Path, message: string) => void): boolean {
  let errors = 0;
  const add = (p: Path, message: string): void => { errors++; outerAdd(p, message); };
  const sink: ErrorSink = { add: (p, message) => { errors++; outerSink.add(p, message); } };
  const ownerLoc = ruleLoc.replace(/:rules:rule$/, '');
  if (Array.isArray(rules) && rules.length === 0) {
    add(path, `${ownerLoc}:rules config can't be blank`);
    return false;
  }
  if (!fastCheckOf(rulesListSchema)(rules) || !Array.isArray(rules)) {
    add(path, `${ownerLoc} rules should be an array containing hashes and arrays of hashes`);
    return false;
  }
  const flat = flattenRules(rules);
  flat.forEach((rule, i) => {
    const at = [...path, i];
    const extra = Object.keys(rule).filter((k) => !allowedKeys.includes(k));
    if (extra.length) {
      add([...at, extra[0] ?? ''], `${ruleLoc} config contains unknown keys: ${extra.join(', ')}`);
      return;
    }
    if (!validateWith(ruleSchema, rule, ruleLoc, at, sink)) return;
    if (isPresent(rule.when) && !(isString(rule.when) && allowedWhen.includes(rule.when))) {
      add([...at, 'when'], `${ruleLoc} when unknown value: ${text(rule.when)}`);
    }
    if (typeof rule.if === 'string' && !ctx.isValidExpression(rule.if)) {
      add([...at, 'if'], `${ruleLoc} if invalid expression syntax`);
    }
    if (rule.when === 'delayed' && !isPresent(rule.start_in)) add(at, `${ruleLoc} start in can't be blank`);
    if (rule.when !== 'delayed' && isPresent(rule.start_in)) {
      add([...at, 'start_in'], `${ruleLoc} config contains disallowed keys: start_in`);
    }
    if (isPresent(rule.needs)) validateNeeds(rule.needs, [...at, 'needs'], `${ruleLoc}:needs`, sink, add);
  });
  return errors === 0;
}

function validateNeeds(needs: unknown, path: Path, loc: string, sink: ErrorSink, add: (path: Path, message: string) => void): void {
  if (!Array.isArray(needs) && !isHash(needs)) {
    add(path, `${loc} config can only be a Hash or an Array`);
    return;
  }
  const list = Array.isArray(needs) ? needs.flat(10) : [needs];
  const fast = fastCheckOf(needSchema);
  list.forEach((need, i) => {
    if (!fast(need)) validateWith(needSchema, need, loc, [...path, i], sink, 'need');
  });
}

function checkPolicyExpressions(policy: unknown, name: string, key: string, loc: string, ctx: JobValidationContext,
  add: (path: Path, message: string) => void): void {
  if (!isHash(policy) || !Array.isArray(policy.variables)) return;
  policy.variables.forEach((expr, i) => {
    if (typeof expr === 'string' && !ctx.isValidExpression(expr)) {
      add([name, key, 'variables', i], `${loc}:${key} variables invalid expression syntax`);
    }
  });
}

function checkDependenciesInNeeds(job: Record<string, unknown>, name: string, loc: string,
  add: (path: Path, message: string) => void): void {
  const deps = job.dependencies;
  const needs = job.needs;
  if (!Array.isArray(deps) || deps.length === 0 || !Array.isArray(needs) || needs.length === 0) return;
  const needed = new Set(needs.flat(10).map((n) => (isHash(n) ? n.job : n)).filter((n) => typeof n === 'string'));
  const missing = deps.filter((d) => !needed.has(d));
  if (missing.length) add([name, 'dependencies'], `${loc} dependencies the ${missing.join(', ')} should be part of needs`);
}
