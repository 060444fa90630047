// The final variable list of one job, in the documented precedence (lowest first, later wins):
//   runner base and [[runners]] environment → pre-pipeline predefined (compile context) → pipeline/job predefined →
//   YAML variables (global + job) → dotenv reports of dependencies → project variables
//   (--variables-file) → pipeline variables (--var) → runner "after" variables (CI_PROJECT_DIR...).
import type { ResolvedVariable } from '../executor/executor.js';
import { expandRunner } from '../pipeline/variables/expand.js';
import { expandVariablesOnce } from '../runtime/job-variables.js';
import type { JobVariable } from '../pipeline/spec/job-spec.js';
import { resolveVariables, variablesAsWritten } from '../pipeline/variables/resolve-variables.js';
import type { Var } from './predefined-job-variables.js';

export interface VariableLayers {
  /** Compile context variables: pre-pipeline predefined ones (user variables are re-applied below). */
  context: readonly Var[];
  jobPredefined: readonly Var[];
  yaml: readonly JobVariable[];
  dotenv: readonly Var[];
  /** --variables-file, then --var. */
  user: readonly Var[];
  runner: readonly Var[];
  /** config.toml `[[runners]] environment` (runner base variables). */
  runnerEnvironment?: readonly Var[];
}

export function resolveJobVariables(layers: VariableLayers): ResolvedVariable[] {
  const merged = new Map<string, ResolvedVariable>();
  const put = (v: Var, isPublic = true): void => {
    merged.delete(v.key);
    merged.set(v.key, { key: v.key, value: v.value, masked: v.masked ?? false, file: v.file ?? false, raw: v.raw ?? false, ...(isPublic ? {} : { public: false }) });
  };
  // Runner base values other than the directories sit lowest; the directories are re-applied last.
  const runnerAfter = new Set(['CI_BUILDS_DIR', 'CI_PROJECT_DIR', 'CI_CONCURRENT_ID', 'CI_CONCURRENT_PROJECT_ID']);
  for (const v of layers.runner) if (!runnerAfter.has(v.key)) put(v);
  for (const v of layers.runnerEnvironment ?? []) put(v);
  // Dotenv, project (--variables-file) and pipeline (--var) variables are not public (GitLab's payload).
  for (const { variable, isPublic } of expandedAtPickup(layers)) put(variable, isPublic);
  for (const v of layers.runner) if (runnerAfter.has(v.key)) put(v);
  return [...merged.values()];
}

/**
 * The coordinator's part: GitLab expands the job's collection (predefined, YAML as written, dotenv
 * reports, project and pipeline variables) when the job is picked up, as the server does in
 * buildPayloadExtras. A circular reference leaves the values as they are (the server logs it).
 */
function expandedAtPickup(layers: VariableLayers): Array<{ variable: JobVariable; isPublic: boolean }> {
  const asJob = (v: Var, isPublic: boolean): JobVariable => ({ key: v.key, value: v.value, public: isPublic, masked: v.masked ?? false, file: v.file ?? false, raw: v.raw ?? false });
  const collection = [
    ...layers.context.map((v) => asJob(v, true)),
    ...layers.jobPredefined.map((v) => asJob(v, true)),
    ...variablesAsWritten(layers.yaml),
    ...layers.dotenv.map((v) => asJob(v, false)),
    ...layers.user.map((v) => asJob(v, false)),
  ];
  return resolveVariables(collection).variables.map((variable) => ({ variable, isPublic: variable.public }));
}

/**
 * The runner's final pass (JobVariables.Expand): each value that is not raw has its `$VAR`
 * references replaced from the list, once. References to file variables stay for the shell,
 * which sees the file's path; `$$` becomes `$`.
 */
export function expandJobVariables(vars: readonly ResolvedVariable[]): ResolvedVariable[] {
  return expandVariablesOnce(vars, expandRunner);
}
