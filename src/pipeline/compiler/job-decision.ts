// Decides whether one job instance is created and with which when/allow_failure/needs/variables:
// `rules` (first match wins) or the deprecated `only`/`except`, as Gitlab::Ci::Pipeline::Seed::Build.
import type { ExpressionCache } from '../rules/expression.js';
import { evaluateRules, type RuleInput } from '../rules/evaluate-rules.js';
import { evaluateOnlyExcept } from '../rules/only-except.js';
import type { JobWhen } from '../spec/job-spec.js';
import type { CompileContext } from './context.js';
import type { JobConfig, NeedConfig, PolicyConfig, RuleConfig } from '../model/pipeline-config.js';
import type { Lookup } from './variable-scope.js';

export interface JobDecision {
  when: JobWhen;
  startIn?: string;
  allowFailure: boolean | { exitCodes: number[] };
  interruptible: boolean;
  /** Effective needs (a matched rule's `needs` replace the job's); undefined = stage ordering. */
  needs?: readonly NeedConfig[];
  /** Variables of the matched rule. */
  ruleVariables: Readonly<Record<string, string>>;
}

export interface DecisionContext {
  compile: CompileContext;
  workflowHasRules: boolean;
  expressionCache: ExpressionCache;
  projectPath?: string;
}

const DEFAULT_REFS = ['branches', 'tags'];

/** GitLab merges the default refs into an `only` hash that has none (Entry::Policy#value). */
export function effectiveOnly(job: JobConfig, workflowHasRules: boolean): PolicyConfig | undefined {
  if (job.only) return job.only.refs ? job.only : { refs: DEFAULT_REFS, ...job.only };
  if (job.rules || workflowHasRules) return undefined;
  return { refs: DEFAULT_REFS };
}

export function toRuleInputs(rules: readonly RuleConfig[]): RuleInput[] {
  return rules.map((r) => {
    const input: RuleInput = {};
    if (r.if !== undefined) input.if = r.if;
    if (r.changes !== undefined) input.changes = Array.isArray(r.changes) ? [...(r.changes as readonly string[])] : { ...(r.changes as { paths: string[] }), paths: [...(r.changes as { paths: readonly string[] }).paths] };
    if (r.exists !== undefined) input.exists = Array.isArray(r.exists) ? [...(r.exists as readonly string[])] : { ...(r.exists as { paths: string[] }), paths: [...(r.exists as { paths: readonly string[] }).paths] };
    if (r.when !== undefined) input.when = r.when;
    return input;
  });
}

/** Returns undefined when the job is not created. `ruleInputs` is toRuleInputs(job.rules), made once per job. */
export function decideJob(job: JobConfig, ruleInputs: readonly RuleInput[] | undefined, lookup: Lookup,
  ctx: DecisionContext): JobDecision | undefined {
  const jobWhen: JobWhen = job.when ?? 'on_success';
  const staticAllowFailure = job.allowFailure === undefined ? jobWhen === 'manual'
    : typeof job.allowFailure === 'boolean' ? job.allowFailure : { exitCodes: [...job.allowFailure.exitCodes] };

  if (job.rules && ruleInputs) {
    const outcome = evaluateRules(ruleInputs, jobWhen, { lookup, repo: ctx.compile.repo, expressionCache: ctx.expressionCache });
    if (!outcome.matched || outcome.when === 'never') return undefined;
    const index = outcome.rule ? ruleInputs.indexOf(outcome.rule) : -1;
    const rule = index >= 0 ? job.rules[index] : undefined;
    const decision: JobDecision = {
      when: outcome.when as JobWhen,
      allowFailure: rule?.allow_failure ?? staticAllowFailure,
      interruptible: rule?.interruptible ?? job.interruptible ?? false,
      ruleVariables: rule?.variables ?? {},
    };
    if (outcome.when === 'delayed' && rule?.start_in !== undefined) decision.startIn = rule.start_in;
    const needs = rule?.needs ?? job.needs;
    if (needs) decision.needs = needs;
    return decision;
  }

  const only = effectiveOnly(job, ctx.workflowHasRules);
  const created = evaluateOnlyExcept(only, job.except, {
    ref: ctx.compile.ref,
    refType: ctx.compile.refType,
    source: ctx.compile.source,
    lookup,
    repo: ctx.compile.repo,
    expressionCache: ctx.expressionCache,
    ...(ctx.projectPath !== undefined ? { projectPath: ctx.projectPath } : {}),
  }, { defaultOnly: false });
  if (!created) return undefined;
  const decision: JobDecision = {
    when: jobWhen,
    allowFailure: staticAllowFailure,
    interruptible: job.interruptible ?? false,
    ruleVariables: {},
  };
  if (jobWhen === 'delayed' && job.startIn !== undefined) decision.startIn = job.startIn;
  if (job.needs) decision.needs = job.needs;
  return decision;
}
