// `workflow:` at pipeline creation: whether the pipeline is created (workflow:rules), the default
// variables it adds (the matched rule's variables), its name (workflow:name, expanded) and its
// auto_cancel settings (workflow:auto_cancel, each key overridden by the matched rule's).
import type { PipelineConfig, VariableConfig } from '../model/pipeline-config.js';
import type { ExpressionCache } from '../rules/expression.js';
import { evaluateRules } from '../rules/evaluate-rules.js';
import { expandGitlab } from '../variables/expand.js';
import type { CompileContext } from './context.js';
import { toRuleInputs } from './job-decision.js';
import { layeredLookup, toMap } from './variable-scope.js';

export type WorkflowOutcome =
  | { run: true; variables: readonly VariableConfig[]; name?: string; autoCancel?: Readonly<Record<string, string>> }
  | { run: false; reason: string };

/** GitLab's Ci::Pipeline.workflow_rules_failure_message. */
export const FILTERED_BY_WORKFLOW = 'Pipeline filtered out by workflow rules.';

export function evaluateWorkflow(config: PipelineConfig, ctx: CompileContext,
  contextVariables: ReadonlyMap<string, string>, expressionCache: ExpressionCache): WorkflowOutcome {
  let variables = config.variables;
  let autoCancel = config.workflow.autoCancel;
  const rules = config.workflow.rules;
  if (rules) {
    const lookup = layeredLookup([toMap(config.variables), contextVariables]);
    const inputs = toRuleInputs(rules);
    const outcome = evaluateRules(inputs, 'always', { lookup, repo: ctx.repo, expressionCache });
    if (!outcome.matched || outcome.when === 'never') return { run: false, reason: FILTERED_BY_WORKFLOW };
    const rule = outcome.rule ? rules[inputs.indexOf(outcome.rule)] : undefined;
    if (rule?.auto_cancel) autoCancel = { ...autoCancel, ...rule.auto_cancel };
    if (rule?.variables) {
      // The matched rule's variables override top-level ones of the same name.
      const overrides = rule.variables;
      variables = [
        ...config.variables.filter((v) => !(v.key in overrides)),
        ...Object.entries(overrides).map(([key, value]) => ({ key, value, raw: false })),
      ];
    }
  }
  const created = { run: true as const, variables, ...(autoCancel ? { autoCancel } : {}) };
  const name = config.workflow.name;
  if (name === undefined) return created;
  const expanded = expandGitlab(name, layeredLookup([toMap(variables), contextVariables])).trim();
  return expanded === '' ? created : { ...created, name: expanded };
}
